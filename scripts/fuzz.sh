#!/usr/bin/env bash
# Builds NablaData's libFuzzer targets (the Fuzz/ package, with AddressSanitizer)
# and runs each for a bounded time, starting from the seed files in Fuzz/Seeds.
# Exits 1 if any target crashes, hangs, runs out of memory or leaks; the input
# that did it is kept in .build-fuzz/artifacts/<target>/ and its path printed.
# Memory is capped far below what the bombs of issue 12 took (2 to 8 GB): 1 GB
# resident, 512 MB in one allocation. Inputs are at most 4 KB (libFuzzer's
# default), so with deflate's 1032:1 no honest input needs a tenth of that.
#   bash scripts/fuzz.sh                 (45 s per target)
#   FUZZ_SECONDS=10 bash scripts/fuzz.sh
#   FUZZ_SEED=1 bash scripts/fuzz.sh     (the same mutations each run, as CI does)
#   bash scripts/fuzz.sh FuzzPNG         (one target)
#   FUZZ_JOBS=1 bash scripts/fuzz.sh     (one target at a time; default one per CPU)
#   bash scripts/fuzz.sh --build-only    (CI builds them beside other work, then runs them)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$repo/.build-fuzz"
seconds="${FUZZ_SECONDS:-45}"
# A fixed seed makes a run repeat the same mutations (CI's result then depends on
# the code, not on the clock); unset, libFuzzer seeds itself and explores anew.
seed_flag=()
[ -z "${FUZZ_SEED:-}" ] || seed_flag=(-seed="$FUZZ_SEED")
build_only=false
if [ "${1:-}" = --build-only ]; then build_only=true; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzIDX FuzzCSV FuzzPNG FuzzSafeTensors FuzzNumPy FuzzCheckpoint FuzzCommandLine)
# lld, because gold fails on some sanitizer links; both come with the toolchain or Debian.
flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)

echo "fuzz: building ${targets[*]} (scratch $scratch)"
for target in "${targets[@]}"; do
  swift build --package-path "$repo/Fuzz" --scratch-path "$scratch" --product "$target" "${flags[@]}"
done
bin="$(swift build --package-path "$repo/Fuzz" --scratch-path "$scratch" --show-bin-path "${flags[@]}")"
if $build_only; then echo "fuzz: built ${#targets[@]} targets in $bin"; exit 0; fi

# Let libFuzzer and ASan report a crash themselves instead of Swift's backtracer.
export SWIFT_BACKTRACE=enable=no
# libFuzzer runs on one thread, so the targets run as many at once as there are
# CPUs: the same fuzzing time per target in half the wall time on CI's 2 cores.
parallel="${FUZZ_JOBS:-$(nproc)}"
fuzz_target() {
  local target="$1"
  local seeds="$repo/Fuzz/Seeds/$(echo "${target#Fuzz}" | tr '[:upper:]' '[:lower:]')"
  local corpus artifacts="$scratch/artifacts/$target"
  corpus="$(mktemp -d)"
  mkdir -p "$artifacts"
  local log="$artifacts/fuzz.log"
  rm -f "$artifacts/passed"
  echo "fuzz: running $target for ${seconds}s (seeds $seeds)"
  if "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 "${seed_flag[@]}" \
       -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1; then
    echo "fuzz: $target ok: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs, no crash"
    touch "$artifacts/passed"
  else
    # One report at a time, so that two failing targets' lines do not interleave.
    { echo "fuzz: $target FAILED; last lines of $log:"; tail -n 40 "$log"
      ls "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-* 2>/dev/null || true; } \
      | flock "$scratch/artifacts" cat >&2
  fi
  rm -rf "$corpus"
}
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  fuzz_target "$target" &
done
wait
passed=0 failed=0
for target in "${targets[@]}"; do
  if [ -f "$scratch/artifacts/$target/passed" ]; then passed=$(( passed + 1 )); else failed=$(( failed + 1 )); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
