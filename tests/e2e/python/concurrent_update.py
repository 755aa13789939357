"""Optimistic concurrency through the Python client: a replace with a stale resourceVersion is
409 Conflict, and concurrent read-modify-write loops that retry on conflict lose no update."""
import threading

from kubernetes import client

from e2e_common import api_client, check, check_eq, run

NS = "default"
WRITERS = 8
INCREMENTS = 5


def main():
    core = client.CoreV1Api(api_client())
    core.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                           "metadata": {"name": "counter"}, "data": {"n": "0"}})
    a = core.read_namespaced_config_map("counter", NS)
    b = core.read_namespaced_config_map("counter", NS)
    a.data["n"] = "a"
    core.replace_namespaced_config_map("counter", NS, a)
    b.data["n"] = "b"
    try:
        core.replace_namespaced_config_map("counter", NS, b)
        check(False, "a stale replace succeeded")
    except client.exceptions.ApiException as e:
        check_eq(e.status, 409, "stale replace status")
        check("the object has been modified" in e.body, "conflict message: %r" % e.body)
        check('"reason":"Conflict"' in e.body.replace(" ", ""), "conflict reason: %r" % e.body)
    check_eq(core.read_namespaced_config_map("counter", NS).data["n"], "a", "value after the conflict")

    core.patch_namespaced_config_map("counter", NS, {"data": {"n": "0"}})
    conflicts = [0]
    lock = threading.Lock()

    def writer():
        api = client.CoreV1Api(api_client())
        for _ in range(INCREMENTS):
            while True:
                cm = api.read_namespaced_config_map("counter", NS)
                cm.data["n"] = str(int(cm.data["n"]) + 1)
                try:
                    api.replace_namespaced_config_map("counter", NS, cm)
                    break
                except client.exceptions.ApiException as e:
                    if e.status != 409:
                        raise
                    with lock:
                        conflicts[0] += 1

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    check_eq(core.read_namespaced_config_map("counter", NS).data["n"], str(WRITERS * INCREMENTS),
             "counter after concurrent increments (%d conflicts retried)" % conflicts[0])


run(main)
