"""An MCP server on the official Python SDK (MCPServer), for host/tests/mcp.rs.

Its `add` tool's description comes from $TEST_SERVER_ADD_DESCRIPTION, so two
sessions can list two different definitions of the same tool (a "rug pull").
`crash` kills the server mid-call.
"""

import os

from mcp.server.mcpserver import MCPServer

server = MCPServer("test-server")


@server.tool(description=os.environ.get("TEST_SERVER_ADD_DESCRIPTION", "Adds two numbers."))
def add(a: int, b: int) -> str:
    return str(a + b)


@server.tool(description="Exits the server process at once.")
def crash() -> str:
    os._exit(3)


if __name__ == "__main__":
    server.run("stdio")
