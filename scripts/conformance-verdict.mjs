// Reads the checks.json of one conformance scenario run and prints one line for it:
// passed, failed, warnings, and the checks the suite could not exercise against entra-mcp.
// Exits 1 if any check failed for a reason that is the server's.
//
// usage: node conformance-verdict.mjs <checks.json> <revision> <label> [<tool,tool,...>]
//
// With a tool list, the tools-list check must also have seen exactly those tools, in order.
//
// Two kinds of FAILURE are not counted against the server, and are listed instead:
// - the suite marks the check `untestable`: it needs one of the reference server's
//   diagnostic tools (test_missing_capability, test_logging_tool, ...), which entra-mcp
//   does not and should not list;
// - the `caching` scenario asks resources/list and resources/templates/list of every server,
//   and entra-mcp declares no resources capability, so it answers -32601 (method not found),
//   as the 2026-07-28 rules require (server-stateless checks that the declared capabilities
//   match the methods served).
import { readFileSync } from "node:fs";

const [file, revision, label, expectedTools] = process.argv.slice(2);
let checks;
try {
  checks = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.log(`${revision}  ${label.padEnd(44)} FAIL  no results (${error.message})`);
  process.exit(1);
}

const resourcesMethodNotFound = (c) =>
  /^sep-2549-resources(-templates)?-list-caching-hints$/.test(c.id) && c.details?.error?.code === -32601;

const passed = [];
const failed = [];
const warnings = [];
const notTestable = [];
for (const c of checks) {
  if (c.status === "SUCCESS") passed.push(c);
  else if (c.status === "WARNING") warnings.push(c);
  else if (c.status === "FAILURE" && c.details?.untestable === true) notTestable.push(`${c.id} (needs a diagnostic tool of the suite's reference server)`);
  else if (c.status === "FAILURE" && resourcesMethodNotFound(c)) notTestable.push(`${c.id} (no resources capability declared: -32601)`);
  else if (c.status === "FAILURE") failed.push(c);
}
if (expectedTools !== undefined) {
  const seen = checks.find((c) => c.id === "tools-list")?.details?.tools ?? [];
  if (seen.join(",") !== expectedTools) {
    failed.push({ id: "tools-list (expected tools)", errorMessage: `listed [${seen.join(", ")}], expected [${expectedTools}]` });
  }
}

const ok = failed.length === 0 && passed.length > 0;
let line = `${revision}  ${label.padEnd(44)} ${ok ? "PASS" : "FAIL"}  ${passed.length} passed, ${failed.length} failed`;
if (warnings.length) line += `, ${warnings.length} warning(s)`;
console.log(line);
for (const c of failed) console.log(`    FAILED  ${c.id}: ${c.errorMessage ?? c.description}`);
for (const c of warnings) console.log(`    warning ${c.id}: ${c.errorMessage ?? c.description}`);
for (const n of notTestable) console.log(`    not applicable ${n}`);
if (passed.length === 0 && failed.length === 0) console.log("    no check passed: the scenario exercised nothing");
process.exit(ok ? 0 : 1);
