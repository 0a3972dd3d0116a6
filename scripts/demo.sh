#!/usr/bin/env bash
# The main job: a workflow container through warmlane. Builds the example bundles,
# starts the `finra` workflow (an audit fan-out of Parallel rules in one Swift process)
# with `warmlane run -d`, and invokes it over the OpenWhisk protocol on its Unix socket:
# one cold request, then warm ones. Everything it starts is deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${WARMLANE:-.build/release/warmlane}
BUNDLE=${BUNDLE:-finra}
root=$(mktemp -d /tmp/warmlane-demo.XXXXXX)
id="demo-$BUNDLE-$$"
cleanup() { "$W" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$root"; }
trap cleanup EXIT

[ -f "out/bundles/$BUNDLE/config.json" ] || { echo "demo: out/bundles/$BUNDLE missing (make bundles)" >&2; exit 1; }
ms() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.1f} ms')" "$1" "$2"; }

echo "== warmlane $("$W" --version | head -1)"
t0=$(date +%s.%N)
"$W" --root "$root" run --detach --bundle "out/bundles/$BUNDLE" "$id"
tc=$(date +%s.%N)
pid=$("$W" --root "$root" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
sock="/proc/$pid/root/run/warmlane/invoke.sock"
for _ in $(seq 500); do [ -S "$sock" ] && break; sleep 0.01; done
[ -S "$sock" ] || { echo "demo: the workflow host did not open $sock" >&2; exit 1; }
ts=$(date +%s.%N)
input=$(cat "bundles/$BUNDLE/sample-input.json")
invoke() { curl -sS --fail-with-body --unix-socket "$sock" -H 'Content-Type: application/json' \
                -d "{\"value\": $input}" http://localhost/run; }
out=$(invoke)
t1=$(date +%s.%N)
echo "== cold start: container $(ms "$t0" "$tc"), socket up after $(ms "$t0" "$ts"), first reply after $(ms "$t0" "$t1")"
python3 -c 'import json, sys; t = json.dumps(json.loads(sys.argv[1]), indent=2); print(t[:1500] + ("\n  ..." if len(t) > 1500 else ""))' "$out"
if [ -f "bundles/$BUNDLE/expected-output.json" ]; then
  python3 - "$out" "bundles/$BUNDLE/expected-output.json" <<'PY'
import json, sys
got, want = json.loads(sys.argv[1]), json.load(open(sys.argv[2]))
print("== output matches expected-output.json" if got == want else "== OUTPUT DIFFERS from expected-output.json")
sys.exit(0 if got == want else 1)
PY
fi
# Warm requests from one client over one keep-alive connection (curl's own start-up
# would dominate the numbers).
python3 - "$sock" "bundles/$BUNDLE/sample-input.json" <<'PY'
import http.client, json, socket, sys, time
class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path): super().__init__("localhost"); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(self.path)
body = json.dumps({"value": json.load(open(sys.argv[2]))})
c = UnixHTTP(sys.argv[1]); times = []
for _ in range(50):
    t = time.perf_counter()
    c.request("POST", "/run", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    times.append((time.perf_counter() - t) * 1000)
    assert r.status == 200, r.status
times.sort()
print(f"== warm invocations (50, one connection): median {times[25]:.2f} ms, p90 {times[45]:.2f} ms")
PY
echo "== processes in the container (warmlane ps):"
"$W" --root "$root" ps "$id"
"$W" --root "$root" list
