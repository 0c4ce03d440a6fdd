#!/usr/bin/env python3
"""The fastai book's chapter 4 recipe in plain PyTorch, on the same data as `nabla lesson`.

Data: the 3s and 7s of MNIST, the four IDX files that scripts/setup.sh installs
in mnist/ of $NABLA_DATA, else $XDG_CACHE_HOME/nabla, else ~/.cache/nabla. Split
as the book's MNIST_SAMPLE and Nabla's lesson split it: MNIST's training set
trains (6,131 3s, 6,265 7s), its test set validates (1,010 3s, 1,028 7s); 3 is
the positive class (target 1).

Stages, as in the book and in `nabla lesson`:
  similarity  mean 3 and mean 7 of the training images; a validation image is a 3
              when its mean absolute distance to the mean 3 is the smaller one.
  linear      x@w + b, w and b from randn, mnist_loss, plain SGD (p -= lr*grad),
              lr 1, 20 epochs, batch 256.
  mlp         Linear(784, 30) -> ReLU -> Linear(30, 1), torch.optim.SGD lr 0.1,
              40 epochs, batch 256.
Each epoch shuffles the training set, steps through it in batches, then
computes the validation loss and accuracy, as Nabla's Learner does. Batches
are taken by indexing the stored tensors, the fast way to write this in
PyTorch (a torch DataLoader collating single items would be slower).

With --warm-up, each model is first trained once untimed, so that the stage
times show PyTorch's steady state rather than its one-time initialisation
(the first optimizer step alone takes over a second here); the whole-lesson
time is measured without it.

Prints one JSON object: seconds per stage, accuracies, threads, peak RSS (VmHWM).
"""
import argparse
import json
import os
import sys
import time

START = time.perf_counter()
import torch  # noqa: E402
IMPORT_SECONDS = time.perf_counter() - START

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lesson_data import (BATCH_SIZE, LINEAR_EPOCHS, LINEAR_LR, NET_EPOCHS, NET_LR, chosen_classes,  # noqa: E402
                         data_folder, stacked, training_entries, two_class_images)
from timing import timed  # noqa: E402


def load(folder, positive, negative):
    """(train_x [N,784], train_y [N,1]), (valid_x, valid_y), and each part's images of each class."""
    arrays = two_class_images(folder, positive, negative)
    parts = {name: [torch.from_numpy(images) for images in arrays[name]] for name in arrays}

    def tensors(index):
        x, y = stacked(arrays, index)
        return torch.from_numpy(x), torch.from_numpy(y)

    return tensors(0), tensors(1), parts


def mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()


def similarity(parts):
    mean_pos = parts["pos"][0].mean(0)
    mean_neg = parts["neg"][0].mean(0)

    def distance(a, b):
        return (a - b).abs().mean((-1, -2))

    def is_positive(x):
        return distance(x, mean_pos) < distance(x, mean_neg)

    right_pos = is_positive(parts["pos"][1]).sum().item()
    right_neg = (~is_positive(parts["neg"][1])).sum().item()
    count_pos, count_neg = len(parts["pos"][1]), len(parts["neg"][1])
    return {"accuracy": (right_pos + right_neg) / (count_pos + count_neg),
            "accuracy_positive": right_pos / count_pos, "accuracy_negative": right_neg / count_neg}


def fit(model, step, train, valid, epochs, batch_size, generator):
    train_x, train_y = train
    valid_x, valid_y = valid
    accuracy, valid_loss = float("nan"), float("nan")
    for _ in range(epochs):
        order = torch.randperm(len(train_x), generator=generator)
        for start in range(0, len(train_x), batch_size):
            rows = order[start:start + batch_size]
            loss = mnist_loss(model(train_x[rows]), train_y[rows])
            loss.backward()
            step()
        with torch.no_grad():
            correct, loss_sum = 0.0, 0.0
            for start in range(0, len(valid_x), batch_size):
                predictions = model(valid_x[start:start + batch_size])
                targets = valid_y[start:start + batch_size]
                loss_sum += mnist_loss(predictions, targets).item() * len(targets)
                correct += ((predictions.sigmoid() > 0.5).float() == targets).sum().item()
            accuracy, valid_loss = correct / len(valid_x), loss_sum / len(valid_x)
    return {"accuracy": accuracy, "valid_loss": valid_loss}


def linear_model(train, valid, epochs, lr, batch_size, seed):
    generator = torch.Generator().manual_seed(seed)
    weights = torch.randn(28 * 28, 1, generator=generator).requires_grad_()
    bias = torch.randn(1, generator=generator).requires_grad_()

    def step():
        with torch.no_grad():
            for p in (weights, bias):
                p -= p.grad * lr
                p.grad.zero_()

    return fit(lambda x: x @ weights + bias, step, train, valid, epochs, batch_size, generator)


def net(train, valid, epochs, lr, batch_size, seed):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(28 * 28, 30), torch.nn.ReLU(), torch.nn.Linear(30, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def step():
        optimizer.step()
        optimizer.zero_grad()

    return fit(model, step, train, valid, epochs, batch_size, generator)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--data", default=data_folder(), help="the folder of MNIST's IDX files (default: where setup.sh puts them)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--classes", default="3,7", help="positive,negative digits (default 3,7)")
    parser.add_argument("--warm-up", action="store_true", help="train each model once untimed before the timed lesson")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    positive, negative = chosen_classes(parser, arguments.classes)

    (train, valid, parts), load_seconds = timed(load, arguments.data, positive, negative)
    linear_recipe = (LINEAR_EPOCHS, LINEAR_LR, BATCH_SIZE, arguments.seed)
    net_recipe = (NET_EPOCHS, NET_LR, BATCH_SIZE, arguments.seed)
    if arguments.warm_up:
        linear_model(train, valid, *linear_recipe)
        net(train, valid, *net_recipe)
    similarity_report, similarity_seconds = timed(similarity, parts)
    linear_report, linear_seconds = timed(linear_model, train, valid, *linear_recipe)
    net_report, net_seconds = timed(net, train, valid, *net_recipe)
    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "warm_up": arguments.warm_up,
        "train_images": len(train[0]),
        "valid_images": len(valid[0]),
        "import_seconds": IMPORT_SECONDS,
        "load_seconds": load_seconds,
        "similarity": {**similarity_report, "seconds": similarity_seconds},
        **training_entries(linear_report, linear_seconds, net_report, net_seconds, START),
    }))


if __name__ == "__main__":
    main()
