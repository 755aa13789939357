"""delete_namespaced_pod: graceful for a bound pod, grace_period_seconds=0 (a query parameter)
removes it, preconditions are honoured, unscheduled pods go at once."""
from kubernetes import client

from e2e_common import api_client, check, check_eq, expect_api_error, pod_body, run

NS = "default"


def main():
    core = client.CoreV1Api(api_client())
    core.create_namespaced_pod(NS, pod_body("bound", node_name="ghost-node"))
    first = core.delete_namespaced_pod("bound", NS)
    check(first.metadata.deletion_timestamp is not None, "no deletionTimestamp in the answer")
    still = core.read_namespaced_pod("bound", NS)
    check(still.metadata.deletion_timestamp is not None, "pod is not terminating")
    check_eq(still.metadata.deletion_grace_period_seconds, 30, "deletionGracePeriodSeconds")
    # A shorter grace period moves the deadline; a longer one does not.
    core.delete_namespaced_pod("bound", NS, grace_period_seconds=10)
    check_eq(core.read_namespaced_pod("bound", NS).metadata.deletion_grace_period_seconds, 10, "shortened grace")
    core.delete_namespaced_pod("bound", NS, grace_period_seconds=20)
    check_eq(core.read_namespaced_pod("bound", NS).metadata.deletion_grace_period_seconds, 10, "grace not extended")
    # Preconditions (in the body).
    expect_api_error(409, core.delete_namespaced_pod, "bound", NS,
                     body=client.V1DeleteOptions(grace_period_seconds=0,
                                                 preconditions=client.V1Preconditions(uid="wrong-uid")))
    # grace_period_seconds=0 travels as ?gracePeriodSeconds=0 with no body.
    core.delete_namespaced_pod("bound", NS, grace_period_seconds=0)
    expect_api_error(404, core.read_namespaced_pod, "bound", NS)

    core.create_namespaced_pod(NS, pod_body("unbound"))
    core.delete_namespaced_pod("unbound", NS)
    expect_api_error(404, core.read_namespaced_pod, "unbound", NS)

    # Finalizers hold an object until they are removed.
    core.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                           "metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    core.delete_namespaced_config_map("held", NS)
    held = core.read_namespaced_config_map("held", NS)
    check(held.metadata.deletion_timestamp is not None, "finalized object has no deletionTimestamp")
    core.patch_namespaced_config_map("held", NS, {"metadata": {"finalizers": None}})
    expect_api_error(404, core.read_namespaced_config_map, "held", NS)


run(main)
