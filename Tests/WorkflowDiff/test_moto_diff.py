"""Differential test: the Swift ASL interpreter against moto's Step Functions interpreter.

moto (derived from LocalStack's interpreter) runs each generated definition when configured
with {"stepfunctions": {"execute_state_machine": True}}; the Swift side runs the same
definition with `APP --once --workflow FILE`. Status, output and error name must match
(and the cause, for errors raised by Fail states). Differences we keep on purpose are
classified in KNOWN_DIFFERENCES and reported; any other difference fails the test.

WORKFLOW_DIFF_CASES (default 250) sets how many definitions; WORKFLOW_DIFF_SEED the first seed.
"""
import json
import logging
import os
import subprocess
import tempfile
import time

import boto3
import pytest
from moto import mock_aws

import aslgen

# moto logs every failing execution's parse tree at WARNING; the test reports differences itself.
logging.getLogger("moto").setLevel(logging.CRITICAL)

CASES = int(os.environ.get("WORKFLOW_DIFF_CASES", "250"))
SEED = int(os.environ.get("WORKFLOW_DIFF_SEED", "1"))
ROLE = "arn:aws:iam::123456789012:role/warmlane-diff"


@pytest.fixture(scope="module")
def sfn():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield boto3.client("stepfunctions", region_name="us-east-1")


def run_moto(sfn, definition, data, idx):
    try:
        arn = sfn.create_state_machine(name="diff%d" % idx, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    except Exception as e:  # rejected definition
        return ("INVALID", type(e).__name__, str(e))
    try:
        ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(data))["executionArn"]
        deadline = time.time() + 30
        while True:
            r = sfn.describe_execution(executionArn=ex)
            if r["status"] != "RUNNING" or time.time() > deadline:
                break
            time.sleep(0.005)
    finally:
        # moto deep-copies the machine on start; deleting finished machines keeps that cheap and working.
        sfn.delete_state_machine(stateMachineArn=arn)
    if r["status"] == "SUCCEEDED":
        if "output" not in r:  # moto omits a null output
            return ("SUCCEEDED", None, None)
        try:
            return ("SUCCEEDED", json.loads(r["output"]), None)
        except ValueError:  # moto emits a top-level string output unquoted
            return ("SUCCEEDED", r["output"], "unquoted")
    return (r["status"], r.get("error"), r.get("cause"))


def run_swift(binary, definition, data):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(definition, f)
        path = f.name
    try:
        p = subprocess.run([binary, "--once", "--workflow", path], input=json.dumps(data), capture_output=True,
                           text=True, timeout=60)
    finally:
        os.unlink(path)
    if p.returncode == 0:
        return ("SUCCEEDED", json.loads(p.stdout), None)
    if p.returncode == 2:
        return ("INVALID", "DefinitionError", p.stderr.strip())
    try:
        body = json.loads(p.stdout)
    except ValueError:
        return ("CRASH", p.returncode, p.stderr[-2000:])
    return ("FAILED", body.get("Error"), body.get("Cause"))


def same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "SUCCEEDED":
        return a[1] == b[1] and a[2] == b[2]
    if a[0] == "INVALID":
        return True
    if a[1] != b[1]:
        return False
    # Causes of the interpreter's own errors are free text; a Fail state's Cause must match.
    return a[1].startswith("States.") or a[2] == b[2]


def classify(definition, data, swift, moto):
    """Names a difference we keep on purpose, or None."""
    for label, test in KNOWN_DIFFERENCES:
        if test(definition, data, swift, moto):
            return label
    return None


def _equal_modulo_wrap(a, b):
    if a == b:
        return True
    if isinstance(b, list) and len(b) == 1 and not isinstance(a, list) and _equal_modulo_wrap(a, b[0]):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal_modulo_wrap(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal_modulo_wrap(x, y) for x, y in zip(a, b))
    return False


def _can_fail_with(definition, name):
    """Whether `name` is an error some state of the definition can raise."""
    text = json.dumps(definition)
    return name.startswith("States.") or ('"Error": "%s"' % name) in text


def _err(r, name, text=""):
    return r[0] == "FAILED" and r[1] == name and text in (r[2] or "")


