"""A watch started at an older resourceVersion gets exactly the events after it."""
from kubernetes import client, watch

from e2e_common import api_client, check, check_eq, ensure_namespace, expect_api_error, run

NS = "py-resume"


def collect(core, rv, **kwargs):
    events = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=2,
                                      **kwargs):
        if event["type"] != "BOOKMARK":
            events.append((event["type"], event["object"].metadata.name))
    return events


def cm(name, labels=None):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {}}}


def main():
    core = client.CoreV1Api(api_client())
    ensure_namespace(core, NS)
    core.create_namespaced_config_map(NS, cm("before"))
    rv0 = core.list_namespaced_config_map(NS).metadata.resource_version

    a = core.create_namespaced_config_map(NS, cm("a", {"watched": "yes"}))
    core.patch_namespaced_config_map("a", NS, {"data": {"k": "v"}})
    core.create_namespaced_config_map(NS, cm("b"))
    core.delete_namespaced_config_map("a", NS)

    check_eq(collect(core, rv0), [("ADDED", "a"), ("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")],
             "events after the list")
    check_eq(collect(core, a.metadata.resource_version), [("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")],
             "events after a's creation")
    # With a selector, only the matching object's events.
    check_eq(collect(core, rv0, label_selector="watched=yes"), [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")],
             "selected events")
    # Resuming at the latest resourceVersion: nothing.
    latest = core.list_namespaced_config_map(NS).metadata.resource_version
    check_eq(collect(core, latest), [], "events after the latest list")
    # Each event's object carries its own resourceVersion, increasing.
    rvs = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version=rv0, timeout_seconds=2):
        rvs.append(int(event["object"].metadata.resource_version))
    check(rvs == sorted(rvs) and len(set(rvs)) == len(rvs), "event resourceVersions not increasing: %r" % rvs)
    # sendInitialEvents is either served or refused with 422, never silently ignored; the
    # client does not send it, so ask raw.
    api = core.api_client
    try:
        resp = api.call_api("/api/v1/namespaces/{ns}/configmaps", "GET", path_params={"ns": NS},
                            query_params=[("watch", "true"), ("sendInitialEvents", "true"),
                                          ("resourceVersionMatch", "NotOlderThan"), ("allowWatchBookmarks", "true"),
                                          ("timeoutSeconds", "1")],
                            header_params={"Accept": "application/json"}, _preload_content=False,
                            auth_settings=["BearerToken"])
        body = resp[0].data.decode()
        check('"k8s.io/initial-events-end":"true"' in body.replace(" ", ""),
              "sendInitialEvents served without the end bookmark: %r" % body[:500])
    except client.exceptions.ApiException as e:
        check_eq(e.status, 422, "sendInitialEvents refusal")


run(main)
