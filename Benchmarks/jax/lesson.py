#!/usr/bin/env python3
"""The fastai book's chapter 4 models in JAX, each training step one `jax.jit` call, on the same data as `nabla lesson`.

The same recipe as pytorch/lesson.py (3s against 7s of MNIST, MNIST's training
set trains and its test set validates; the linear model x@w + b from randn with
mnist_loss and p -= lr*grad, lr 1, 20 epochs; the net Linear(784, 30) -> ReLU ->
Linear(30, 1) with PyTorch's default initialisation, SGD lr 0.1, 40 epochs;
batch 256, the training set shuffled each epoch, then the validation loss and
accuracy). Each training step is one jitted function that takes the whole
training set and the batch's row indices, so the gather, the forward pass, the
gradient and the update are one XLA program; validation is one jitted function
per batch. Each model is trained once untimed first, so its times are the
steady state with every shape compiled.

Like the other peer, one core: XLA's intra-op threads off
(XLA_FLAGS=--xla_cpu_multi_thread_eigen=false, set before jax is imported) and
the process pinned to one CPU (--cpu, default the last one it may run on).
Prints one JSON object like pytorch/lesson.py's.
"""
import argparse
import json
import os
import sys
import time

START = time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)), help="the CPU to pin to (default: the last allowed)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--classes", default="3,7", help="positive,negative digits (default 3,7)")
    arguments = parser.parse_args()
    os.sched_setaffinity(0, {arguments.cpu})
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")

    import jax
    import jax.numpy as jnp
    import numpy as np
    import_seconds = time.perf_counter() - START

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from lesson_data import (BATCH_SIZE, LINEAR_EPOCHS, LINEAR_LR, NET_EPOCHS, NET_LR, chosen_classes,
                             data_folder, stacked, training_entries, two_class_images)
    from timing import timed

    positive, negative = chosen_classes(parser, arguments.classes)
    parts = two_class_images(data_folder(), positive, negative)
    train_x, train_y = (jnp.asarray(a) for a in stacked(parts, 0))
    valid_x, valid_y = (jnp.asarray(a) for a in stacked(parts, 1))
    batch_size = BATCH_SIZE

    def mnist_loss(predictions, targets):
        predictions = jax.nn.sigmoid(predictions)
        return jnp.where(targets == 1, 1 - predictions, predictions).mean()

    def make_step(forward, lr):
        def loss(params, rows):
            return mnist_loss(forward(params, train_x[rows]), train_y[rows])

        @jax.jit
        def step(params, rows):
            grads = jax.grad(loss)(params, rows)
            return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
        return step

    def make_validation(forward):
        @jax.jit
        def validate(params, x, y):
            predictions = forward(params, x)
            return mnist_loss(predictions, y) * len(y), ((jax.nn.sigmoid(predictions) > 0.5) == (y == 1)).sum()
        return validate

    def fit(forward, params, lr, epochs, seed):
        step, validate = make_step(forward, lr), make_validation(forward)
        order_generator = np.random.default_rng(seed)
        for _ in range(epochs):
            order = order_generator.permutation(len(train_x)).astype(np.int32)
            for start in range(0, len(order), batch_size):
                params = step(params, order[start:start + batch_size])
            loss_sum, correct = 0.0, 0
            for start in range(0, len(valid_x), batch_size):
                batch_loss, batch_correct = validate(params, valid_x[start:start + batch_size], valid_y[start:start + batch_size])
                loss_sum += float(batch_loss)
                correct += int(batch_correct)
        jax.block_until_ready(params)
        return {"accuracy": correct / len(valid_x), "valid_loss": loss_sum / len(valid_x)}

    def linear(params, x):
        return x @ params["w"] + params["b"]

    def net(params, x):
        return jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]

    def linear_params(seed):
        kw, kb = jax.random.split(jax.random.PRNGKey(seed))
        return {"w": jax.random.normal(kw, (784, 1)), "b": jax.random.normal(kb, (1,))}

    def net_params(seed):
        # PyTorch's nn.Linear default: uniform in ±1/sqrt(fan_in) for weights and biases.
        keys = jax.random.split(jax.random.PRNGKey(seed), 4)
        def uniform(key, shape, fan_in):
            bound = 1 / np.sqrt(fan_in)
            return jax.random.uniform(key, shape, minval=-bound, maxval=bound)
        return {"w1": uniform(keys[0], (784, 30), 784), "b1": uniform(keys[1], (30,), 784),
                "w2": uniform(keys[2], (30, 1), 30), "b2": uniform(keys[3], (1,), 30)}

    # The untimed warm-up: every shape compiled (full batches, the last short one, validation).
    fit(linear, linear_params(arguments.seed), LINEAR_LR, 1, arguments.seed)
    fit(net, net_params(arguments.seed), NET_LR, 1, arguments.seed)
    linear_report, linear_seconds = timed(fit, linear, linear_params(arguments.seed), LINEAR_LR, LINEAR_EPOCHS, arguments.seed)
    net_report, net_seconds = timed(fit, net, net_params(arguments.seed), NET_LR, NET_EPOCHS, arguments.seed)
    print(json.dumps({
        "jax_version": jax.__version__,
        "threads": 1,
        "cpu": arguments.cpu,
        "train_images": int(len(train_x)),
        "valid_images": int(len(valid_x)),
        "import_seconds": import_seconds,
        **training_entries(linear_report, linear_seconds, net_report, net_seconds, START),
    }))


if __name__ == "__main__":
    main()
