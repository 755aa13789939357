"""patch_namespaced_pod_status as admin (strategic merge: conditions merge by type), the status
subresource ignores spec, the main resource ignores status, and a uid in the patch is a
precondition."""
from kubernetes import client

from e2e_common import api_client, check, check_eq, expect_api_error, pod_body, run

NS = "default"


def main():
    core = client.CoreV1Api(api_client())
    pod = core.create_namespaced_pod(NS, pod_body("status-pod", node_name="node-s"))
    uid = pod.metadata.uid
    core.patch_namespaced_pod_status("status-pod", NS, {
        "metadata": {"uid": uid},
        "status": {"phase": "Running", "podIP": "10.1.2.3", "podIPs": [{"ip": "10.1.2.3"}],
                   "conditions": [{"type": "Ready", "status": "True"}]}})
    core.patch_namespaced_pod_status("status-pod", NS, {
        "status": {"conditions": [{"type": "PodScheduled", "status": "True"}]}})
    st = core.read_namespaced_pod_status("status-pod", NS)
    check_eq(st.status.phase, "Running", "phase")
    check_eq(st.status.pod_ip, "10.1.2.3", "podIP")
    check_eq(sorted((c.type, c.status) for c in st.status.conditions or []),
             [("PodScheduled", "True"), ("Ready", "True")], "conditions merged by type")
    # A spec change through status is dropped.
    core.patch_namespaced_pod_status("status-pod", NS, {"spec": {"activeDeadlineSeconds": 5}})
    check_eq(core.read_namespaced_pod("status-pod", NS).spec.active_deadline_seconds, None, "spec via status")
    # A status change through the main resource is dropped.
    core.patch_namespaced_pod("status-pod", NS, {"status": {"phase": "Failed"}})
    check_eq(core.read_namespaced_pod("status-pod", NS).status.phase, "Running", "status via main resource")
    # The uid precondition.
    expect_api_error(409, core.patch_namespaced_pod_status, "status-pod", NS,
                     {"metadata": {"uid": "00000000-0000-0000-0000-000000000000"}, "status": {"phase": "Failed"}})
    check_eq(core.read_namespaced_pod("status-pod", NS).status.phase, "Running", "after a failed precondition")
    # The field selector on status.podIP sees it.
    found = core.list_namespaced_pod(NS, field_selector="status.podIP=10.1.2.3")
    check_eq([p.metadata.name for p in found.items], ["status-pod"], "status.podIP selector")
    core.delete_namespaced_pod("status-pod", NS, grace_period_seconds=0)


run(main)
