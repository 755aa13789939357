"""create / list / read / patch / replace / delete of pods in a namespace, and generateName."""
from kubernetes import client

from e2e_common import api_client, check, check_eq, ensure_namespace, expect_api_error, pod_body, run

NS = "py-crud"


def main():
    core = client.CoreV1Api(api_client())
    ensure_namespace(core, NS)

    created = core.create_namespaced_pod(NS, pod_body("alpha", {"app": "py"}))
    check_eq(created.metadata.name, "alpha", "created name")
    check_eq(created.metadata.namespace, NS, "created namespace")
    check(len(created.metadata.uid or "") == 36, "uid %r" % created.metadata.uid)
    check_eq(created.spec.restart_policy, "Always", "defaulted restartPolicy")
    check_eq(created.status.phase, "Pending", "phase")

    generated = core.create_namespaced_pod(
        NS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "gen-"},
             "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    check(generated.metadata.name.startswith("gen-") and len(generated.metadata.name) == 9,
          "generated name %r" % generated.metadata.name)

    expect_api_error(409, core.create_namespaced_pod, NS, pod_body("alpha"))

    pods = core.list_namespaced_pod(NS)
    check_eq(sorted(p.metadata.name for p in pods.items), sorted(["alpha", generated.metadata.name]), "listed")
    check(bool(pods.metadata.resource_version), "list resourceVersion")

    read = core.read_namespaced_pod("alpha", NS)
    check_eq(read.metadata.uid, created.metadata.uid, "read uid")

    patched = core.patch_namespaced_pod("alpha", NS, {"metadata": {"labels": {"tier": "backend"}}})
    check_eq(patched.metadata.labels, {"app": "py", "tier": "backend"}, "patched labels")
    check(int(patched.metadata.resource_version) > int(read.metadata.resource_version), "resourceVersion moved")

    # replace (PUT) of the object as read, with a changed image.
    patched.spec.containers[0].image = "busybox:2"
    replaced = core.replace_namespaced_pod("alpha", NS, patched)
    check_eq(replaced.spec.containers[0].image, "busybox:2", "replaced image")

    core.delete_namespaced_pod("alpha", NS)
    expect_api_error(404, core.read_namespaced_pod, "alpha", NS)
    core.delete_namespaced_pod(generated.metadata.name, NS)
    check_eq(core.list_namespaced_pod(NS).items, [], "pods left")
    e = expect_api_error(404, core.delete_namespaced_pod, "alpha", NS)
    if e is not None:
        check('"reason":"NotFound"' in e.body.replace(" ", ""), "404 body %r" % e.body)


run(main)
