#!/usr/bin/env python3
"""Writes a ~200-line helm values file shaped like BlueKing's (bkci-resources / bitnami values): Chinese and
English comments at several indents, indented sequences, flow collections, quoted scalars, long lines, `~`,
trailing spaces and blank lines. Template-free, so ruamel.yaml can load it too. Usage: make-values.py OUT"""
import sys

components = ["log", "auth", "agentless", "dockerhost", "artifactory", "dispatch", "environment", "misc",
              "openapi", "plugin"]
out = ["##### bk-ci 资源配置（benchmark 输入）", "# 每个组件的 requests/limits；修改后需重新 helmfile sync", ""]
out += ["global:", "  imageRegistry: hub.bktencent.com", "  imagePullSecrets: []",
        "  storageClass: ~", ""]
for i, name in enumerate(components):
    out += [f"# {name} Deployment", f"{name}:", "  replicas: 1   ",
            "  # 资源配额：CPU 不足时 pod 会一直 Running 但 READY 0/1",
            "  resources:", "    requests:", "      cpu: 100m", "      memory: 1000Mi",
            "    limits:", "      cpu: 500m", "      memory: 1500Mi",
            f"  nodeSelector: {{}}", f"  tolerations: []",
            "  env:", "    - name: JAVA_OPTS",
            f"      value: '-Xms512m -Xmx1024m -XX:+UseG1GC -XX:MaxGCPauseMillis=200 -Dservice.name=bk-ci-{name}'",
            f"  ports: [ 80, 443 ]", ""]
    if i % 4 == 3:
        out += ["  ## 以下为可选配置", f"  annotations:  {{prometheus.io/scrape: \"true\", prometheus.io/port: \"9090\"}}", ""]
text = "\n".join(out[:-1]) + "\n"
open(sys.argv[1], "w", encoding="utf-8").write(text)
print(f"{sys.argv[1]}: {text.count(chr(10))} lines")
