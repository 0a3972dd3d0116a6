#!/usr/bin/env bash
# The main job: a workflow container through warmlane. Builds nothing itself (make demo
# builds the runtime and the bundles first), starts the `finra` workflow (an audit fan-out
# of Parallel rules in one Swift process) with `warmlane run -d`, and invokes it over the
# OpenWhisk protocol on its Unix socket: one cold request, then warm ones on one connection.
# Everything it starts is deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${WARMLANE:-.build/release/warmlane}
BUNDLE=${BUNDLE:-finra}
[ -f "out/bundles/$BUNDLE/config.json" ] || { echo "demo: out/bundles/$BUNDLE missing (make bundles)" >&2; exit 1; }
root=$(mktemp -d /tmp/warmlane-demo.XXXXXX)
id="demo-$BUNDLE-$$"
cleanup() { "$W" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$root"; }
trap cleanup EXIT

echo "== $("$W" --version | head -1)"
python3 - "$W" "$root" "$id" "$BUNDLE" <<'PY'
import http.client, json, os, socket, subprocess, sys, time
warmlane, root, cid, bundle = sys.argv[1:5]

class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path): super().__init__("localhost", timeout=30); self.unix_path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(self.unix_path)

def ms(a, b): return f"{(b - a) * 1000:.1f} ms"
body = json.dumps({"value": json.load(open(f"bundles/{bundle}/sample-input.json"))})

t0 = time.perf_counter()
subprocess.run([warmlane, "--root", root, "run", "--detach", "--bundle", f"out/bundles/{bundle}", cid], check=True)
t_run = time.perf_counter()
pid = json.loads(subprocess.run([warmlane, "--root", root, "state", cid], check=True, capture_output=True).stdout)["pid"]
sock = f"/proc/{pid}/root/run/warmlane/invoke.sock"
while not os.path.exists(sock):
    if time.perf_counter() - t0 > 10: sys.exit(f"demo: the workflow host did not open {sock}")
    time.sleep(0.0005)
t_sock = time.perf_counter()
conn = UnixHTTP(sock)
conn.request("POST", "/run", body, {"Content-Type": "application/json"})
r = conn.getresponse(); out = json.loads(r.read())
t_reply = time.perf_counter()
assert r.status == 200, (r.status, out)
print(f"== cold start: `warmlane run -d` {ms(t0, t_run)}, socket up at {ms(t0, t_sock)}, first reply at {ms(t0, t_reply)}")
text = json.dumps(out, indent=2)
print(text[:1200] + ("\n  ..." if len(text) > 1200 else ""))
expected = f"bundles/{bundle}/expected-output.json"
if os.path.exists(expected):
    same = out == json.load(open(expected))
    print("== output matches expected-output.json" if same else "== OUTPUT DIFFERS from expected-output.json")
    if not same: sys.exit(1)
times = []
for _ in range(50):
    t = time.perf_counter()
    conn.request("POST", "/run", body, {"Content-Type": "application/json"})
    r = conn.getresponse(); r.read()
    assert r.status == 200, r.status
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"== warm invocations (50 on one connection): median {times[25]:.2f} ms, p90 {times[45]:.2f} ms")
PY
echo "== processes in the container (warmlane ps): one process, its functions run as threads"
"$W" --root "$root" ps "$id"
"$W" --root "$root" list
