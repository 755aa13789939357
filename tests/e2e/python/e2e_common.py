"""Shared helpers of the python3-kubernetes e2e scripts.

Each script runs under /usr/bin/python3 (the interpreter with python3-kubernetes) with
KUBECONFIG set by the C++ test, exits 0 when every check holds, and otherwise prints what
failed and exits 1.
"""
import sys
import time
import traceback

from kubernetes import client, config

FAILURES = []


def check(condition, message):
    """Records a failure (and keeps going, so one run reports all of them)."""
    if not condition:
        FAILURES.append(message)
        print("FAIL: " + message, file=sys.stderr)
    return condition


def check_eq(got, want, what):
    return check(got == want, "%s: got %r, want %r" % (what, got, want))


def api_client():
    config.load_kube_config()
    return client.ApiClient()


def expect_api_error(status, fn, *args, **kwargs):
    """Calls fn and checks it raises ApiException with `status`; returns the exception."""
    try:
        fn(*args, **kwargs)
    except client.exceptions.ApiException as e:
        check_eq(e.status, status, "%s status" % fn.__name__)
        return e
    check(False, "%s succeeded, wanted HTTP %d" % (fn.__name__, status))
    return None


def wait_until(pred, seconds=30, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    check(False, "timed out waiting for " + what)
    return False


def pod_body(name, labels=None, node_name=None):
    spec = {"containers": [{"name": "c", "image": "busybox"}]}
    if node_name:
        spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {}}, "spec": spec}


def ensure_namespace(core, name):
    try:
        core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    except client.exceptions.ApiException as e:
        if e.status != 409:
            raise


def run(main):
    """Runs main() and exits with the scripts' convention."""
    try:
        main()
    except Exception:  # an unexpected error is a failure with its traceback
        traceback.print_exc()
        FAILURES.append("unexpected exception")
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES), file=sys.stderr)
        sys.exit(1)
    print("ok")
    sys.exit(0)
