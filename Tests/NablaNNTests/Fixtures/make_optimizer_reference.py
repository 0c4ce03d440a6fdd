"""Writes optimizer_reference.json: torch.optim's parameters after each of
100 steps on recorded gradients, for SGD (plain, momentum with dampening and
weight decay, Nesterov), Adam (with and without L2, and amsgrad) and AdamW (also
with amsgrad), some with the
learning rate and momentum changed every step as a one-cycle schedule does.
OptimizerTests replays the same gradients through NablaNN's optimizers.

    ~/.cache/nabla-torch/bin/python Tests/NablaNNTests/Fixtures/make_optimizer_reference.py
"""
import json, math, os
import numpy as np
import torch

torch.manual_seed(16)
STEPS = 100
shapes = [(5, 3), (7,)]

def f32(x):
    return float(np.float32(x))

def short(values):
    """float32 values with the 9 significant digits that round-trip them."""
    return [float(f"{v:.9g}") for v in values]

initial = [torch.randn(*s) for s in shapes]
gradients = [[torch.randn(*s) * (1 + 0.5 * math.sin(step)) for s in shapes] for step in range(STEPS)]
# A cosine warm-up then annealing, rounded to float32 so both sides use the same numbers.
learning_rates = [f32(0.05 * (0.1 + 0.9 * math.sin(math.pi * step / STEPS))) for step in range(STEPS)]
momenta = [f32(0.95 - 0.1 * math.sin(math.pi * step / STEPS)) for step in range(STEPS)]

configs = [
    ("sgd", dict(lr=f32(0.1)), False),
    ("sgd", dict(lr=f32(0.05), momentum=f32(0.9), dampening=f32(0.1), weight_decay=f32(0.01)), False),
    ("sgd", dict(lr=f32(0.05), momentum=f32(0.9), nesterov=True, weight_decay=f32(0.001)), True),
    ("adam", dict(lr=f32(0.01)), False),
    ("adam", dict(lr=f32(0.01), weight_decay=f32(0.01)), True),
    ("adamw", dict(lr=f32(0.01), weight_decay=f32(0.01)), False),
    ("adamw", dict(lr=f32(0.01), betas=(0.9, 0.99), eps=f32(1e-6), weight_decay=f32(0.1)), True),
    ("adam", dict(lr=f32(0.01), amsgrad=True), False),
    ("adamw", dict(lr=f32(0.01), weight_decay=f32(0.01), amsgrad=True), True),
]

cases = []
for kind, options, scheduled in configs:
    params = [p.clone().requires_grad_() for p in initial]
    make = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    extra = {} if kind == "sgd" else {"foreach": False}
    optimizer = make(params, **options, **extra)
    trajectory = []
    for step in range(STEPS):
        if scheduled:
            group = optimizer.param_groups[0]
            group["lr"] = learning_rates[step]
            if kind == "sgd":
                group["momentum"] = momenta[step]
            else:
                group["betas"] = (momenta[step], group["betas"][1])
        for p, g in zip(params, gradients[step]):
            p.grad = g.clone()
        optimizer.step()
        trajectory.append(short(v for p in params for v in p.detach().reshape(-1).tolist()))
    cases.append({"optimizer": kind, "options": {k: float(v) for k, v in options.items() if k != "betas"},
                  "betas": list(options.get("betas", (0.9, 0.999))), "scheduled": scheduled,
                  "trajectory": trajectory})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizer_reference.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "shapes": shapes,
               "initial": short(v for p in initial for v in p.reshape(-1).tolist()),
               "gradients": [short(v for g in step for v in g.reshape(-1).tolist()) for step in gradients],
               "learningRates": learning_rates, "momenta": momenta, "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {path}")
