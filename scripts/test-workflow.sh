#!/usr/bin/env bash
# Workflow host checks beyond `swift test`:
#   1. moto differential tests (Tests/WorkflowDiff/test_moto_diff.py) against a Swift app binary
#   2. end-to-end tests of every example bundle through an OCI runtime (default runc) and the socket
# Env: RUNTIME (default runc), WORKFLOW_BIN (default out/bundles/hello/rootfs/app/hello),
#      WORKFLOW_DIFF_CASES (default 250), SKIP_BUILD=1 to reuse out/bundles.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUNTIME=${RUNTIME:-runc}
if [ "${SKIP_BUILD:-0}" != 1 ]; then bash scripts/build-bundles.sh; fi
export WORKFLOW_BIN=${WORKFLOW_BIN:-$PWD/out/bundles/hello/rootfs/app/hello}
timeout 1800 python3 -m pytest -q -p no:logging -s Tests/WorkflowDiff/test_moto_diff.py
timeout 1800 python3 -m pytest -q -p no:logging -s Tests/WorkflowDiff/test_bundles_e2e.py
