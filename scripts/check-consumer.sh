#!/usr/bin/env bash
# Builds Tests/Consumer, a package that depends on Nabla by path the way a
# user's package would, runs its program and compares what it prints, line by
# line, with Tests/Consumer/expected-output.txt. Exits 1 on any difference.
#   bash scripts/check-consumer.sh      (scratch path: .build-consumer)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
consumer="$repo/Tests/Consumer"
scratch="$repo/.build-consumer"
expected_file="$consumer/expected-output.txt"

echo "check-consumer: building $consumer (scratch $scratch)"
swift build --package-path "$consumer" --scratch-path "$scratch" --product NablaConsumer
program="$(swift build --package-path "$consumer" --scratch-path "$scratch" --show-bin-path)/NablaConsumer"

if ! output="$("$program")"; then
  echo "check-consumer: $program failed; it printed:" >&2
  printf '%s\n' "$output" >&2
  exit 1
fi

mapfile -t actual <<<"$output"
mapfile -t expected <"$expected_file"
passed=0 failed=0
lines=$(( ${#actual[@]} > ${#expected[@]} ? ${#actual[@]} : ${#expected[@]} ))
for (( i = 0; i < lines; i++ )); do
  if [ "$i" -lt "${#actual[@]}" ] && [ "$i" -lt "${#expected[@]}" ] && [ "${actual[i]}" == "${expected[i]}" ]; then
    passed=$(( passed + 1 ))
  else
    failed=$(( failed + 1 ))
    echo "check-consumer: line $(( i + 1 )): printed '${actual[i]-<nothing>}', expected '${expected[i]-<nothing>}'" >&2
  fi
done
echo "consumer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
