"""watch.Watch().stream sees ADDED, MODIFIED and DELETED for a pod changed while it runs."""
import threading

from kubernetes import client, watch

from e2e_common import api_client, check, check_eq, ensure_namespace, pod_body, run

NS = "py-watch"


def main():
    core = client.CoreV1Api(api_client())
    ensure_namespace(core, NS)
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    events = []
    done = threading.Event()

    def consume():
        w = watch.Watch()
        # The client sends watch=True&allowWatchBookmarks=True&timeoutSeconds=20.
        for event in w.stream(core.list_namespaced_pod, NS, resource_version=rv, timeout_seconds=20,
                              allow_watch_bookmarks=True):
            if event["type"] == "BOOKMARK":
                continue
            events.append((event["type"], event["object"].metadata.name, event["object"].metadata.labels or {}))
            if event["type"] == "DELETED":
                w.stop()
        done.set()

    t = threading.Thread(target=consume, daemon=True)
    t.start()
    body = pod_body("watched", {"step": "one"})
    # No scheduler of this name: the only writes to the pod are the script's own (the default
    # scheduler would add its PodScheduled condition, a MODIFIED event of its own).
    body["spec"]["schedulerName"] = "e2e-nobody"
    core.create_namespaced_pod(NS, body)
    core.patch_namespaced_pod("watched", NS, {"metadata": {"labels": {"step": "two"}}})
    core.delete_namespaced_pod("watched", NS)
    check(done.wait(30), "the watch did not see the delete within 30 s (events: %r)" % events)
    types = [e[0] for e in events]
    check_eq(types[:2], ["ADDED", "MODIFIED"], "first events")
    check_eq(types[-1:], ["DELETED"], "last event")
    check(all(e[1] == "watched" for e in events), "events of other objects: %r" % events)
    if len(events) >= 2:
        check_eq(events[0][2], {"step": "one"}, "ADDED object")
        check_eq(events[1][2], {"step": "two"}, "MODIFIED object")


run(main)
