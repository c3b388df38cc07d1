"""The official Kubernetes Python client lists and watches SandboxClaims with a label selector and must see a
claim's ADDED, MODIFIED and DELETED in that order, and nothing of a claim outside its selector.

Usage: python watch_order.py --kubeconfig FILE --namespace NS

Prints one line per event ("event: ADDED name"), then OK and exits 0, or FAIL: <why> and exits 1.
"""

import argparse
import queue
import sys
import threading
import time
import uuid

from kubernetes import client, config, watch

GROUP, VERSION, PLURAL = "extensions.agents.x-k8s.io", "v1beta1", "sandboxclaims"


def claim(name, run):
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "SandboxClaim",
        "metadata": {"name": name, "labels": {"compat-run": run}},
        "spec": {"warmPoolRef": {"name": "compat-pool"}},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--namespace", required=True)
    args = parser.parse_args()
    config.load_kube_config(config_file=args.kubeconfig)
    api = client.CustomObjectsApi()
    ns = args.namespace
    run = "py-" + uuid.uuid4().hex[:10]
    selector = "compat-run=" + run
    listed = api.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, label_selector=selector)
    version = listed["metadata"]["resourceVersion"]

    events = queue.Queue()
    watcher = watch.Watch()

    def follow():
        try:
            for event in watcher.stream(api.list_namespaced_custom_object, GROUP, VERSION, ns, PLURAL,
                                        label_selector=selector, resource_version=version,
                                        allow_watch_bookmarks=True, timeout_seconds=60):
                if event["type"] != "BOOKMARK":
                    events.put(event["type"] + " " + event["object"]["metadata"]["name"])
        except Exception as e:  # reported by the main thread as a missing event
            events.put("watch failed: %r" % e)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    time.sleep(0.5)  # the watch is open before the writes; events after `version` would be replayed anyway

    mine, outside = "watched-" + run, "outside-" + run
    api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, claim(outside, "other"))
    api.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, claim(mine, run))
    for name in (outside, mine):
        api.patch_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, name,
                                           {"metadata": {"annotations": {"compat/step": "modified"}}})
        api.delete_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, name)

    seen = []
    try:
        while len(seen) < 3:
            seen.append(events.get(timeout=20))
            print("event:", seen[-1], flush=True)
        seen.append(events.get(timeout=0.5))  # anything more is wrong
        print("event:", seen[-1], flush=True)
    except queue.Empty:
        pass
    watcher.stop()
    want = ["ADDED " + mine, "MODIFIED " + mine, "DELETED " + mine]
    if seen != want:
        print("FAIL: saw %s, want %s" % (seen, want))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
