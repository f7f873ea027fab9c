#!/usr/bin/env bash
# Runs scripts/python-sdk-check.py: every tool example through the official MCP Python SDK
# client (which validates structuredContent against each tool's outputSchema), over stdio and
# over streamable HTTP against `entra-mcp http --demo`. Installs the SDK from PyPI into a venv.
#
# usage: scripts/python-sdk-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

work="${PYTHON_SDK_DIR:-${TMPDIR:-/tmp}/entra-mcp-python-sdk}"
port="${PYTHON_SDK_PORT:-18932}"
if [ ! -x "$work/bin/python" ]; then
  python3 -m venv "$work"
  "$work/bin/pip" install --quiet "mcp==2.3.0"
fi

cargo build --quiet
target="${CARGO_TARGET_DIR:-target}"
binary="$work/entra-mcp"
cp "$target/debug/entra-mcp" "$binary"
"$binary" http --demo --toolsets all --allow-writes --beta --listen "127.0.0.1:$port" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

"$work/bin/python" scripts/python-sdk-check.py "$binary" "http://127.0.0.1:$port/mcp"