# Each entry: (label, predicate). Warmlane follows the AWS Step Functions documentation here;
# moto (LocalStack's interpreter) behaves differently.
KNOWN_DIFFERENCES = [
    # AWS: a Choice rule whose Variable path does not exist fails the execution with
    # States.Runtime ("Invalid path ... references an invalid value"); moto treats the rule
    # as not matching and goes on.
    ("choice-variable-missing: States.Runtime (AWS) vs rule is false (moto)",
     lambda d, i, s, m: _err(s, "States.Runtime", "choice state's condition path")),
    # AWS names a Choice without a matching rule or Default States.NoChoiceMatched; moto
    # raises States.Runtime.
    ("no-choice-matched: States.NoChoiceMatched (AWS) vs States.Runtime (moto)",
     lambda d, i, s, m: _err(s, "States.NoChoiceMatched") and _err(m, "States.Runtime", "No branching option")),
    # AWS names a ResultPath that cannot be applied States.ResultPathMatchFailure; moto
    # raises States.Runtime (a Python TypeError).
    ("result-path-mismatch: States.ResultPathMatchFailure (AWS) vs States.Runtime or ignored (moto)",
     lambda d, i, s, m: _err(s, "States.ResultPathMatchFailure") and (_err(m, "States.Runtime") or m[0] == "SUCCEEDED")),
    # ...and, being an ordinary error name, Catch can handle it (moto's States.Runtime cannot be caught).
    ("result-path-mismatch caught: Catch handles States.ResultPathMatchFailure (AWS) vs uncatchable States.Runtime (moto)",
     lambda d, i, s, m: s[0] == "SUCCEEDED" and "States.ResultPathMatchFailure" in json.dumps(s[1])
     and _err(m, "States.Runtime", "does not support item assignment")),
    # A definite path with an index ($.o.l[0].v) selects one value in AWS; moto's jsonpath
    # library returns it wrapped in a list.
    ("indexed-definite-path: value (AWS) vs [value] (moto)",
     lambda d, i, s, m: s[0] == m[0] == "SUCCEEDED" and "[0]" in json.dumps(d) and _equal_modulo_wrap(s[1], m[1])),
    # moto writes a top-level string output without JSON quotes.
    ("moto-quirk: top-level string output unquoted",
     lambda d, i, s, m: s[0] == m[0] == "SUCCEEDED" and m[2] == "unquoted" and s[1] == m[1]),
    # When several branches/items fail, AWS reports whichever failed first: a race.
    ("racing-failures: several branches fail, a different one is reported first",
     lambda d, i, s, m: s[0] == m[0] == "FAILED" and ('"Parallel"' in json.dumps(d) or '"Map"' in json.dumps(d))
     and _can_fail_with(d, s[1]) and _can_fail_with(d, m[1])),
    # moto bug: re-raising a States.* error out of a nested Parallel raises a ValueError.
    ("moto-bug: nested States.* error re-raised as ValueError",
     lambda d, i, s, m: _err(m, "States.Runtime", "MUST NOT begin with the prefix 'States.'")),
    # A Map whose ItemsPath is not an array: Warmlane fails with States.Runtime as AWS does
    # in JSONPath mode; moto uses the JSONata-mode name States.QueryEvaluationError.
    ("map-items-not-array: States.Runtime vs States.QueryEvaluationError (moto)",
     lambda d, i, s, m: _err(s, "States.Runtime", "must point to an array") and _err(m, "States.QueryEvaluationError", "must be an array")),
    # AWS rejects definitions with unreachable states at creation; moto accepts them.
    ("unreachable-state: rejected on load (AWS, Warmlane) vs accepted (moto)",
     lambda d, i, s, m: s[0] == "INVALID" and "unreachable" in s[2] and m[0] != "INVALID"),
]

stats = {"cases": 0, "succeeded": 0, "failed": 0, "kept": {}}


@pytest.mark.parametrize("seed", range(SEED, SEED + CASES))
def test_matches_moto(sfn, workflow_bin, seed):
    definition, data = aslgen.generate(seed)
    swift = run_swift(workflow_bin, definition, data)
    moto = run_moto(sfn, definition, data, seed)
    stats["cases"] += 1
    stats["succeeded" if moto[0] == "SUCCEEDED" else "failed"] += 1
    if same(swift, moto):
        return
    label = classify(definition, data, swift, moto)
    if label:
        stats["kept"][label] = stats["kept"].get(label, 0) + 1
        return
    pytest.fail("difference for seed %d\ndefinition: %s\ninput: %s\nswift: %s\nmoto:  %s"
                % (seed, json.dumps(definition), json.dumps(data), swift, moto))


def teardown_module(module):
    print("\nmoto diff: %(cases)d definitions (%(succeeded)d succeeded, %(failed)d failed in moto); kept differences: %(kept)s" % stats)
