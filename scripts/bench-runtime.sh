#!/usr/bin/env bash
# Runtime benchmark: `run` of a busybox /bin/true bundle for warmlane ($WARMLANE),
# runc and crun, each with a private --root.  Prints median/p90 and ratios.
#
#   WARMLANE=/path/to/warmlane scripts/bench-runtime.sh [--iterations N] [--rounds R]
#
# A runtime that is missing is skipped with a note.  Must run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-runtime.sh: must run as root (it creates containers)" >&2; exit 1; }
command -v busybox >/dev/null || { echo "bench-runtime.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
exec python3 scripts/bench/bench.py "$@"
