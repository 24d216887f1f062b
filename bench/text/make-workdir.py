#!/usr/bin/env python3
"""Writes a BlueKing 7.0.0-shaped work dir (the helmfiles and release names of 7.0.0, each with `bases:` documents,
templated namespaces and versions, comments, and a values file per release of 0.3-16 KB with comments, templates,
sequences and flow collections; ~60 files, ~200 KB) for the quota-plan benchmark. bk-elastic gets a template-free
custom-values file (the FAQ's override), which the ruamel.yaml peer round-trips. Usage: make-workdir.py DIR"""
import os, random, sys

HELMFILES = {
    "00-ingress-nginx.yaml.gotmpl": ["ingress-nginx"],
    "00-localpv.yaml.gotmpl": ["localpv", "local-storage"],
    "00-metrics-server.yaml.gotmpl": ["metrics-server"],
    "03-bcs.yaml.gotmpl": ["bcs-services-stack"],
    "03-bkci.yaml.gotmpl": ["bk-ci"],
    "03-bkcodecc.yaml.gotmpl": ["bk-codecc"],
    "03-bktbs.yaml.gotmpl": ["bk-tbs"],
    "04-bklog-collector.yaml.gotmpl": ["bklog-collector"],
    "04-bklog-search.yaml.gotmpl": ["bk-log-search"],
    "04-bkmonitor-operator.yaml.gotmpl": ["bkmonitor-operator"],
    "04-bkmonitor.yaml.gotmpl": ["bk-monitor"],
    "base-blueking.yaml.gotmpl": [
        "bk-repo", "bk-auth", "bk-apigateway", "bk-iam", "bk-ssm", "bk-console", "bk-user", "bk-iam-saas",
        "bk-iam-search-engine", "bk-gse", "bk-cmdb", "bk-paas", "bk-applog", "bk-ingress-nginx", "bk-ingress-rule",
        "bk-job", "bk-nodeman"],
    "base-storage.yaml.gotmpl": [
        "bk-mysql", "bk-rabbitmq", "bk-redis", "bk-redis-cluster", "bk-mongodb", "bk-elastic", "bk-zookeeper"],
    "monitor-storage.yaml.gotmpl": ["bk-kafka", "bk-consul", "bk-influxdb"],
    "sentry.yaml.gotmpl": ["sentry"],
}
OTHER_HELMFILES = ["base.yaml.gotmpl", "monitor.yaml.gotmpl", "address.yaml.gotmpl"]

rng = random.Random(7)


def values_name(release):
    stem = release[3:] if release.startswith("bk-") else release
    return {"bk-elastic": "elasticsearch"}.get(release, stem)


def values_file(release, size):
    """A values file of about `size` bytes: components with resources, env lists, flow collections, templates."""
    out = [f"## {release} 的 values（benchmark 输入，按 BlueKing 7.0.0 的写法生成）", "global:",
           "  imageRegistry: {{ .Values.imageRegistry }}", "  imagePullSecrets: []", ""]
    if release == "bk-elastic":
        out += ["security:", "  enabled: true", "  elasticPassword: {{ .Values.elasticsearch.password }}"]
        for name, cpu, mem in [("master", 2000, 2048), ("data", 2000, 4096), ("coordinating", 1000, 2048)]:
            out += [f"{name}:", "  replicas: 1", "  resources:", "    limits:", f"      cpu: {cpu}m",
                    f"      memory: {mem}Mi", "    requests:", "      memory: 256Mi", "      cpu: 200m",
                    "  persistence:", "    size: {{ .Values.elasticsearch.size }}", ""]
    n = 0
    while sum(len(line) + 1 for line in out) < size:
        n += 1
        out += [f"# component{n}：资源配额与启动参数", f"component{n}:", "  enabled: true",
                f"  image: {{repository: blueking/{release}-c{n}, tag: \"1.{n}.{rng.randint(0, 9)}\"}}",
                "  resources:", "    limits:", f"      cpu: {rng.choice([500, 1000, 2000])}m",
                f"      memory: {rng.choice([512, 1024, 2048])}Mi", "    requests: {cpu: 100m, memory: 256Mi}",
                "  env:", "    - name: BK_HOST", "      value: {{ .Values.domain.bkDomain | quote }}",
                "    - name: JAVA_OPTS", f"      value: \"-Xms256m -Xmx{rng.choice([512, 1024])}m\"",
                f"  ports: [ {8000 + n}, {9000 + n} ]",
                "  {{- if .Values.bkDomainScheme }}", "  scheme: {{ .Values.bkDomainScheme }}", "  {{- end }}", ""]
    return "\n".join(out) + "\n"


