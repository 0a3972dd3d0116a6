import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)


def _locate_binary():
    """The Swift binary to compare: $WORKFLOW_BIN, a built bundle, or a fresh debug build of `hello`.

    Any workflow app binary works: the generated definitions use no Task states.
    """
    env = os.environ.get("WORKFLOW_BIN")
    if env:
        return env
    for cand in [os.path.join(REPO, "out/bundles/hello/rootfs/app/hello")]:
        if os.access(cand, os.X_OK):
            return cand
    scratch = os.environ.get("SCRATCH", os.path.join(REPO, ".build"))
    cmd = ["swift", "build", "--scratch-path", scratch, "--product", "hello"]
    subprocess.run(cmd, cwd=REPO, check=True, timeout=3600)
    bindir = subprocess.run(cmd[:4] + ["--show-bin-path"], cwd=REPO, check=True, timeout=600,
                            capture_output=True, text=True).stdout.strip()
    return os.path.join(bindir, "hello")


@pytest.fixture(scope="session")
def workflow_bin():
    path = _locate_binary()
    assert os.access(path, os.X_OK), path
    return path
