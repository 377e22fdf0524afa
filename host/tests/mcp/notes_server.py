"""An MCP server on the official Python SDK (MCPServer), for
host/tests/mcp/upstream.rs and the tool-hiding tests of host/tests/mcp.rs.

Usage: notes_server.py NOTES_FILE [PORT]

Without PORT it serves stdio; with PORT, streamable HTTP at
http://127.0.0.1:PORT/mcp, where, when $NOTES_SERVER_TOKEN is set, every
request must carry `Authorization: Bearer $NOTES_SERVER_TOKEN` (else 401).

Tools: `add` (a + b), `read_file` (a file's text), `send_message` (appends
its text to NOTES_FILE: the file shows what reached the server), `confirm`
(asks the client through the server's own elicitation) and `crash` (exits
the process at once).
"""

import os
import sys

from pydantic import BaseModel

from mcp.server.mcpserver import Context, MCPServer

notes = sys.argv[1]
server = MCPServer("notes-server")


@server.tool(description="Adds two numbers.")
def add(a: int, b: int) -> str:
    return str(a + b)


@server.tool(description="Reads a text file.")
def read_file(path: str) -> str:
    with open(path) as f:
        return f.read()


@server.tool(description="Sends a message (to the notes file).")
def send_message(text: str) -> str:
    with open(notes, "a") as f:
        f.write(text + "\n")
    return "sent"


class Approval(BaseModel):
    approve: bool


@server.tool(description="Asks the user (the server's own elicitation) and says what they answered.")
async def confirm(question: str, ctx: Context) -> str:
    answer = await ctx.elicit(question, schema=Approval)
    if answer.action == "accept":
        return "approved" if answer.data.approve else "refused"
    return answer.action


@server.tool(description="Exits the server process at once.")
def crash() -> str:
    os._exit(3)


def require_token(app, token):
    """The app, refusing requests without the bearer token."""
    expected = f"Bearer {token}".encode()

    async def guarded(scope, receive, send):
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != expected:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"error": "no or wrong token"}'})
            return
        await app(scope, receive, send)

    return guarded


if __name__ == "__main__":
    if len(sys.argv) < 3:
        server.run("stdio")
    else:
        import uvicorn

        app = server.streamable_http_app(host="127.0.0.1")
        token = os.environ.get("NOTES_SERVER_TOKEN")
        if token:
            app = require_token(app, token)
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
