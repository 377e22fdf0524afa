"""An MCP client on the official Python SDK, for host/tests/mcp.rs.

Usage: client.py STEPS_JSON -- COMMAND [ARG...]

Launches COMMAND over stdio (stdio_client), initializes a ClientSession and
runs the steps in order, printing one JSON object with what each returned:
  {"list": true}                         -> {"tools": [{"name", "description"}...]}
  {"call": NAME, "arguments": {...}}     -> {"is_error", "text"} or {"exception"}
"env" (optional) adds variables to the command's environment. Elicitation requests are answered from the "elicit" list given with the steps
(each "approve" | "deny" | "decline"), in order, and recorded as
{"elicited": message}. Without an "elicit" list no callback is installed, so
the client declares no elicitation capability.
"""

import asyncio
import json
import sys

from mcp import types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


async def main() -> None:
    spec = json.loads(sys.argv[1])
    assert sys.argv[2] == "--"
    command, args = sys.argv[3], sys.argv[4:]
    out = []
    answers = list(spec.get("elicit", []))

    async def elicit(context, params):
        answer = answers.pop(0) if answers else "decline"
        out.append({"elicited": params.message, "answer": answer})
        if answer == "decline":
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content={"approve": answer == "approve"})

    callback = elicit if "elicit" in spec else None
    server = StdioServerParameters(command=command, args=args, env=spec.get("env"))
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, elicitation_callback=callback) as session:
            await session.initialize()
            for step in spec["steps"]:
                try:
                    if "list" in step:
                        tools = await session.list_tools()
                        out.append({"tools": [{"name": t.name, "description": t.description} for t in tools.tools]})
                    else:
                        result = await session.call_tool(step["call"], step.get("arguments", {}))
                        text = "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")
                        out.append({"is_error": bool(result.is_error), "text": text})
                except Exception as e:  # the test asserts on it
                    out.append({"exception": f"{type(e).__name__}: {e}"})
    print(json.dumps(out))


asyncio.run(main())
