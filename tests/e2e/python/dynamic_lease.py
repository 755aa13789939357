"""The dynamic client (legacy discovery only) creates, gets, patches, lists and deletes a Lease."""
from kubernetes import dynamic
from kubernetes.dynamic.exceptions import NotFoundError

from e2e_common import api_client, check, check_eq, run


def main():
    dyn = dynamic.DynamicClient(api_client())
    leases = dyn.resources.get(api_version="coordination.k8s.io/v1", kind="Lease")
    check(leases.namespaced, "leases are namespaced")
    body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "dyn-lease", "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": "dyn-node", "leaseDurationSeconds": 40,
                     "renewTime": "2026-11-29T10:00:00.000000Z"}}
    created = leases.create(body=body, namespace="kube-node-lease")
    check_eq(created.metadata.name, "dyn-lease", "created")
    got = leases.get(name="dyn-lease", namespace="kube-node-lease")
    check_eq(got.spec.holderIdentity, "dyn-node", "holderIdentity")
    check_eq(got.spec.leaseDurationSeconds, 40, "leaseDurationSeconds")
    check_eq(got.metadata.uid, created.metadata.uid, "uid")
    patched = leases.patch(name="dyn-lease", namespace="kube-node-lease",
                           body={"spec": {"renewTime": "2026-11-29T10:00:10.000000Z"}},
                           content_type="application/merge-patch+json")
    check_eq(patched.spec.renewTime, "2026-11-29T10:00:10.000000Z", "renewTime")
    listed = leases.get(namespace="kube-node-lease")
    check("dyn-lease" in [i.metadata.name for i in listed.items], "listed")
    # Other kinds through the same client.
    nodes = dyn.resources.get(api_version="v1", kind="Node")
    check(not nodes.namespaced, "nodes are cluster-scoped")
    pcs = dyn.resources.get(api_version="scheduling.k8s.io/v1", kind="PriorityClass")
    check_eq(pcs.get(name="system-node-critical").value, 2000001000, "system-node-critical")
    leases.delete(name="dyn-lease", namespace="kube-node-lease")
    try:
        leases.get(name="dyn-lease", namespace="kube-node-lease")
        check(False, "lease still there after delete")
    except NotFoundError:
        pass


run(main)
