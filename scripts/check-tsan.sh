#!/usr/bin/env bash
# Builds Tests/Consumer's ConcurrencyContract (Swift 6 language mode; tensors
# moved between tasks, concurrent backward through one parameter) with
# ThreadSanitizer and runs it: exits 1 on any report or a wrong output.
#   bash scripts/check-tsan.sh        (scratch path: .build-tsan)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
consumer="$repo/Tests/Consumer"
scratch="$repo/.build-tsan"

swift build --package-path "$consumer" --scratch-path "$scratch" --product ConcurrencyContract -Xswiftc -sanitize=thread
bin="$(swift build --package-path "$consumer" --scratch-path "$scratch" --show-bin-path)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# One OpenBLAS thread: OpenBLAS is not built with TSan, so its own threads' synchronisation is invisible to it.
if ! output="$(OPENBLAS_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1 log_path=$log" "$bin/ConcurrencyContract")"; then
  echo "check-tsan: ConcurrencyContract failed under ThreadSanitizer:" >&2
  cat "$log"* >&2 2>/dev/null || true
  exit 1
fi
if ls "$log".* >/dev/null 2>&1; then
  echo "check-tsan: ThreadSanitizer reported:" >&2
  cat "$log".* >&2
  rm -f "$log".*
  exit 1
fi
if [ "$output" != "$(cat "$consumer/expected/ConcurrencyContract.txt")" ]; then
  echo "check-tsan: printed '$output', expected '$(cat "$consumer/expected/ConcurrencyContract.txt")'" >&2
  exit 1
fi
echo "tsan: ConcurrencyContract clean"
