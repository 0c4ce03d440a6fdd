// Why this shim exists: SwiftPM gives every executable its own `main`, so
// libFuzzer's `main` is never linked in. Each fuzz target's main.swift calls
// libFuzzer's documented driver entry point instead; this header declares it
// for Swift. The fuzzer runtime itself is linked by `-sanitize=fuzzer`.
#ifndef NABLA_CLIBFUZZER_SHIM_H
#define NABLA_CLIBFUZZER_SHIM_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
