# Sourced by .ci/run and scripts/sanitizers.sh, whose background jobs are
# subshells and SwiftPM processes with children of their own (swift-frontend,
# the test runner): `kill <job>` alone would leave those running after a failed
# or stopped run. kill_tree stops the job and everything under it, collected
# before any is killed (a killed parent's children move to init).
descendants() {
  local child
  # /proc, not pgrep: procps is not on every bare machine.
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
kill_tree() {
  # shellcheck disable=SC2046 # one pid per word
  kill $(descendants "$1") "$1" 2>/dev/null || true
}
# Bash runs an EXIT trap when it exits, not when a signal kills it: INT and TERM
# exit instead, so the sourcing script's EXIT trap stops its jobs then too.
trap 'exit 130' INT
trap 'exit 143' TERM
