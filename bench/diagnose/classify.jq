# The benchmark's filter: not-Ready pods of the BlueKing namespaces, classified like bkfix does.
.items[]
| select(.metadata.namespace as $ns | ["blueking", "bcs-system", "bkmonitor-operator", "ingress-nginx", "kube-system"] | index($ns))
| select(.status.phase != "Succeeded")
| select((.status.containerStatuses // []) as $c | ($c | length) == 0 or ([$c[] | select(.ready)] | length) < ($c | length))
| ([.status.containerStatuses[]?.state.waiting.reason // empty] | first // "") as $reason
| ([.status.containerStatuses[]?.restartCount] | add // 0) as $restarts
| (if $reason == "CrashLoopBackOff" then "pod-crashloop"
   elif $reason == "ErrImagePull" or $reason == "ImagePullBackOff" then "image-pull"
   elif .status.phase == "Pending" then "pod-pending"
   elif .status.phase == "Running" and $restarts > 3 then "pod-start-timeout"
   else "not-ready" end) as $case
| [.metadata.namespace, .metadata.name, (.metadata.labels["app.kubernetes.io/instance"] // ""), $case]
| @tsv
