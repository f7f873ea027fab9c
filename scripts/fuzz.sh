#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (the OData filter parser/printer/evaluator, the query
# builder's escaping, every skill's argument handling), each for a bounded time, and fails if
# any of them finds a crash. Installs cargo-fuzz if it is missing.
#
#   scripts/fuzz.sh                     every target, 60 s each
#   scripts/fuzz.sh odata_filter        one target
#   FUZZ_SECONDS=600 scripts/fuzz.sh    longer
#   FUZZ_SANITIZER=address scripts/fuzz.sh   with AddressSanitizer (a full rebuild, slower runs)
#
# A stable toolchain is enough: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass the unstable flags of
# its coverage instrumentation. The sanitizer is off by default because the code under test
# is safe Rust: the fuzzers look for panics, which need no sanitizer to be caught. The first
# run builds the crate with instrumentation into fuzz/target (about ten minutes on 2 cores);
# corpora grow in fuzz/corpus/<target> and crashing inputs land in fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

failed=()
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds} s (sanitizer: $sanitizer)" >&2
    if ! cargo fuzz run "$target" --sanitizer "$sanitizer" -- -max_total_time="$seconds" -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "crashes found by: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "no crashes in: ${targets[*]}" >&2
