"""The timing rules the Python peers share: `best_seconds` (numpy/linalg.py,
pytorch/convolution.py), one untimed call, then the best of rounds of enough calls
to last about 2 ms each, as many rounds as fit in the budget (3 to 300); and
`timed` (the lesson peers), one call's result and seconds."""

import time


def best_seconds(call, budget=0.3):
    call()
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-9)
    repeats = max(1, int(0.002 / once))
    rounds = max(3, min(300, int(budget / (once * repeats))))
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def timed(function, *arguments):
    start = time.perf_counter()
    result = function(*arguments)
    return result, time.perf_counter() - start
