"""Kubernetes: shim/config/runtimeclass.yaml.  There is no kubelet (nor
crictl) on this machine, so only the manifest is checked: its syntax and
that its handler names a runtime the shipped containerd config defines."""
import tomllib

import yaml

from conftest import SHIM_CONFIG


def test_runtimeclass_manifest():
    docs = [d for d in yaml.safe_load_all((SHIM_CONFIG / "runtimeclass.yaml").read_text()) if d]
    assert len(docs) == 1
    rc = docs[0]
    assert rc["apiVersion"] == "node.k8s.io/v1"
    assert rc["kind"] == "RuntimeClass"
    assert rc["metadata"]["name"] == "warmlane"
    assert rc["handler"] == "warmlane"
    # handler must be a DNS label (RuntimeClass validation)
    assert rc["handler"].isascii() and rc["handler"].replace("-", "").isalnum() and len(rc["handler"]) <= 63
    assert set(rc) <= {"apiVersion", "kind", "metadata", "handler", "overhead", "scheduling"}


def test_runtimeclass_handler_matches_containerd_config():
    rc = yaml.safe_load((SHIM_CONFIG / "runtimeclass.yaml").read_text())
    cfg = tomllib.loads((SHIM_CONFIG / "containerd-config.toml").read_text())
    runtimes = cfg["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
    assert rc["handler"] in runtimes, f"handler {rc['handler']!r} not in containerd runtimes {list(runtimes)}"
