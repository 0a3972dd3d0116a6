#!/usr/bin/env bash
# Builds each example workflow (bundles/<name>) into an OCI bundle at out/bundles/<name>/:
#   config.json   OCI runtime-spec config (runc-compatible): one process, /app/<name>
#   rootfs/       /app/<name> (static binary), /app/workflow.json, model files, and the
#                 directories the process needs (/proc /dev /tmp /run/warmlane).
# The process serves the OpenWhisk protocol on /run/warmlane/invoke.sock; from the host
# it is reachable as /proc/<pid>/root/run/warmlane/invoke.sock.
# Env: BUNDLES="hello finra ..." (default: all), SWIFT, SCRATCH (a --scratch-path), OUT (default out/bundles).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
OUT=${OUT:-out/bundles}
BUNDLES=${BUNDLES:-"hello finra image-pipeline phi-pipeline"}
flags=(-c release -Xswiftc -static-executable)
[ -n "${SCRATCH:-}" ] && flags+=(--scratch-path "$SCRATCH")

for name in $BUNDLES; do
  echo "==> building $name (static)"
  timeout 3600 "$SWIFT" build "${flags[@]}" --product "$name"
done
bindir=$(timeout 600 "$SWIFT" build "${flags[@]}" --show-bin-path)

for name in $BUNDLES; do
  src=bundles/$name
  dst=$OUT/$name
  rm -rf "$dst"
  mkdir -p "$dst/rootfs/app" "$dst/rootfs/proc" "$dst/rootfs/dev" "$dst/rootfs/sys" "$dst/rootfs/tmp" "$dst/rootfs/run/warmlane" "$dst/rootfs/etc"
  chmod 1777 "$dst/rootfs/tmp"
  install -m 0755 "$bindir/$name" "$dst/rootfs/app/$name"
  install -m 0644 "$src/workflow.json" "$dst/rootfs/app/workflow.json"
  if [ -d "$src/model" ]; then
    find "$src/model" -maxdepth 1 -type f ! -name '*.py' -exec install -m 0644 {} "$dst/rootfs/app/" \;
  fi
  echo "root:x:0:0:root:/tmp:/app/$name" > "$dst/rootfs/etc/passwd"
  echo "root:x:0:" > "$dst/rootfs/etc/group"
  python3 - "$dst/config.json" "$name" <<'PY'
import json, sys
path, name = sys.argv[1], sys.argv[2]
caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
config = {
    "ociVersion": "1.0.2",
    "process": {
        "terminal": False,
        "user": {"uid": 0, "gid": 0},
        "args": [f"/app/{name}"],
        "env": ["PATH=/app", "HOME=/tmp", "WARMLANE_SOCKET=/run/warmlane/invoke.sock"],
        "cwd": "/",
        "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
        "noNewPrivileges": True,
    },
    "root": {"path": "rootfs", "readonly": False},
    "hostname": name,
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777", "size=262144k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    ],
    "linux": {
        "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")],
        "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
}
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
  echo "==> $dst ($(du -sh "$dst/rootfs" | cut -f1))"
done
