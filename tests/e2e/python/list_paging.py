"""Lists with label and field selectors, and limit + continue paging over 25 configmaps."""
from kubernetes import client

from e2e_common import api_client, check, check_eq, ensure_namespace, expect_api_error, pod_body, run

NS = "py-paging"


def main():
    core = client.CoreV1Api(api_client())
    ensure_namespace(core, NS)
    for i in range(25):
        core.create_namespaced_config_map(NS, {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm-%02d" % i, "labels": {"set": "paging", "parity": "even" if i % 2 == 0 else "odd"}},
            "data": {"i": str(i)}})
    for i in range(3):
        core.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                               "metadata": {"name": "other-%d" % i}})

    # Paging: 10 + 10 + 5, every item once, all pages at the first page's resourceVersion.
    names, token, pages, rvs = [], None, 0, set()
    while True:
        kwargs = {"label_selector": "set=paging", "limit": 10}
        if token:
            kwargs["_continue"] = token
        page = core.list_namespaced_config_map(NS, **kwargs)
        pages += 1
        check(len(page.items) <= 10, "page %d has %d items" % (pages, len(page.items)))
        names += [c.metadata.name for c in page.items]
        rvs.add(page.metadata.resource_version)
        token = page.metadata._continue
        if not token:
            break
        check(page.metadata.remaining_item_count is None or page.metadata.remaining_item_count > 0,
              "remainingItemCount %r" % page.metadata.remaining_item_count)
        if pages > 5:
            check(False, "paging does not end")
            break
    check_eq(pages, 3, "pages")
    check_eq(sorted(names), ["cm-%02d" % i for i in range(25)], "paged names")
    check_eq(len(rvs), 1, "one resourceVersion for all pages (%r)" % rvs)

    # A write between pages does not show on later pages (the snapshot is the first page's).
    first = core.list_namespaced_config_map(NS, label_selector="set=paging", limit=20)
    core.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                           "metadata": {"name": "cm-99", "labels": {"set": "paging"}}})
    rest = core.list_namespaced_config_map(NS, label_selector="set=paging", limit=20, _continue=first.metadata._continue)
    check_eq(len(first.items) + len(rest.items), 25, "items over a snapshot")
    check("cm-99" not in [c.metadata.name for c in rest.items], "a later write leaked into a continued list")

    # Label selectors (cm-99 has set=paging and no parity).
    check_eq(len(core.list_namespaced_config_map(NS, label_selector="parity=even").items), 13, "parity=even")
    check_eq(len(core.list_namespaced_config_map(NS, label_selector="set=paging,parity!=even").items), 13,
             "set=paging,parity!=even")
    check_eq(len(core.list_namespaced_config_map(NS, label_selector="parity in (odd,none)").items), 12, "in")
    check_eq(len(core.list_namespaced_config_map(NS, label_selector="!set").items), 3, "!set")
    check_eq(len(core.list_namespaced_config_map(NS, label_selector="set,parity notin (odd)").items), 14, "notin")

    # Field selectors.
    one = core.list_namespaced_config_map(NS, field_selector="metadata.name=cm-03")
    check_eq([c.metadata.name for c in one.items], ["cm-03"], "metadata.name=")
    check_eq(len(core.list_namespaced_config_map(NS, field_selector="metadata.name!=cm-03").items), 28, "name!=")
    core.create_namespaced_pod(NS, pod_body("on-node", node_name="node-a"))
    core.create_namespaced_pod(NS, pod_body("unbound"))
    bound = core.list_namespaced_pod(NS, field_selector="spec.nodeName=node-a")
    check_eq([p.metadata.name for p in bound.items], ["on-node"], "spec.nodeName=node-a")
    unbound = core.list_namespaced_pod(NS, field_selector="spec.nodeName=")
    check_eq([p.metadata.name for p in unbound.items], ["unbound"], "spec.nodeName=")
    pending = core.list_pod_for_all_namespaces(field_selector="status.phase=Pending,metadata.namespace=" + NS)
    check_eq(len(pending.items), 2, "status.phase=Pending")
    expect_api_error(400, core.list_namespaced_pod, NS, field_selector="spec.bogus=1")
    core.delete_namespaced_pod("on-node", NS, grace_period_seconds=0)
    core.delete_namespaced_pod("unbound", NS)

    # deletecollection by label.
    core.delete_collection_namespaced_config_map(NS, label_selector="parity=odd")
    check_eq(len(core.list_namespaced_config_map(NS, label_selector="set=paging").items), 14, "after deletecollection")


run(main)
