#!/usr/bin/env python3
"""Generates a large setup_bkce7.sh / helmfile log (default 200 MB) for the text diagnosis benchmark.

Usage: gen_log.py OUT.log [MB]
Realistic noise (timestamps, colours, helmfile and kubectl output, Chinese lines, bash -x traces) with a handful
of known errors buried in it, the last one on the final line, so a correct run reports exactly these cases:
chart-download-failed, kubelet-unreachable, release-timeout, helmfile-not-found.
"""
import os, random, sys

NOISE = [
    "[{ts}] [INFO] installing {rel}",
    "Building dependency release={rel}, chart=blueking/{rel}",
    "Release \"{rel}\" has been upgraded. Happy Helming!",
    "NAME: {rel}\nLAST DEPLOYED: Thu Nov 26 10:00:00 2026\nNAMESPACE: blueking\nSTATUS: deployed\nREVISION: 3",
    "\x1b[32m[{ts}] [INFO]\x1b[0m {rel} 部署成功",
    "+ helmfile -f base-blueking.yaml.gotmpl -l name={rel} sync",
    "blueking    {rel}-web-7c9c8d7f5-2lq8x     1/1     Running     0          41m",
    "Upgrading release={rel}, chart=blueking/{rel}",
    "Listing releases matching ^{rel}$",
    "{ts} Pulling fs layer",
    "  Normal  Pulled     2m    kubelet  Successfully pulled image \"hub.bktencent.com/blueking/{rel}:1.0.0\"",
    "Comparing release={rel}, chart=blueking/{rel}",
    "\x1b[1;34m[{ts}] [INFO]\x1b[0m waiting for {rel} to be ready (等待就绪)",
]
ERRORS = [
    "  Error: failed to download \"blueking/bk-repo\" at version \"1.2.3\"",
    "Error from server: Get \"https://10.0.0.5:10250/containerLogs/blueking/bk-repo-0/gateway\": dial tcp 10.0.0.5:10250: connect: no route to host",
    "  Release \"bk-auth\" does not exist. Installing it now.\n  Error: timed out waiting for the condition",
]
RELEASES = ["bk-auth", "bk-paas", "bk-repo", "bk-ci", "bk-job", "bk-cmdb", "bk-iam", "bk-ssm", "bk-gse", "bk-nodeman"]

def main():
    out = sys.argv[1]
    target = int(sys.argv[2] if len(sys.argv) > 2 else 200) * 1024 * 1024
    rnd = random.Random(3)
    written = 0
    block_lines = []
    for i in range(4000):
        ts = f"2026-11-26 10:{(i // 60) % 60:02d}:{i % 60:02d}"
        block_lines.append(rnd.choice(NOISE).format(ts=ts, rel=rnd.choice(RELEASES)))
    block = ("\n".join(block_lines) + "\n").encode()
    errors_at = {int(target / len(block) * f) for f in (0.25, 0.5, 0.75)}
    with open(out, "wb") as f:
        n = 0
        while written + len(block) < target:
            f.write(block)
            written += len(block)
            if n in errors_at:
                line = ERRORS[sorted(errors_at).index(n)] + "\n"
                f.write(line.encode())
                written += len(line)
            n += 1
        f.write("scripts/setup_bkce7.sh: line 568: helmfile: command not found\n".encode())
    print(f"{out}: {os.path.getsize(out) / 1e6:.1f} MB")

if __name__ == "__main__":
    main()
