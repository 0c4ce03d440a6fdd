"""PyTorch oracle of Nabla's differential test (DifferentialTests.swift).

Reads the cases that the Swift side wrote: each names a torch expression in
the inputs a, b, c, …, the inputs (a float32 base tensor and the recipe of
views that turns it into the operand: permute, slice, select, reshape,
expand), the upstream gradient of every differentiable output, and what each
Nabla backend computed: outputs and the gradients of sum(out * upstream) with
respect to each base. It recomputes all of it in float64 on the same values
and compares. Exit status 1 and a line per mismatch naming op, case, backend
and error; a summary line in any case.

Each case ran in a dtype (float32, float64, float16 or bfloat16, for the ops that
take them) on inputs that are float32 numbers (in a float16 or bfloat16 case numbers
of that dtype: the Swift side rounds them first, and the upstream gradients too), so
torch's float64 result is the truth for all four.

A case run in an integer or bool dtype (int64, int32, uint8, bool) is recomputed
in the operands' own dtypes, as torch computes it: each output must have torch's
dtype, an integer or bool output must equal torch's exactly (values travel as JSON
integers, so int64 beyond 2^53 is compared exactly), and a floating output (true
division, promotion to a float operand) must be within the op's tolerance of torch's,
in units of its own dtype.

Tolerance (stated per op in the Swift table): an element passes when
|nabla - torch| <= ulps * eps * length * max(|torch|, floor), eps being the
unit roundoff of the dtype Nabla's tensor has (2^-24 for float32, 2^-53 for
float64, 2^-11 for float16, 2^-8 for bfloat16; in float64 the truth is itself
rounded to that precision, so the bound gets 2 more units for torch's own
rounding), where length
is the case's reduction length (1 for elementwise ops) and floor is 1 for
gradients (their errors scale with their terms) and stated per op for outputs
(or the largest magnitude in the tensor, for normwise ops such as solve), plus
the dtype's smallest normal number for gradual underflow. ulps = 0 means
equality with the float64 result rounded to the dtype of Nabla's tensor. NaN must match
NaN and infinities must match, except where torch's own computation in the case's
dtype overflows to the same inf or NaN on a finite float64 result (an intermediate
beyond that dtype's range: float32, float16 and bfloat16 cases). In a float64,
float16 or bfloat16 case every differentiable output and every gradient must have
the case's dtype, and an output that is an integer or bool tensor in torch (an
index, a count, a mask) must have torch's dtype in Nabla too.

The half-precision tolerance is the op's own count of roundings, in units of the
half dtype: Nabla computes each kernel in float32 and rounds its result once to
float16 or bfloat16 (as torch's CPU kernels do), so an op that rounds k times in
float32 rounds k times in half, and the float32 arithmetic between adds at most
2^-13 (float16) or 2^-16 (bfloat16) of a half unit per float32 unit.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)  # tiny tensors; spinning threads only slow a shared machine
# Unit roundoff, smallest normal number and torch dtype of each dtype a case runs in.
PRECISION = {"float32": (2.0 ** -24, 2.0 ** -126, torch.float32), "float64": (2.0 ** -53, 2.0 ** -1022, torch.float64),
             "float16": (2.0 ** -11, 2.0 ** -14, torch.float16), "bfloat16": (2.0 ** -8, 2.0 ** -126, torch.bfloat16)}
# The 2-byte storage types, which Nabla (and torch's CPU kernels) compute in float32.
HALVES = {"float16", "bfloat16"}
NAMES = "abcdefgh"
INTEGRAL = {"int64", "int32", "uint8", "bool"}


def tensor_from(record, dtype=torch.float64):
    return torch.tensor(record["data"], dtype=dtype).reshape(record["shape"])


def torch_dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def apply_view(t, recipe):
    for step in recipe:
        kind = step[0]
        if kind == "permute":
            t = t.permute(*step[1])
        elif kind == "slice":
            t = t[tuple(slice(start, stop) for start, stop in step[1])]
        elif kind == "select":
            t = t.select(step[1], step[2])
        elif kind == "reshape":
            t = t.reshape(step[1])
        elif kind == "expand":
            t = t.expand(*step[1])
        else:
            raise ValueError(f"unknown view step {kind}")
    return t


def as_outputs(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v if isinstance(v, torch.Tensor) else torch.tensor(v) for v in value]
    return [torch.tensor(value, dtype=torch.float64)]


def evaluate(case, dtype=torch.float64):
    """Torch's outputs (as float64 arrays) and gradients, every input in `dtype`; None for `dtype` runs
    each input in its own dtype and keeps the outputs as torch tensors (the integer and bool cases)."""
    bases = []
    operands = []
    for spec in case["inputs"]:
        base = tensor_from(spec, dtype or getattr(torch, spec["dtype"]))
        if spec["grad"]:
            base.requires_grad_(True)
        bases.append(base)
        operands.append(apply_view(base, spec["view"]))
    scope = {"torch": torch, "F": F, "math": math, "np": np, "inputs": operands,
             "dtype": getattr(torch, case["dtype"])}
    scope.update(zip(NAMES, operands))
    outputs = as_outputs(eval(case["torch"], scope))
    if dtype is None:
        return outputs
    differentiable = case["differentiable"]
    wanted = [b for b in bases if b.requires_grad]
    grads = [None] * len(bases)
    if differentiable and wanted:
        loss = sum((outputs[i].to(dtype) * tensor_from(case["upstream"][i], dtype)).sum()
                   for i in range(differentiable))
        found = torch.autograd.grad(loss, wanted, allow_unused=True)
        found = iter(found)
        grads = [next(found) if b.requires_grad else None for b in bases]
        grads = [torch.zeros_like(b) if b.requires_grad and g is None else g for g, b in zip(grads, bases)]
    return ([o.detach().to(torch.float64).numpy() for o in outputs],
            [None if g is None else g.detach().to(torch.float64).numpy() for g in grads],
            [torch_dtype_name(o) for o in outputs])


def where(index):
    return "[" + ",".join(str(int(i)) for i in index) + "]"


def mismatch(expected, actual_record, ulps, length, floor, normwise, float32=None):
    """None when they agree, else a short description with the worst error.

    `float32` is torch's own result in the case's dtype (float32, float16 or bfloat16) on
    the same inputs: where that dtype's range makes it infinite or NaN although the float64
    result is finite (an intermediate that overflows, or inf − inf after one), Nabla may give the same.
    """
    actual = np.array(actual_record["data"], dtype=np.float64).reshape(actual_record["shape"])
    if list(actual.shape) != list(expected.shape):
        return f"shape {list(actual.shape)} != torch {list(expected.shape)}"
    if expected.size == 0:
        return None
    eps, tiny, rounding_dtype = PRECISION.get(actual_record["dtype"], PRECISION["float64"])
    rounded = torch.from_numpy(expected).to(rounding_dtype).to(torch.float64).numpy()
    excused = np.zeros(expected.shape, dtype=bool)
    if float32 is not None and float32.shape == expected.shape:
        artefact = ~np.isfinite(float32) & np.isfinite(expected)
        excused = artefact & ((actual == float32) | (np.isnan(actual) & np.isnan(float32)))
    nan_expected, nan_actual = np.isnan(expected), np.isnan(actual)
    bad_nan = (nan_expected != nan_actual) & ~excused
    if bad_nan.any():
        i = tuple(np.argwhere(bad_nan)[0])
        return f"at {where(i)}: {float(actual[i])!r} but torch {float(expected[i])!r} (NaN differs)"
    infinite = ~nan_expected & ~excused & (np.isinf(rounded) | np.isinf(actual))
    bad_inf = infinite & (actual != rounded)
    if bad_inf.any():
        i = tuple(np.argwhere(bad_inf)[0])
        return f"at {where(i)}: {float(actual[i])!r} but torch {float(expected[i])!r}"
    finite = ~nan_expected & ~infinite & ~excused
    if ulps == 0:
        error = np.abs(actual - rounded)[finite]
        if (error > 0).any():
            i = tuple(np.argwhere(finite)[np.argmax(error)])
            return f"at {where(i)}: {float(actual[i])!r} but torch {float(expected[i])!r} (exact op)"
        return None
    magnitude = np.abs(expected[finite])
    if normwise and magnitude.size:
        floor = max(floor, float(magnitude.max()))
    # Below the smallest normal number precision is lost to gradual underflow.
    allowed = eps * length * np.maximum(magnitude, floor) + tiny
    if rounding_dtype is torch.float64:
        ulps += 2
    units = np.abs(actual - expected)[finite] / allowed
    worst = int(np.argmax(units)) if units.size else 0
    if units.size and units[worst] > ulps:
        i = tuple(np.argwhere(finite)[worst])
        return (f"at {where(i)}: {float(actual[i])!r} but torch {float(expected[i])!r}, "
                f"error {units[worst]:.1f} ulps x length {length} (allowed {ulps})")
    return None


def compare_exact(case, expected_outputs, result):
    """The mismatches of one backend's result in an integer or bool case: dtypes as torch's,
    integers and bools exactly, floating outputs within the op's tolerance."""
    problems = []
    if len(result["outputs"]) != len(expected_outputs):
        problems.append(f"{len(result['outputs'])} outputs but torch gives {len(expected_outputs)}")
    for i, (expected, actual) in enumerate(zip(expected_outputs, result["outputs"])):
        if actual["dtype"] != torch_dtype_name(expected):
            problems.append(f"output {i} is {actual['dtype']}, torch's is {torch_dtype_name(expected)}")
            continue
        if actual["dtype"] in INTEGRAL:
            values = np.array(actual["data"], dtype=np.int64).reshape(actual["shape"])
            truth = expected.to(torch.int64).numpy()
            if list(values.shape) != list(truth.shape):
                problems.append(f"output {i} shape {list(values.shape)} != torch {list(truth.shape)}")
            elif (values != truth).any():
                at = tuple(np.argwhere(values != truth)[0])
                problems.append(f"output {i} at {where(at)}: {int(values[at])} but torch {int(truth[at])} (exact)")
            continue
        problem = mismatch(expected.to(torch.float64).numpy(), actual, case["ulps"], case["length"], case["floor"], case["normwise"])
        if problem:
            problems.append(f"output {i} {problem}")
    return problems


