#!/usr/bin/env python3
"""Generates the helm-heavy helmfile log of the text diagnosis benchmark (issue 10, item 6).

Usage: gen_helm_log.py OUT.log [MB]   (default 200 MB)

Every line mentions helm, upgrade and wait, the way `helmfile --debug sync` with `helm upgrade --wait` writes them
(helm's debug lines behind helmfile's `helm:ID> ` prefix, bash -x traces, coloured progress lines, Chinese), so the
rules' common literals (`Release "`, `--namespace`, `release=`) are on many lines. Exactly one error sits in the
middle: `Error: failed to download "blueking/bk-repo" at version "1.2.3"`; a correct run reports only
chart-download-failed, with chart=blueking/bk-repo and version=1.2.3.
"""
import os, random, sys

LINES = [
    "helm:{id}> upgrade.go:142: [debug] preparing upgrade for {rel}, will wait for its resources",
    "helm:{id}> upgrade.go:150: [debug] performing update for {rel} (wait=true, atomic=false)",
    "helm:{id}> wait.go:48: [debug] beginning wait for {n} resources with timeout of 10m0s (upgrade {rel})",
    "helm:{id}> ready.go:277: [debug] Deployment is not ready: blueking/{rel}-web. 0 out of 1 expected pods are ready (upgrade {rel}, wait)",
    "helm:{id}> ready.go:425: [debug] StatefulSet is not ready: blueking/{rel}-redis-master. 0 out of 1 expected pods are ready (helm upgrade wait)",
    "+ helm upgrade --install {rel} blueking/{rel} --namespace blueking --wait --timeout 600s --version 1.0.{n}",
    "Upgrading release={rel}, chart=blueking/{rel}, namespace=blueking (helm upgrade --wait)",
    "helm:{id}> Release \"{rel}\" has been upgraded. Happy Helming! (helm waited {n}s)",
    "\x1b[1;34m[2026-11-26 10:{m:02d}:{s:02d}]\x1b[0m helm upgrade {rel}: waiting for pods to be ready (等待就绪)",
    "2026-11-26T10:{m:02d}:{s:02d}.{n:03d}+0800 helm upgrade {rel} --wait: still waiting for {n} resources\r",
]
ERROR = '  Error: failed to download "blueking/bk-repo" at version "1.2.3" (helm upgrade bk-repo, no wait)\n'
RELEASES = ["bk-auth", "bk-paas", "bk-repo", "bk-ci", "bk-job", "bk-cmdb", "bk-iam", "bk-ssm", "bk-gse", "bk-nodeman",
            "bk-apigateway", "bk-user", "bkmonitor-operator", "bk-elastic", "bk-redis-cluster"]


def main():
    out = sys.argv[1]
    target = int(sys.argv[2] if len(sys.argv) > 2 else 200) * 1024 * 1024
    rnd = random.Random(10)
    lines = []
    for i in range(5000):
        lines.append(rnd.choice(LINES).format(
            id="".join(rnd.choice("abcdefghijkLMNOPQRstuvwxyz") for _ in range(5)), rel=rnd.choice(RELEASES),
            n=rnd.randrange(1, 999), m=(i // 60) % 60, s=i % 60))
    block = ("\n".join(lines) + "\n").encode()
    blocks = target // len(block)
    with open(out, "wb") as f:
        for n in range(blocks):
            f.write(block)
            if n == blocks // 2:
                f.write(ERROR.encode())
    print(f"{out}: {os.path.getsize(out) / 1048576:.1f} MiB, {blocks * len(lines) + 1} lines")


if __name__ == "__main__":
    main()
