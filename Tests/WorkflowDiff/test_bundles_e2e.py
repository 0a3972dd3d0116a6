"""End-to-end tests of the example bundles through an OCI runtime and the invoke socket.

For each bundle in out/bundles (build with `make bundles`): start it with
`$RUNTIME --root <tmp> run -d -b out/bundles/<name> <id>`, find the container's pid with
`state`, talk HTTP/1.1 to /proc/<pid>/root/run/warmlane/invoke.sock, and check:
  * /init, then many sequential /run requests return expected-output.json;
  * 24 concurrent /run requests to the same container all return the expected output;
  * `$RUNTIME ps` lists exactly one process, also while Parallel/Map states run;
  * the binary answers `--once` inside the rootfs (chroot + its own /proc).
Also records cold (container start -> first reply) and warm latency per bundle.
RUNTIME defaults to runc (warmlane is runc-compatible); needs root.
"""
import concurrent.futures
import http.client
import json
import os
import socket
import statistics
import subprocess
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
RUNTIME = os.environ.get("RUNTIME", "runc")
OUT = os.environ.get("BUNDLES_OUT", os.path.join(REPO, "out", "bundles"))
NAMES = ["hello", "finra", "image-pipeline", "phi-pipeline"]
SEQUENTIAL = int(os.environ.get("E2E_SEQUENTIAL", "30"))
CONCURRENT = int(os.environ.get("E2E_CONCURRENT", "24"))
LATENCY = {}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="containers need root")


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s


def post(sock, path, body, conn=None):
    c = conn or UnixHTTPConnection(sock)
    data = json.dumps(body).encode()
    c.request("POST", path, body=data, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    payload = r.read()
    if conn is None:
        c.close()
    return r.status, json.loads(payload)


def rt(root, *args, timeout=30, **kw):
    return subprocess.run([RUNTIME, "--root", root, *args], timeout=timeout, capture_output=True, text=True, **kw)


class Container:
    def __init__(self, name):
        self.name = name
        self.bundle = os.path.join(OUT, name)
        self.root = "/tmp/warmlane-e2e-state-%d" % os.getpid()
        self.id = "wl-e2e-%s-%s" % (name, uuid.uuid4().hex[:8])
        self.log = open("/tmp/%s.log" % self.id, "w")

    def start(self):
        t0 = time.perf_counter()
        p = subprocess.run([RUNTIME, "--root", self.root, "run", "-d", "-b", self.bundle, self.id],
                           stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, timeout=60)
        assert p.returncode == 0, open(self.log.name).read()
        state = json.loads(rt(self.root, "state", self.id).stdout)
        self.pid = state["pid"]
        self.sock = "/proc/%d/root/run/warmlane/invoke.sock" % self.pid
        deadline = time.time() + 20
        while not os.path.exists(self.sock):
            assert time.time() < deadline, "socket never appeared: " + open(self.log.name).read()
            time.sleep(0.0005)
        return t0

    def processes(self):
        r = rt(self.root, "ps", "--format", "json", self.id)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def delete(self):
        rt(self.root, "delete", "--force", self.id)
        self.log.close()


def load(name, f):
    with open(os.path.join(REPO, "bundles", name, f)) as fh:
        return json.load(fh)


@pytest.fixture(params=NAMES)
def bundle(request):
    name = request.param
    if not os.path.exists(os.path.join(OUT, name, "config.json")):
        pytest.fail("bundle %s not built: run `make bundles` (scripts/build-bundles.sh)" % name)
    c = Container(name)
    try:
        yield c
    finally:
        c.delete()


def test_bundle_serves_many_requests(bundle):
    sample, expected = load(bundle.name, "sample-input.json"), load(bundle.name, "expected-output.json")
    t0 = bundle.start()
    status, out = post(bundle.sock, "/run", {"value": sample})
    cold = time.perf_counter() - t0
    assert status == 200 and out == expected
    assert post(bundle.sock, "/init", {"value": {}})[0] == 200

    # Sequential, over one keep-alive connection.
    conn = UnixHTTPConnection(bundle.sock)
    warm = []
    for _ in range(SEQUENTIAL):
        t = time.perf_counter()
        status, out = post(bundle.sock, "/run", {"value": sample}, conn=conn)
        warm.append(time.perf_counter() - t)
        assert status == 200 and out == expected
    conn.close()

    # Concurrent: each client its own connection; watch the process count meanwhile.
    seen_procs = []
    def client(_):
        return post(bundle.sock, "/run", {"value": sample})
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT + 1) as pool:
        futures = [pool.submit(client, i) for i in range(CONCURRENT * 2)]
        while not all(f.done() for f in futures):
            seen_procs.append(len(bundle.processes()))
        results = [f.result() for f in futures]
    assert all(s == 200 and o == expected for s, o in results)
    seen_procs.append(len(bundle.processes()))
    assert set(seen_procs) == {1}, seen_procs

    # Errors: a bad body is a non-2xx with {"error": ...}.
    c = UnixHTTPConnection(bundle.sock)
    c.request("POST", "/run", body=b"not json")
    r = c.getresponse()
    assert r.status >= 400 and "error" in json.loads(r.read())
    c.close()

    LATENCY[bundle.name] = (cold, statistics.median(warm), sorted(warm)[int(len(warm) * 0.9)])


@pytest.mark.parametrize("name", NAMES)
def test_once_inside_rootfs(name):
    rootfs = os.path.join(OUT, name, "rootfs")
    if not os.path.isdir(rootfs):
        pytest.fail("bundle %s not built" % name)
    sample = json.dumps(load(name, "sample-input.json"))
    # The static Swift runtime needs /proc (as in any container): give the chroot its own.
    cmd = ["unshare", "--mount", "--pid", "--fork", "--mount-proc=" + os.path.join(rootfs, "proc"),
           "chroot", rootfs, "/app/" + name, "--once"]
    p = subprocess.run(cmd, input=sample, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == load(name, "expected-output.json")


def test_function_error_is_non_2xx():
    c = Container("hello")
    try:
        c.start()
        # hello's greet expects an object: a number fails the Task with InvalidInput.
        status, out = post(c.sock, "/run", {"value": 42})
        assert status == 502 and out["Error"] == "InvalidInput" and "error" in out
        assert post(c.sock, "/run", {"value": {"name": "again"}}) == (200, {"message": "Hello, again!", "nameLength": 5})
    finally:
        c.delete()


def teardown_module(module):
    if LATENCY:
        print("\nend-to-end latency via %s (cold = container start to first reply; warm = sequential /run)" % RUNTIME)
        print("%-16s %10s %12s %12s" % ("bundle", "cold ms", "warm p50 ms", "warm p90 ms"))
        for name, (cold, p50, p90) in LATENCY.items():
            print("%-16s %10.1f %12.2f %12.2f" % (name, cold * 1e3, p50 * 1e3, p90 * 1e3))
