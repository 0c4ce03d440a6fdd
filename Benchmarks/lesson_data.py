"""The lesson's data for the Python peers (pytorch/lesson.py, jax/lesson.py,
pytorch/convolution.py): MNIST's IDX files where scripts/setup.sh installs them,
and the two-class split `nabla lesson` uses, as NumPy arrays; and, for the two
lesson peers, the book's recipe and the JSON entries they both print."""

import os
import sys
import time

import numpy as np

# The recipe, as `nabla lesson` runs it: the linear model 20 epochs at lr 1, the net
# 40 epochs at lr 0.1, batches of 256.
LINEAR_EPOCHS, LINEAR_LR = 20, 1.0
NET_EPOCHS, NET_LR = 40, 0.1
BATCH_SIZE = 256

IDX_FILES = {"train": ("train-images.idx3-ubyte", "train-labels.idx1-ubyte"),
             "valid": ("t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte")}


def data_folder():
    folder = os.environ.get("NABLA_DATA")
    if not folder:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(cache, "nabla")
    return os.path.join(folder, "mnist")


def read_idx(path, header_bytes, shape):
    if not os.path.isfile(path):
        sys.exit(f"{os.path.basename(sys.argv[0])}: {path} is missing: MNIST is not installed; run scripts/setup.sh (or pass --data)")
    data = np.fromfile(path, dtype=np.uint8)
    count = int.from_bytes(data[4:8].tobytes(), "big")
    if len(data) != header_bytes + count * int(np.prod(shape)):
        sys.exit(f"{os.path.basename(sys.argv[0])}: {path} holds {len(data)} bytes, not the {count} items its header announces")
    return data[header_bytes:].reshape((count, *shape))


def two_class_images(folder, positive, negative):
    """{"pos": [train, valid], "neg": [train, valid]}: float32 [N, 28, 28] images in [0, 1] of each digit.
    MNIST's training set trains, its test set validates; `positive` is the class with target 1."""
    parts = {"pos": [], "neg": []}
    for split in ("train", "valid"):
        images_file, labels_file = (os.path.join(folder, name) for name in IDX_FILES[split])
        pixels = read_idx(images_file, 16, (28, 28)).astype(np.float32) / 255
        labels = read_idx(labels_file, 8, ())
        for name, digit in (("pos", positive), ("neg", negative)):
            images = pixels[labels == digit].copy()
            if len(images) == 0:
                sys.exit(f"{os.path.basename(sys.argv[0])}: {images_file} holds no image of digit {digit}")
            parts[name].append(images)
    return parts


def stacked(parts, index):
    """(x [N, 784], y [N, 1]) of part `index` (0 train, 1 valid): the positives first, target 1."""
    pos, neg = parts["pos"][index], parts["neg"][index]
    x = np.concatenate([pos, neg]).reshape(-1, 28 * 28)
    y = np.array([1.0] * len(pos) + [0.0] * len(neg), dtype=np.float32)[:, None]
    return x, y


def peak_rss_mib():
    """VmHWM of this process; ru_maxrss would include the parent's RSS carried across exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def chosen_classes(parser, text):
    """(positive, negative) digits from a --classes value such as "3,7", else the parser's usage error."""
    try:
        positive, negative = (int(c) for c in text.split(","))
    except ValueError:
        parser.error(f"--classes takes two digits separated by a comma, such as 3,7; got {text!r}")
    return positive, negative


def training_entries(linear_report, linear_seconds, net_report, net_seconds, start):
    """The entries both lesson peers end their JSON with: each model's report and training
    time, then the seconds since `start` (the process's start) and the peak RSS."""
    return {
        "linear": {**linear_report, "train_seconds": linear_seconds, "epochs": LINEAR_EPOCHS},
        "mlp": {**net_report, "train_seconds": net_seconds, "epochs": NET_EPOCHS},
        "seconds": time.perf_counter() - start,
        "peak_rss_mib": peak_rss_mib(),
    }
