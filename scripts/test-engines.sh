#!/usr/bin/env bash
# Runs the container-engine suite (Tests/EngineTests, pytest): podman,
# containerd/ctr, dockerd and the Kubernetes RuntimeClass manifest, each
# started privately and driving the OCI runtime(s) under test.
#
#   WARMLANE=/path/to/warmlane scripts/test-engines.sh [pytest args...]
#   ENGINE_RUNTIMES=name=path,... scripts/test-engines.sh
#
# Installs the engine packages with apt when missing (idempotent).  Without
# WARMLANE/ENGINE_RUNTIMES it tests runc only (that validates the tests, not
# warmlane) and says so loudly.  Must run as root.  Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "test-engines.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root: the suite starts containerd, dockerd and podman (try: sudo -E $0)"

# Engine packages (Debian 12): docker.io pulls containerd and runc.
pkgs=(runc containerd docker.io podman conmon busybox-static)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "test-engines.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" ||
        { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } ||
        die "apt-get install ${missing[*]} failed"
fi

command -v python3 >/dev/null || die "python3 not found"
python3 -c 'import pytest, yaml' 2>/dev/null || die "python3 needs pytest and PyYAML (make deps)"
runc=$(command -v runc) || die "runc not found"

if [ -z "${ENGINE_RUNTIMES:-}" ]; then
    if [ -n "${WARMLANE:-}" ]; then
        [ -x "$WARMLANE" ] || die "WARMLANE=$WARMLANE is not an executable file"
        ENGINE_RUNTIMES="runc=$runc,warmlane=$(realpath "$WARMLANE")"
    else
        cat >&2 <<'MSG'
###########################################################################
#  WARMLANE is not set: running the engine suite against runc ONLY.       #
#  This checks the tests themselves, NOT warmlane.                         #
#  Set WARMLANE=/path/to/warmlane to test it.                              #
###########################################################################
MSG
        ENGINE_RUNTIMES="runc=$runc"
    fi
fi
export ENGINE_RUNTIMES
echo "engine runtimes: $ENGINE_RUNTIMES" >&2
exec python3 -m pytest Tests/EngineTests "$@"
