#!/usr/bin/env bash
# Runtime benchmark: `run` of a busybox /bin/true bundle, the pause+resume round trip
# and `exec /bin/true` into a running container, for warmlane ($WARMLANE),
# runc and crun, each with a private --root.  Prints median/p90 (run) or median/p99
# (pause, exec) and ratios.
#
#   WARMLANE=/path/to/warmlane scripts/bench-runtime.sh [--iterations N] [--pause-iterations N] [--exec-iterations N] [--rounds R]
#
# A runtime that is missing is skipped with a note.  Must run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-runtime.sh: must run as root (it creates containers)" >&2; exit 1; }
command -v busybox >/dev/null || { echo "bench-runtime.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
exec python3 scripts/bench/bench.py "$@"
