#!/usr/bin/env bash
# Runs the OCI runtime integration suite (Tests/IntegrationTests, pytest).
#
#   WARMLANE=/path/to/warmlane scripts/test-integration.sh [pytest args...]
#
# Runs every test against warmlane=$WARMLANE and runc=$(command -v runc).
# Without $WARMLANE it runs against runc only (that validates the tests, not
# warmlane) and says so loudly.  Must run as root.  Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "test-integration.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root: the suite creates containers, mounts and namespaces (try: sudo -E $0)"
command -v python3 >/dev/null || die "python3 not found"
python3 -c 'import pytest' 2>/dev/null || die "pytest is not installed (make deps)"
command -v gcc >/dev/null || die "gcc not found (the probe is built with gcc -static)"
command -v busybox >/dev/null || die "busybox not found (apt-get install busybox-static)"
runc=$(command -v runc) || die "runc not found (apt-get install runc)"

if [ -n "${WARMLANE:-}" ]; then
    [ -x "$WARMLANE" ] || die "WARMLANE=$WARMLANE is not an executable file"
    WARMLANE_RUNTIMES="warmlane=$(realpath "$WARMLANE"),runc=$runc"
else
    cat >&2 <<'MSG'
###########################################################################
#  WARMLANE is not set: running the integration suite against runc ONLY.  #
#  This checks the tests themselves, NOT warmlane.                         #
#  Set WARMLANE=/path/to/warmlane (make test-integration does) to test it. #
###########################################################################
MSG
    WARMLANE_RUNTIMES="runc=$runc"
fi
export WARMLANE_RUNTIMES
echo "runtimes: $WARMLANE_RUNTIMES" >&2
exec python3 -m pytest Tests/IntegrationTests "$@"
