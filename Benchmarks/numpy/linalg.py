#!/usr/bin/env python3
"""Times numpy.linalg on the benchmark runner's linear-algebra workloads.

    python3 linalg.py JOBS.json BUDGET_SECONDS

JOBS.json lists {"name", "statement", "shape", "dtype"}: a statement over `a`
(uniform noise plus n·I, built in float32, of that shape), `spd` (noise·noiseᵀ
+ n·I) and `b` (a column of ones), converted to `dtype` (float32 or float64),
as Nabla's workloads build them. Prints {name: seconds per
call}, each the best of interleaved-free repeated rounds within the budget, as
the runner times Nabla. The thread count comes from OPENBLAS_NUM_THREADS, set
by the runner.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import best_seconds  # noqa: E402


def inputs(shape, dtype):
    n = shape[-1]
    rng = np.random.default_rng(n)
    noise = rng.random(shape, dtype=np.float32)
    eye = np.eye(n, dtype=np.float32)
    a = (noise + eye * n).astype(dtype)
    spd = (noise @ np.swapaxes(noise, -1, -2) + eye * n).astype(dtype)
    b = np.ones(shape[:-1] + [1], dtype=dtype)
    return {"np": np, "a": a, "spd": spd, "b": b}

def main():
    jobs = json.load(open(sys.argv[1]))
    budget = float(sys.argv[2])
    results = {}
    for job in jobs:
        scope = inputs(job["shape"], job.get("dtype", "float32"))
        results[job["name"]] = best_seconds(lambda code=compile(job["statement"], "<numpy>", "exec"): exec(code, scope), budget)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
