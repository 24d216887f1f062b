#!/usr/bin/env python3
"""Writes the recorded-cluster fixtures of the live diagnosis tests (Tests/BKFixTests/Fixtures/diag/live/).

Each scenario folder holds what a stand-in kubectl serves: pods.json, events-NS.json, pvc.json, sc.json,
logs/NS_POD.txt (or .err for a failing `kubectl logs -p`), and expected.json (cases, params, the top case).
Run from the repository root: python3 bench/diagnose/make_live_fixtures.py
"""
import json, os, shutil, sys
sys.path.insert(0, os.path.dirname(__file__))
from kubeobjects import pod, pod_list, event, pvc, storage_class, dump

OUT = "Tests/BKFixTests/Fixtures/diag/live"
NS = "blueking"

def healthy():
    return [pod(NS, "bk-mysql-mysql-0", "bk-mysql"), pod(NS, "bk-paas-migrate-db-x2k9q", "bk-paas", "completed"),
            pod("default", "demo-app-0", "demo", "crashloop", restarts=9)]

def write(name, pods, events=None, pvcs=None, classes=None, logs=None, expected=None):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "logs"))
    open(os.path.join(d, "pods.json"), "w").write(dump(pod_list(pods)))
    for ns, items in (events or {}).items():
        open(os.path.join(d, f"events-{ns}.json"), "w").write(dump(pod_list(items)))
    if pvcs is not None:
        open(os.path.join(d, "pvc.json"), "w").write(dump(pod_list(pvcs)))
    if classes is not None:
        open(os.path.join(d, "sc.json"), "w").write(dump(pod_list([storage_class(c) for c in classes])))
    for fname, text in (logs or {}).items():
        open(os.path.join(d, "logs", fname), "w").write(text)
    open(os.path.join(d, "expected.json"), "w").write(json.dumps(expected, indent=1) + "\n")

write("start-timeout", healthy() + [pod(NS, "bk-auth-web-5f7c9d-2lq8x", "bk-auth", "start-timeout", restarts=5)],
      expected={"top": "pod-start-timeout", "count": 1, "cases": {"pod-start-timeout": {
          "release": "bk-auth", "namespace": NS, "pod": "bk-auth-web-5f7c9d-2lq8x", "component": "web"}}})

msg = "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind."
write("pv-no-space", healthy() + [pod(NS, "bk-mysql-mysql-1", "bk-mysql", "pending", claims=["data-bk-mysql-mysql-1"],
                                       scheduling_message=msg)],
      events={NS: [event(NS, "Pod", "bk-mysql-mysql-1", "FailedScheduling", msg, count=12)]},
      pvcs=[pvc(NS, "data-bk-mysql-mysql-0", "Bound"), pvc(NS, "data-bk-mysql-mysql-1")], classes=["local-storage"],
      expected={"top": "pv-no-space", "cases": {"pv-no-space": {"release": "bk-mysql", "pod": "bk-mysql-mysql-1"},
                                                 "pod-pending": {"release": "bk-mysql"}}})

msg = "0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
write("no-storage-class", healthy() + [pod(NS, "bk-redis-master-0", "bk-redis", "pending",
                                            claims=["redis-data-bk-redis-master-0"], scheduling_message=msg)],
      events={NS: [event(NS, "PersistentVolumeClaim", "redis-data-bk-redis-master-0", "FailedBinding",
                         "no persistent volumes available for this claim and no storage class is set", "Normal", 62,
                         "persistentvolume-controller")]},
      pvcs=[pvc(NS, "redis-data-bk-redis-master-0", storage_class=None, size="8Gi")], classes=[],
      expected={"top": "no-storage-class", "absent_params": {"no-storage-class": ["release"]},
                "cases": {"no-storage-class": {},
                                                      "pvc-unbound": {"release": "bk-redis"},
                                                      "pod-pending": {"release": "bk-redis"}}})

msg = "0/3 nodes are available: 3 Insufficient cpu."
write("wait-scheduling", healthy() + [pod(NS, "bk-rabbitmq-0", "bk-rabbitmq", "pending", claims=["data-bk-rabbitmq-0"],
                                           scheduling_message=msg)],
      events={NS: [event(NS, "PersistentVolumeClaim", "data-bk-rabbitmq-0", "WaitForPodScheduled",
                         "waiting for pod bk-rabbitmq-0 to be scheduled", "Normal", 15, "persistentvolume-controller"),
                   event(NS, "Pod", "bk-rabbitmq-0", "FailedScheduling", msg)]},
      pvcs=[pvc(NS, "data-bk-rabbitmq-0")], classes=["local-storage"],
      expected={"top": "pod-pending", "cases": {"pod-pending": {"release": "bk-rabbitmq", "pod": "bk-rabbitmq-0"},
                                                 "pod-wait-scheduling": {"release": "bk-rabbitmq", "pod": "bk-rabbitmq-0"}}})

