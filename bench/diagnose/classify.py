#!/usr/bin/env python3
"""The benchmark's filter in Python's json: not-Ready pods of the BlueKing namespaces, classified like bkfix does."""
import json, sys

NAMESPACES = {"blueking", "bcs-system", "bkmonitor-operator", "ingress-nginx", "kube-system"}
doc = json.load(open(sys.argv[1]))
out = []
for p in doc["items"]:
    ns = p["metadata"]["namespace"]
    if ns not in NAMESPACES or p["status"].get("phase") == "Succeeded":
        continue
    cs = p["status"].get("containerStatuses") or []
    if cs and all(c.get("ready") for c in cs):
        continue
    reasons = [c.get("state", {}).get("waiting", {}).get("reason") for c in cs]
    reason = next((r for r in reasons if r), "")
    restarts = sum(c.get("restartCount", 0) for c in cs)
    phase = p["status"].get("phase")
    if reason == "CrashLoopBackOff":
        case = "pod-crashloop"
    elif reason in ("ErrImagePull", "ImagePullBackOff"):
        case = "image-pull"
    elif phase == "Pending":
        case = "pod-pending"
    elif phase == "Running" and restarts > 3:
        case = "pod-start-timeout"
    else:
        case = "not-ready"
    release = (p["metadata"].get("labels") or {}).get("app.kubernetes.io/instance", "")
    out.append(f"{ns}\t{p['metadata']['name']}\t{release}\t{case}\n")
sys.stdout.write("".join(out))
