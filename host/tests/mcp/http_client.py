"""An MCP client on the official Python SDK over streamable HTTP, for
host/tests/mcp/http.rs.

Usage: http_client.py STEPS_JSON URL TOKEN

Connects to URL with streamable_http_client (the bearer TOKEN on every
request), initializes a ClientSession and runs the steps as client.py
does, printing one JSON list with what each returned:
  {"list": true}                         -> {"tools": [{"name", "description"}...]}
  {"call": NAME, "arguments": {...}}     -> {"is_error", "text"} or {"exception"}
Elicitation requests are answered from the "elicit" list (each "approve" |
"deny" | "decline"), in order, and recorded as {"elicited": message}.
Without an "elicit" list no callback is installed, so the client declares
no elicitation capability. Leaving, the client ends the session (DELETE).
"""

import asyncio
import json
import sys

from mcp import types
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


async def main() -> None:
    spec = json.loads(sys.argv[1])
    url, token = sys.argv[2], sys.argv[3]
    out = []
    answers = list(spec.get("elicit", []))

    async def elicit(context, params):
        answer = answers.pop(0) if answers else "decline"
        out.append({"elicited": params.message, "answer": answer})
        if answer == "decline":
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content={"approve": answer == "approve"})

    callback = elicit if "elicit" in spec else None
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with http:
        async with streamable_http_client(url, http_client=http) as (read, write):
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
