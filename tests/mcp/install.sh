#!/usr/bin/env bash
# Installs the real MCP implementations the MCP gateway tests run against
# (host/tests/mcp.rs), into the build tree, only when missing:
#   - the official Python MCP SDK (PyPI `mcp`) in target/mcp-venv;
#   - the reference filesystem server (npm `@modelcontextprotocol/server-filesystem`)
#     in target/mcp-node.
# Nothing is fetched at test time; a test that finds them missing fails and
# names this script. Versions are pinned (the ones the tests were written
# against), so a new release cannot change a test run.
set -euo pipefail
cd "$(dirname "$0")/../.."

MCP_SDK=2.3.0
FILESYSTEM_SERVER=2026.8.31

if ! target/mcp-venv/bin/python -c 'import mcp.client.stdio' 2>/dev/null; then
    python3 -m venv target/mcp-venv
    target/mcp-venv/bin/pip install --quiet --disable-pip-version-check "mcp==$MCP_SDK"
fi
if [ ! -x target/mcp-node/node_modules/.bin/mcp-server-filesystem ]; then
    npm install --silent --no-audit --no-fund --prefix target/mcp-node \
        "@modelcontextprotocol/server-filesystem@$FILESYSTEM_SERVER"
fi