def helmfile(name, releases):
    out = ["bases:", "  - env.yaml", "---", "bases:", "  - defaults.yaml", "---",
           "## Helmfile runs various helm commands to converge the current state in the live cluster.",
           "commonLabels:", "  tier: " + name.split(".")[0], "", "releases:"]
    for release in releases:
        stem = values_name(release)
        out += [f"  - name: {release}", "    namespace: {{ .Values.namespace }}",
                f"    chart: ./charts/{stem}-{{{{ index .Values.version \"{release}\" }}}}.tgz",
                "    missingFileHandler: Warn", f"    version: {{{{ index .Values.version \"{release}\" }}}}",
                "    # wait for k8s resources via --wait. (default false)", "    wait: true", "    values:",
                f"    - ./environments/default/{stem}-values.yaml.gotmpl",
                f"    - ./environments/default/{stem}-custom-values.yaml.gotmpl", ""]
    return "\n".join(out)


def main():
    root = sys.argv[1]
    env = os.path.join(root, "environments", "default")
    os.makedirs(env, exist_ok=True)
    write = lambda rel, text: open(os.path.join(root, rel), "w", encoding="utf-8").write(text)
    total = 0
    for name, releases in HELMFILES.items():
        text = helmfile(name, releases)
        write(name, text)
        total += len(text)
        for release in releases:
            text = values_file(release, rng.choice([300, 800, 1500, 2500, 4000, 5500, 8600, 16000]))
            write(os.path.join("environments", "default", f"{values_name(release)}-values.yaml.gotmpl"), text)
            total += len(text)
    for name in OTHER_HELMFILES:
        write(name, "bases:\n  - env.yaml\n---\n# no releases here\nhelmDefaults:\n  timeout: 600\n")
    write("env.yaml", "environments:\n  default:\n    values:\n    - environments/default/version.yaml\n"
                      "    - environments/default/values.yaml\n    - environments/default/custom.yaml\n")
    write("defaults.yaml", "helmDefaults:\n  wait: true\n  timeout: 600\n  createNamespace: true\n")
    # ~280 lines of block mappings with comments, like 7.0.0's environments/default/values.yaml.
    lines = ["##### Global Settings", "# 配置蓝鲸安装的 namespace", "namespace: blueking",
             "# 其他域名根据 bkDomain 拼接而成", "domain:", "  bkDomain: bkce7.bktencent.com",
             "  bkMainSiteDomain: bkce7.bktencent.com", "imageRegistry: hub.bktencent.com",
             "elasticsearch:", "  size: 10Gi", "  password: \"changeme\""]
    for i in range(38):
        lines += [f"## 组件 {i} 的开关与存储", f"component{i}:", "  enabled: true", f"  replicas: {i % 3 + 1}",
                  "  storage:", f"    size: {10 + i}Gi", "    storageClass: local-storage", ""]
    write(os.path.join("environments", "default", "values.yaml"), "\n".join(lines) + "\n")
    write(os.path.join("environments", "default", "version.yaml"),
          "version:\n" + "".join(f"  {r}: 1.0.{i}\n" for i, r in enumerate(sum(HELMFILES.values(), []))))
    write(os.path.join("environments", "default", "elasticsearch-custom-values.yaml.gotmpl"),
          "# 按 FAQ 调整 pod 的资源配额\nmaster:\n  resources:\n    limits:\n      cpu: 2000m\n      memory: 2048Mi\n")
    print(f"{root}: {len(HELMFILES)} helmfiles, {sum(map(len, HELMFILES.values()))} releases, ~{total // 1024} KB")


if __name__ == "__main__":
    main()
