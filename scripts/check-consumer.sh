#!/usr/bin/env bash
# Builds Tests/Consumer, a package that depends on Nabla by path the way a
# user's package would, runs each of its programs (one per usage contract, each
# an executable target in Tests/Consumer/Sources) and compares what it prints,
# line by line, with Tests/Consumer/expected/<program>.txt. Exits 1 on any
# difference. A program runs in a fresh temporary folder; a contract that
# reads files there makes them first (see its main.swift).
#   bash scripts/check-consumer.sh [program ...]     (scratch path: .build-consumer)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
consumer="$repo/Tests/Consumer"
scratch="$repo/.build-consumer"

if [ "$#" -gt 0 ]; then
  programs=("$@")
else
  programs=()
  for dir in "$consumer"/Sources/*/; do programs+=("$(basename "$dir")"); done
fi

echo "check-consumer: building $consumer (scratch $scratch)"
swift build --package-path "$consumer" --scratch-path "$scratch"
bin="$(swift build --package-path "$consumer" --scratch-path "$scratch" --show-bin-path)"

passed=0 failed=0
for program in "${programs[@]}"; do
  expected_file="$consumer/expected/$program.txt"
  [ -f "$expected_file" ] || { echo "check-consumer: $program has no $expected_file" >&2; exit 1; }
  workdir="$(mktemp -d)"
  if ! output="$(cd "$workdir" && "$bin/$program")"; then
    echo "check-consumer: $bin/$program failed; it printed:" >&2
    printf '%s\n' "$output" >&2
    rm -rf "$workdir"
    exit 1
  fi
  rm -rf "$workdir"
  mapfile -t actual <<<"$output"
  mapfile -t expected <"$expected_file"
  lines=$(( ${#actual[@]} > ${#expected[@]} ? ${#actual[@]} : ${#expected[@]} ))
  for (( i = 0; i < lines; i++ )); do
    if [ "$i" -lt "${#actual[@]}" ] && [ "$i" -lt "${#expected[@]}" ] && [ "${actual[i]}" == "${expected[i]}" ]; then
      passed=$(( passed + 1 ))
    else
      failed=$(( failed + 1 ))
      echo "check-consumer: $program line $(( i + 1 )): printed '${actual[i]-<nothing>}', expected '${expected[i]-<nothing>}'" >&2
    fi
  done
done
echo "consumer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