def compare(case, expected_outputs, expected_grads, result, float32=None, kinds=()):
    """The mismatches of one backend's result. `kinds` are the dtypes of torch's outputs: an
    integer or bool one must be Nabla's too, a floating one must be floating."""
    problems = []
    if len(result["outputs"]) != len(expected_outputs):
        problems.append(f"{len(result['outputs'])} outputs but torch gives {len(expected_outputs)}")
    for i, (kind, actual) in enumerate(zip(kinds, result["outputs"])):
        if (kind in INTEGRAL or actual["dtype"] in INTEGRAL) and actual["dtype"] != kind:
            problems.append(f"output {i} is {actual['dtype']}, torch's is {kind}")
    f32_outputs, f32_grads = float32 or ([None] * len(expected_outputs), [None] * len(expected_grads))
    for i, (expected, actual) in enumerate(zip(expected_outputs, result["outputs"])):
        if (case["dtype"] == "float64" or case["dtype"] in HALVES) and i < case["differentiable"] and actual["dtype"] != case["dtype"]:
            problems.append(f"output {i} is {actual['dtype']}, not {case['dtype']}")
        problem = mismatch(expected, actual, case["ulps"], case["length"], case["floor"], case["normwise"], f32_outputs[i])
        if problem:
            problems.append(f"output {i} {problem}")
    for i, (expected, actual) in enumerate(zip(expected_grads, result["grads"])):
        if expected is None:
            continue
        if actual is None:
            problems.append(f"grad of {NAMES[i]}: Nabla computed none")
            continue
        # Gradients are sums of products with the upstream values: errors are relative to their terms, about 1.
        if (case["dtype"] == "float64" or case["dtype"] in HALVES) and actual["dtype"] != case["dtype"]:
            problems.append(f"grad of {NAMES[i]} is {actual['dtype']}, not {case['dtype']}")
        problem = mismatch(expected, actual, case["grad_ulps"], case["grad_length"], 1.0, case["normwise"], f32_grads[i])
        if problem:
            problems.append(f"grad of {NAMES[i]} {problem}")
    return problems


