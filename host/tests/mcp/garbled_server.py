"""A broken MCP server for host/tests/mcp.rs: it answers the handshake and
tools/list correctly, then answers every tools/call with a line that is not
JSON-RPC. (The SDK's own server cannot be made to do this: it keeps its
stdout for the protocol alone.) Plain Python, no SDK.
"""

import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    method = message.get("method")
    if "id" not in message:
        continue
    if method == "initialize":
        result = {
            "protocolVersion": message["params"]["protocolVersion"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "garbled", "version": "0"},
        }
    elif method == "tools/list":
        result = {"tools": [{"name": "garble", "description": "Answers garbage.", "inputSchema": {"type": "object"}}]}
    elif method == "tools/call":
        sys.stdout.write("this is not JSON-RPC\n")
        sys.stdout.flush()
        continue
    else:
        result = {}
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}) + "\n")
    sys.stdout.flush()
