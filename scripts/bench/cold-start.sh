#!/usr/bin/env bash
# Cold `run` latency: each run comes after a quiet second, so the kernel's cgroup locks are
# cold, as for the first request after an idle spell. Alternates two warmlane binaries (A and
# B) so host drift hits both; then the median of 30 back-to-back ("hot") runs of each.
#
#   scripts/bench/cold-start.sh WARMLANE_A WARMLANE_B BUNDLE [ROUNDS]
#
# BUNDLE's process should exit at once (a /bin/true bundle). Must run as root.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 WARMLANE_A WARMLANE_B BUNDLE [ROUNDS]" >&2; exit 2; }
A=$1 B=$2 BUNDLE=$3 ROUNDS=${4:-12}
ROOT=$(mktemp -d /tmp/warmlane-cold-XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
echo "kernel $(uname -r), /sys/fs/cgroup is $(stat -fc %T /sys/fs/cgroup), $(nproc) cpus"
one() { local s e; s=$(date +%s%N); "$1" --root "$ROOT" run -b "$BUNDLE" "$2" 2>/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ca=() cb=()
for i in $(seq 1 "$ROUNDS"); do
    sleep 1; ca+=("$(one "$A" "a$i")")
    sleep 1; cb+=("$(one "$B" "b$i")")
done
echo "cold A (us): ${ca[*]}  median $(printf '%s\n' "${ca[@]}" | median)"
echo "cold B (us): ${cb[*]}  median $(printf '%s\n' "${cb[@]}" | median)"
for x in A B; do
    bin=$A; [ $x = B ] && bin=$B
    echo "hot $x (us): median $(for i in $(seq 1 30); do one "$bin" "h$x$i"; done | median) of 30"
done