def main(path):
    np.seterr(all="ignore")  # inf - inf and the like are judged, not warned about
    with open(path) as f:
        cases = json.load(f)
    failures, known, compared, ops, notes = [], [], 0, set(), {}
    # A known mark is fixed when no case it marks (in one op and dtype) disagrees any more.
    marked, still_known = {}, set()
    for case in cases:
        ops.add(case["op"])
        if case["note"]:
            notes[case["op"]] = case["note"]
        label = f"{case['op']} | {case['case']} ({case['dtype']})"
        exact = case["dtype"] in INTEGRAL
        try:
            if exact:
                expected_outputs = evaluate(case, None)
            else:
                expected_outputs, expected_grads, kinds = evaluate(case)
        except Exception as error:  # a case torch cannot compute is a defect of the table
            failures.append(f"{label}: torch raised {type(error).__name__}: {error}")
            continue
        float32 = None
        for backend, result in case["results"].items():
            compared += 1
            if exact:
                problems = compare_exact(case, expected_outputs, result)
            else:
                problems = compare(case, expected_outputs, expected_grads, result, kinds=kinds)
            if problems and (case["dtype"] == "float32" or case["dtype"] in HALVES):
                # Judge again, excusing what the dtype's range does to torch itself (a half-precision
                # op torch's CPU does not compute in that dtype excuses nothing).
                if float32 is None:
                    try:
                        float32 = evaluate(case, getattr(torch, case["dtype"]))[:2]
                    except Exception:
                        float32 = ()
                if float32:
                    problems = compare(case, expected_outputs, expected_grads, result, float32, kinds)
            lines = [f"{label} [{backend}]: {problem}" for problem in problems]
            if case["known"]:
                mark = (case["op"], case["dtype"], case["known"])
                marked.setdefault(mark, set())
                known += [f"{line} ({case['known']})" for line in lines]
                if problems:
                    still_known.add(mark)
            else:
                failures += lines
    for op, note in sorted(notes.items()):
        print(f"convention {op}: {note}")
    for line in known:
        print("KNOWN " + line)
    # A stale mark would hide the bug coming back, so it fails the run as a mismatch does.
    fixed = sorted(set(marked) - still_known)
    for (op, dtype, mark) in fixed:
        print(f"FIXED {op} ({dtype}) agrees now in every case: remove its mark ({mark})")
    for line in failures:
        print("MISMATCH " + line)
    failed_cases = len({line.split(" [")[0] for line in failures})
    per_dtype = {}
    for case in cases:
        per_dtype[case["dtype"]] = per_dtype.get(case["dtype"], 0) + 1
    counts = ", ".join(f"{dtype} {count}" for dtype, count in per_dtype.items())
    print(f"differential: {len(cases)} cases of {len(ops)} ops ({counts}), {compared} backend runs compared with "
          f"torch {torch.__version__} (floating cases in float64, integer and bool ones exactly in their own dtypes); "
          f"{failed_cases} cases with mismatches, {len({line.split(' [')[0] for line in known})} with known open bugs")
    return 1 if failures or fixed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
