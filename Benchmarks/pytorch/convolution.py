#!/usr/bin/env python3
"""PyTorch's side of nabla-bench's convolution section, on one thread by default.

  --shapes JSON   conv2d forward and forward+backward on each shape
                  ({"batch", "in", "out", "size", "kernel", "stride", "padding", "input_grad"}),
                  best of timed rounds, after warm-up.
  --cnn-batches N one pass of N batches (0: the whole epoch) of the ten-digit CNN
                  (NablaNN's DigitModel.cnn, the same torch.nn model) with Adam
                  (lr 1e-3) and cross-entropy on MNIST's training set, shuffled,
                  timed after a warm-up pass of 20 batches (torch's first
                  optimizer steps carry its one-time set-up).

Prints one JSON object.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lesson_data import data_folder, read_idx  # noqa: E402
from timing import best_seconds  # noqa: E402


def convolution(shape):
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(shape["batch"], shape["in"], shape["size"], shape["size"], generator=generator)
    weight = torch.rand(shape["out"], shape["in"], shape["kernel"], shape["kernel"], generator=generator)
    stride, padding = shape["stride"], shape["padding"]
    upstream = torch.rand(F.conv2d(x, weight, stride=stride, padding=padding).shape, generator=generator)

    def forward():
        with torch.no_grad():
            F.conv2d(x, weight, stride=stride, padding=padding)

    xg = x.clone().requires_grad_(shape["input_grad"])
    wg = weight.clone().requires_grad_()

    def forward_backward():
        F.conv2d(xg, wg, stride=stride, padding=padding).backward(upstream)
        wg.grad = None
        xg.grad = None

    return {"forward_seconds": best_seconds(forward), "forward_backward_seconds": best_seconds(forward_backward)}


def cnn_model():
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))


def cnn_pass(batches, batch_size):
    folder = data_folder()
    images = read_idx(os.path.join(folder, "train-images.idx3-ubyte"), 16, (28, 28)).astype(np.float32) / 255
    labels = torch.from_numpy(read_idx(os.path.join(folder, "train-labels.idx1-ubyte"), 8, ()).astype(np.int64))
    x = torch.from_numpy(images)
    x = ((x - x.mean()) / x.std()).unsqueeze(1)
    torch.manual_seed(0)
    model = cnn_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    total = (len(x) + batch_size - 1) // batch_size
    batches = total if batches == 0 else min(batches, total)

    def run(count):
        order = torch.randperm(len(x))
        model.train()
        for b in range(count):
            rows = order[b * batch_size:(b + 1) * batch_size]
            loss = F.cross_entropy(model(x[rows]), labels[rows])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    run(20)
    start = time.perf_counter()
    loss = run(batches)
    return {"batches": batches, "batch_size": batch_size, "seconds": time.perf_counter() - start, "last_loss": loss}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shapes", default="[]")
    parser.add_argument("--cnn-batches", type=int, default=-1, help="batches of the CNN pass; -1 skips it, 0 is a whole epoch")
    parser.add_argument("--batch-size", type=int, default=128)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    result = {"torch_version": torch.__version__, "threads": arguments.threads,
              "convolutions": [convolution(shape) for shape in json.loads(arguments.shapes)]}
    if arguments.cnn_batches >= 0:
        result["cnn"] = cnn_pass(arguments.cnn_batches, arguments.batch_size)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
