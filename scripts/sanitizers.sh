#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer (with LeakSanitizer) and a named
# subset under ThreadSanitizer, each in its own scratch path (.build-asan,
# .build-tsan), and fails if either reports anything or any test fails.
# Measured one after the other on the quiet 2-core machine: ASan about 75 s to
# build and 100 s to run, TSan about 65 s to build and 30 s to run. The test
# runs are one process on one core each, so both kinds run side by side, each
# into its own log, printed when it ends.
#   bash scripts/sanitizers.sh            (both, side by side)
#   bash scripts/sanitizers.sh address    (one)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# AddressSanitizer skips the suites that train on the real datasets (the
# lesson's pictures, the Learner, chapter 4, the installed datasets) and those
# that mostly wait for other processes (the nabla command, mpirun, the torch
# oracle; `CommandTests` also matches TheNablaCommandTests, whose article code
# trains a CNN): most of its time, and no reader or kernel that the rest does
# not also run. The hostile-input table's op rows run here (the memory-safety
# cases of issue 24, such as WindowOpsTests' windows wholly in the padding, are
# never skipped); its command rows wait on the nabla command like CommandTests.
address_skip='LessonPicturesTests|LearnerTests|ChapterFourTests|DatasetsTests|MPIJobTests|CommandTests|DifferentialTests|HostileInputTable/testEveryCommandRow'
# ThreadSanitizer runs everything that uses threads: concurrent training against
# OpenBLAS's thread-count switch, the kernel layer's worker pool, the two-worker image decoder, the loaders, the
# atomic writer's kill loop, the failure capture (which forks), and one command
# test, whose helper reads the child's error output on a second thread.
thread_subset='BLASDeterminismTests|ParallelLoopTests|ImageFolderTests|DataLoaderTests|AtomicWriteTests|FailureCaptureTests|ErrorMessageTests|CommandTests.testMissingDataNamesTheDatasetAndTheSetupScript'

# Let the sanitizers report instead of Swift's backtracer; every report fails the run.
export SWIFT_BACKTRACE=enable=no
run_address() {
  echo "sanitizers: AddressSanitizer, all but $address_skip"
  # allocator_may_return_null: an impossible allocation returns NULL, as glibc's
  # does, so the readers' allocation probe throws instead of ASan aborting.
  LSAN_OPTIONS="suppressions=$repo/.ci/lsan-suppressions.txt" ASAN_OPTIONS="halt_on_error=1 allocator_may_return_null=1" \
    swift test --sanitize=address --scratch-path .build-asan --skip "$address_skip"
}
run_thread() {
  echo "sanitizers: ThreadSanitizer, $thread_subset"
  # halt_on_error: a race is a failure. die_after_fork=0: failureMessage's forked
  # copy may start a thread (Dispatch) before it stops, which TSan allows with it.
  TSAN_OPTIONS="halt_on_error=1 die_after_fork=0" \
    swift test --sanitize=thread --scratch-path .build-tsan --filter "$thread_subset"
}
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
declare -A pids logs
# A failed or stopped run leaves no sanitizer build or test run behind, and no log.
source "$repo/scripts/process-tree.sh"
trap 'for pid in "${pids[@]}"; do kill_tree "$pid"; done; rm -f "${logs[@]}"' EXIT
for kind in "${kinds[@]}"; do
  logs[$kind]="$(mktemp)"
  ( start=$SECONDS; "run_$kind"; echo "sanitizers: $kind passed in $(( SECONDS - start )) s" ) >"${logs[$kind]}" 2>&1 &
  pids[$kind]=$!
done
failed=()
for kind in "${kinds[@]}"; do
  wait "${pids[$kind]}" || failed+=("$kind")
  cat "${logs[$kind]}"
  rm -f "${logs[$kind]}"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitizers: ${failed[*]} failed (log above)" >&2
  exit 1
fi