gw = "bk-repo-bkrepo-gateway-6c8b9f7d5-zz9kq"
write("crashloop-ipv6", healthy() + [pod(NS, gw, "bk-repo", "crashloop", restarts=7)],
      logs={f"{NS}_{gw}.txt": "2026/11/26 08:00:01 [notice] 1#1: using the \"epoll\" event method\n"
                              "nginx: [emerg] socket() [::]:80 failed (97: Address family not supported by protocol)\n"},
      expected={"top": "ipv6-disabled", "cases": {"ipv6-disabled": {"release": "bk-repo", "pod": gw},
                                                   "pod-crashloop": {"release": "bk-repo", "pod": gw}}})

write("crashloop-kubelet", healthy() + [pod(NS, "bk-consul-0", "bk-consul", "crashloop", restarts=4, node_ip="10.0.0.7")],
      logs={f"{NS}_bk-consul-0.err": 'Error from server: Get "https://10.0.0.7:10250/containerLogs/blueking/bk-consul-0/main?previous=true&tailLines=50": dial tcp 10.0.0.7:10250: connect: no route to host\n'},
      expected={"top": "kubelet-unreachable", "cases": {"kubelet-unreachable": {"node": "10.0.0.7", "release": "bk-consul"},
                                                         "pod-crashloop": {"release": "bk-consul"}}})

image = "hub.bktencent.com/blueking/bk-nodeman:9.9.9"
name = "bk-nodeman-backend-api-5d9f8c-q2w9x"
write("image-not-found", healthy() + [pod(NS, name, "bk-nodeman", "image-pull-backoff", image=image,
                                           waiting_message=f'Back-off pulling image "{image}"')],
      events={NS: [event(NS, "Pod", name, "Failed", f'Failed to pull image "{image}": rpc error: code = Unknown desc = Error response from daemon: manifest for {image} not found: manifest unknown: manifest unknown', source="kubelet")]},
      expected={"top": "image-not-found", "count": 1, "cases": {"image-not-found": {"image": image, "release": "bk-nodeman"}}})

image = "hub.bktencent.com/blueking/bkci-dispatch:1.9.2"
name = "bk-ci-dispatch-7d5c9b-k2m4x"
write("image-pull-slow", healthy() + [pod(NS, name, "bk-ci", "container-creating", image=image)],
      events={NS: [event(NS, "Pod", name, "Scheduled", f"Successfully assigned {NS}/{name} to node-12", "Normal"),
                   event(NS, "Pod", name, "Pulling", f'Pulling image "{image}"', "Normal", 1, "kubelet")]},
      expected={"top": "image-pull-slow", "count": 1, "cases": {"image-pull-slow": {"image": image, "release": "bk-ci"}}})

image = "docker.io/bitnami/elasticsearch:7.16.1-debian-10-r0"
name = "bk-elastic-elasticsearch-master-0"
write("docker-mirror-dead", healthy() + [pod(NS, name, "bk-elastic", "err-image-pull", image=image)],
      events={NS: [event(NS, "Pod", name, "Failed", f'Failed to pull image "{image}": rpc error: code = Unknown desc = Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)', source="kubelet")]},
      expected={"top": "docker-mirror-dead", "count": 1, "cases": {"docker-mirror-dead": {"release": "bk-elastic"}}})

nsenter = pod(NS, "nsenter-x7k2p", "", "err-image-pull", image="hub.bktencent.com/blueking/nsenter:latest")
nsenter["metadata"]["labels"] = {"app": "nsenter"}
nsenter["metadata"].pop("ownerReferences")
write("nsenter", healthy() + [nsenter],
      events={NS: [event(NS, "Pod", "nsenter-x7k2p", "Failed", 'Failed to pull image "hub.bktencent.com/blueking/nsenter:latest": rpc error: code = Unknown desc = Error response from daemon: Get "https://hub.bktencent.com/v2/": dial tcp: lookup hub.bktencent.com on 10.0.0.2:53: read udp 10.0.0.11:43871->10.0.0.2:53: i/o timeout', source="kubelet")]},
      expected={"top": "nsenter-image-pull", "cases": {"nsenter-image-pull": {"namespace": NS, "pod": "nsenter-x7k2p"}}})

write("healthy", healthy(), expected={"count": 0, "cases": {}})
print("fixtures written to", OUT)
