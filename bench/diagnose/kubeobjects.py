"""Kubernetes objects in the shape `kubectl get ... -o json` prints them, for bkfix's fixtures and benchmarks.

Pods carry what a BlueKing pod really has (labels, annotations, owner references, env, probes, volumes,
conditions, container statuses) so that the documents are as heavy as a real cluster's: about 12.6 KB a pod.
"""
import json
import hashlib

def _uid(*parts):
    h = hashlib.md5("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

def pod(namespace, name, release, state="ready", restarts=0, claims=(), scheduling_message=None,
        waiting_message=None, node_ip="10.0.0.11", image=None, sidecar=False):
    """One pod. state: ready, completed, start-timeout, crashloop, pending, image-pull-backoff,
    err-image-pull, container-creating."""
    component = "web"
    image = image or f"hub.bktencent.com/blueking/{release}:1.4.17"
    started = "2026-11-26T08:00:00Z"
    phase = {"completed": "Succeeded", "pending": "Pending", "container-creating": "Pending"}.get(state, "Running")
    if state in ("image-pull-backoff", "err-image-pull"):
        phase = "Pending"
    ready = state in ("ready", "completed")
    if state == "completed":
        ready = False
    waiting_reason = {"crashloop": "CrashLoopBackOff", "image-pull-backoff": "ImagePullBackOff",
                      "err-image-pull": "ErrImagePull", "container-creating": "ContainerCreating"}.get(state)
    env = [{"name": f"BK_{k}", "value": v} for k, v in [
        ("PAAS_URL", "http://bkce7.bktencent.com"), ("DOMAIN", "bkce7.bktencent.com"), ("APP_CODE", release),
        ("REDIS_HOST", "bk-redis-master.blueking.svc.cluster.local"), ("MYSQL_HOST", "bk-mysql-mysql.blueking.svc.cluster.local"),
        ("TIME_ZONE", "Asia/Shanghai")]]
    env += [{"name": "BK_APP_SECRET", "valueFrom": {"secretKeyRef": {"key": "app-secret", "name": f"{release}-secret"}}}]
    volumes = [{"name": "config", "configMap": {"defaultMode": 420, "name": f"{release}-config"}},
               {"name": "logs", "emptyDir": {}},
               {"name": "kube-api-access-x2k9q", "projected": {"defaultMode": 420, "sources": [
                   {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                   {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                   {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                               "path": "namespace"}]}}]}}]
    volumes += [{"name": f"data-{i}", "persistentVolumeClaim": {"claimName": c}} for i, c in enumerate(claims)]
    def container(n):
        return {
            "name": n, "image": image, "imagePullPolicy": "IfNotPresent",
            "command": ["/bin/bash", "-c"], "args": ["/app/bin/start.sh --config /app/etc/config.yaml"],
            "env": env,
            "ports": [{"containerPort": 5000, "name": "http", "protocol": "TCP"}],
            "livenessProbe": {"failureThreshold": 3, "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                              "initialDelaySeconds": 30, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 5},
            "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http", "scheme": "HTTP"}, "periodSeconds": 10},
            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "256Mi"}},
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "volumeMounts": [{"mountPath": "/app/etc", "name": "config"}, {"mountPath": "/app/logs", "name": "logs"},
                             {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-x2k9q",
                              "readOnly": True}] + [{"mountPath": f"/data/{i}", "name": f"data-{i}"} for i in range(len(claims))]}
    def status(n):
        s = {"name": n, "image": image, "imageID": "", "ready": ready, "restartCount": restarts, "started": ready,
             "containerID": "docker://" + hashlib.sha256((name + n).encode()).hexdigest()}
        if waiting_reason:
            w = {"reason": waiting_reason}
            if waiting_message:
                w["message"] = waiting_message
            s["state"] = {"waiting": w}
            if state == "crashloop":
                s["lastState"] = {"terminated": {"containerID": s["containerID"], "exitCode": 1, "finishedAt": started,
                                                 "reason": "Error", "startedAt": started}}
        elif state == "completed":
            s["state"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": started,
                                         "containerID": s["containerID"]}}
        else:
            s["state"] = {"running": {"startedAt": started}}
        if ready or state in ("start-timeout", "crashloop", "completed"):
            s["imageID"] = "docker-pullable://" + image.split(":")[0] + "@sha256:" + hashlib.sha256(image.encode()).hexdigest()
        return s
    conditions = [
        {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "Initialized"},
        {"lastProbeTime": None, "lastTransitionTime": started, "status": "True" if ready else "False", "type": "Ready",
         **({} if ready else {"message": "containers with unready status: [main]", "reason": "ContainersNotReady"})},
        {"lastProbeTime": None, "lastTransitionTime": started, "status": "True" if ready else "False", "type": "ContainersReady"},
    ]
    if scheduling_message:
        conditions = [{"lastProbeTime": None, "lastTransitionTime": started, "message": scheduling_message,
                       "reason": "Unschedulable", "status": "False", "type": "PodScheduled"}]
    else:
        conditions.append({"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "PodScheduled"})
    unscheduled = scheduling_message is not None
    p = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "annotations": {"checksum/config": hashlib.sha256(release.encode()).hexdigest(),
                            "prometheus.io/scrape": "true"},
            "creationTimestamp": started, "generateName": name.rsplit("-", 1)[0] + "-",
            "labels": {"app.kubernetes.io/component": component, "app.kubernetes.io/instance": release,
                       "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": release.removeprefix("bk-"),
                       "helm.sh/chart": f"{release}-1.4.17", "pod-template-hash": "7c9c8d7f5"},
            "name": name, "namespace": namespace,
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                 "kind": "ReplicaSet", "name": name.rsplit("-", 1)[0], "uid": _uid(namespace, name, "rs")}],
            "resourceVersion": str(int(hashlib.md5(name.encode()).hexdigest()[:6], 16)), "uid": _uid(namespace, name)},
        "spec": {
            "containers": [container("main")] + ([container("sidecar-log")] if sidecar else []),
            "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
            "initContainers": [{"name": "wait-for-db", "image": "hub.bktencent.com/blueking/k8s-wait-for:v1.5.1",
                                "imagePullPolicy": "IfNotPresent", "args": ["service", "bk-mysql-mysql"],
                                "resources": {}, "terminationMessagePath": "/dev/termination-log",
                                "terminationMessagePolicy": "File"}],
            **({} if unscheduled else {"nodeName": f"node-{node_ip.split('.')[-1]}"}),
            "preemptionPolicy": "PreemptLowerPriority", "priority": 0, "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {"fsGroup": 1001, "runAsUser": 1001},
            "serviceAccount": "default", "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
                             "tolerationSeconds": 300}],
            "volumes": volumes},
        "status": {"conditions": conditions, "phase": phase, "qosClass": "Burstable", "startTime": started},
    }
    if not unscheduled:
        p["status"].update({
            "containerStatuses": [status("main")] + ([status("sidecar-log")] if sidecar else []),
            "hostIP": node_ip, "podIP": "172.20.%d.%d" % (len(name) % 250, len(namespace) * 7 % 250),
            "podIPs": [{"ip": "172.20.%d.%d" % (len(name) % 250, len(namespace) * 7 % 250)}],
            "initContainerStatuses": [{"name": "wait-for-db", "image": "hub.bktencent.com/blueking/k8s-wait-for:v1.5.1",
                                       "imageID": "", "ready": True, "restartCount": 0,
                                       "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                                                "startedAt": started, "finishedAt": started}}}]})
    return p

def pod_list(pods):
    return {"apiVersion": "v1", "items": pods, "kind": "List", "metadata": {"resourceVersion": ""}}

def event(namespace, kind, name, reason, message, type_="Warning", count=1, source="default-scheduler"):
    return {"apiVersion": "v1", "count": count, "firstTimestamp": "2026-11-26T08:00:00Z",
            "involvedObject": {"apiVersion": "v1", "kind": kind, "name": name, "namespace": namespace},
            "kind": "Event", "lastTimestamp": "2026-11-26T08:10:00Z", "message": message,
            "metadata": {"name": f"{name}.17f2a9c3b4d5e6f7", "namespace": namespace}, "reason": reason,
            "source": {"component": source}, "type": type_}

def pvc(namespace, name, phase="Pending", storage_class="local-storage", size="50Gi"):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}, "volumeMode": "Filesystem"}
    if storage_class:
        spec["storageClassName"] = storage_class
    if phase == "Bound":
        spec["volumeName"] = "local-pv-" + hashlib.md5(name.encode()).hexdigest()[:8]
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": namespace, "uid": _uid(namespace, name)},
            "spec": spec, "status": {"phase": phase}}

def storage_class(name):
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": "kubernetes.io/no-provisioner", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"}

def dump(obj):
    """As kubectl prints it: 4-space indent, keys in order."""
    return json.dumps(obj, indent=4, ensure_ascii=False) + "\n"
