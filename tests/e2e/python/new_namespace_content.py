"""Content can be created in a namespace right after the namespace's create was acknowledged
(what kubectl create -f does with a Namespace followed by objects in it): the server must not
answer 404 because its namespace cache lags behind the write. Several clients at once, so the
server is busy as it is under load."""
import threading

from kubernetes import client

from e2e_common import api_client, check_eq, run

CLIENTS = 6
ROUNDS = 25


def main():
    failures = []
    lock = threading.Lock()

    def worker(w):
        core = client.CoreV1Api(api_client())
        for i in range(ROUNDS):
            ns = "fresh-%d-%d" % (w, i)
            core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            try:
                core.create_namespaced_config_map(
                    ns, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
            except client.exceptions.ApiException as e:
                with lock:
                    failures.append((ns, e.status, e.body))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    check_eq(failures[:3], [], "creates refused right after their namespace was created (%d of %d)"
             % (len(failures), CLIENTS * ROUNDS))


run(main)
