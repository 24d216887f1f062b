#!/usr/bin/env python3
"""Generates `kubectl get pods -A -o json` for a 10,000-pod cluster (about 126 MB, kubectl's 4-space format).

Usage: gen_pods.py OUT.json [PODS]
About 2% of the pods are not Ready, in every way diagnosis classifies (start timeout, Pending, CrashLoopBackOff,
image pull), spread over the BlueKing namespaces and a few others.
"""
import json, os, random, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kubeobjects import pod, pod_list

def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rnd = random.Random(7)
    namespaces = ["blueking"] * 10 + ["bcs-system", "bkmonitor-operator", "ingress-nginx", "kube-system",
                                      "default", "monitoring", "team-a", "team-b"]
    releases = ["bk-auth", "bk-paas", "bk-repo", "bk-ci", "bk-job", "bk-cmdb", "bk-iam", "bk-ssm", "bk-gse",
                "bk-nodeman", "bk-monitor", "bk-log", "bk-user", "bk-console", "bk-apigateway", "bk-elastic"]
    states = [("start-timeout", 6), ("pending", 0), ("crashloop", 9), ("image-pull-backoff", 0),
              ("container-creating", 0), ("completed", 0)]
    pods = []
    for i in range(count):
        ns = rnd.choice(namespaces)
        release = rnd.choice(releases)
        name = f"{release}-{rnd.choice(['web', 'api', 'worker', 'beat'])}-{i:05d}-{rnd.randrange(16**5):05x}"
        roll = rnd.random()
        if roll < 0.02:
            state, restarts = states[i % 5]
            msg = "0/12 nodes are available: 12 Insufficient memory." if state == "pending" else None
            pods.append(pod(ns, name, release, state, restarts=restarts, scheduling_message=msg))
        elif roll < 0.04:
            pods.append(pod(ns, name, release, "completed"))
        else:
            pods.append(pod(ns, name, release))
    with open(out, "w") as f:
        f.write(json.dumps(pod_list(pods), indent=4, ensure_ascii=False))
        f.write("\n")
    print(f"{out}: {count} pods, {os.path.getsize(out) / 1e6:.1f} MB")

if __name__ == "__main__":
    main()
