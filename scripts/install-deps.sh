#!/usr/bin/env bash
# Debian 12 packages that building, testing, benchmarking and the demo need.
# Idempotent: only installs what is missing.
set -euo pipefail
pkgs=(runc crun busybox-static libseccomp-dev libcap-dev hyperfine gcc make python3 python3-pip)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
python3 -c 'import pytest' 2>/dev/null || python3 -m pip install -q pytest
