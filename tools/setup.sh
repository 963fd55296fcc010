#!/usr/bin/env bash
# Installs what Sprout needs on Debian 12 (idempotent: installs only what is missing).
#   tools/setup.sh           build + test dependencies
#   tools/setup.sh --dev     also Python reference tooling (goldens, tiny models) and peers
set -euo pipefail
pkgs=(build-essential cmake pkg-config ccache
      libxsimd-dev libsentencepiece-dev libfasttext-dev nlohmann-json3-dev
      libutf8proc-dev libpcre2-dev libgtest-dev libgmock-dev libbenchmark-dev
      g++-aarch64-linux-gnu qemu-user clang-14 libclang-rt-14-dev libomp-14-dev)
if [[ "${1:-}" == "--dev" ]]; then
  pkgs+=(python3-torch python3-numpy python3-sklearn python3-sentencepiece sentencepiece fasttext nodejs npm hyperfine)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
