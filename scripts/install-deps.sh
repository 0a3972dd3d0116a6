#!/usr/bin/env bash
# Debian 12 packages that building, testing, benchmarking and the demo need.
# Idempotent: installs only what is missing. Engine and QEMU suites install their
# own extra packages (scripts/test-engines.sh, Tests/QEMU/run-guest-tests.sh).
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "install-deps.sh: run as root (apt-get)" >&2; exit 1; }
pkgs=(runc crun busybox-static libseccomp-dev libcap-dev hyperfine gcc make curl python3 python3-pip
      python3-yaml librsvg2-bin util-linux iproute2)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -c 'import pytest' 2>/dev/null || python3 -m pip install -q pytest
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml
python3 -c 'import moto' 2>/dev/null || python3 -m pip install -q 'moto[stepfunctions]'
command -v swift >/dev/null || { echo "install-deps.sh: Swift 6 toolchain not on PATH (expected at /opt/swift)" >&2; exit 1; }
