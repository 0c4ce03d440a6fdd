"""Writes window_ops_reference.json: conv2d, max/avg/adaptive pooling and
batch_norm computed by PyTorch in float64 on float32-representable inputs,
with the gradients of sum(output * upstream). WindowOpsTorchTests checks
Nabla against this file on both backends.

Run with the venv of the benchmarks (torch CPU):
    ~/.cache/nabla-torch/bin/python Tests/NablaTests/Fixtures/make_window_ops_reference.py
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(13)

def values(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]

def leaf(shape):
    return torch.randn(*shape).to(torch.float32).to(torch.float64).requires_grad_()

def record(name, op, params, tensors, run):
    out = run(*tensors)
    upstream = torch.randn(out.shape).to(torch.float32).to(torch.float64)
    (out * upstream).sum().backward()
    return {"name": name, "op": op, "params": params,
            "inputs": [{"shape": list(t.shape), "values": values(t), "grad": values(t.grad)} for t in tensors],
            "output": {"shape": list(out.shape), "values": values(out)},
            "upstream": values(upstream)}

cases = []
for i, (n, c, h, w, o, kh, kw, s, p, d, bias) in enumerate([
        (2, 3, 7, 6, 4, 3, 3, (1, 1), (1, 1), (1, 1), True),
        (2, 2, 9, 8, 3, 3, 2, (2, 1), (0, 1), (1, 1), True),
        (1, 3, 10, 9, 2, 3, 3, (2, 3), (2, 1), (2, 1), False),
        (3, 4, 5, 5, 5, 1, 1, (1, 1), (0, 0), (1, 1), True),
        (2, 1, 8, 8, 4, 5, 5, (1, 1), (2, 2), (1, 1), True)]):
    tensors = [leaf((n, c, h, w)), leaf((o, c, kh, kw))] + ([leaf((o,))] if bias else [])
    cases.append(record(f"conv2d-{i}", "conv2d", {"stride": s, "padding": p, "dilation": d}, tensors,
                        lambda x, wt, b=None: F.conv2d(x, wt, b, stride=s, padding=p, dilation=d)))

for i, (shape, k, s, p, d) in enumerate([((2, 3, 8, 7), (2, 2), (2, 2), (0, 0), (1, 1)),
                                         ((1, 2, 9, 9), (3, 3), (2, 2), (1, 1), (1, 1)),
                                         ((2, 2, 10, 8), (3, 2), (1, 2), (1, 1), (2, 1))]):
    cases.append(record(f"maxPool2d-{i}", "maxPool2d", {"kernel": k, "stride": s, "padding": p, "dilation": d}, [leaf(shape)],
                        lambda x: F.max_pool2d(x, k, s, p, d)))

for i, (shape, k, s, p, include) in enumerate([((2, 3, 8, 7), (2, 2), (2, 2), (0, 0), True),
                                               ((1, 2, 9, 9), (3, 3), (2, 2), (1, 1), True),
                                               ((2, 2, 7, 8), (3, 2), (2, 1), (1, 1), False)]):
    cases.append(record(f"avgPool2d-{i}", "avgPool2d", {"kernel": k, "stride": s, "padding": p, "countIncludePad": include},
                        [leaf(shape)], lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=include)))

for i, (shape, size) in enumerate([((2, 3, 7, 5), (1, 1)), ((1, 2, 10, 7), (3, 4))]):
    cases.append(record(f"adaptiveAvgPool2d-{i}", "adaptiveAvgPool2d", {"outputSize": size}, [leaf(shape)],
                        lambda x: F.adaptive_avg_pool2d(x, size)))

for i, (shape, training) in enumerate([((4, 3, 5, 6), True), ((4, 3, 5, 6), False), ((8, 5), True)]):
    channels = shape[1]
    mean0 = torch.randn(channels).to(torch.float32).to(torch.float64)
    var0 = (torch.rand(channels) + 0.5).to(torch.float32).to(torch.float64)
    running_mean, running_var = mean0.clone(), var0.clone()
    case = record(f"batchNorm-{i}", "batchNorm", {"training": training, "momentum": 0.1, "epsilon": 1e-5,
                                                 "runningMean": values(mean0), "runningVariance": values(var0)},
                  [leaf(shape), leaf((channels,)), leaf((channels,))],
                  lambda x, wt, b: F.batch_norm(x, running_mean, running_var, wt, b, training=training, momentum=0.1, eps=1e-5))
    case["params"]["updatedRunningMean"] = values(running_mean)
    case["params"]["updatedRunningVariance"] = values(running_var)
    cases.append(case)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "window_ops_reference.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {path}")
