#!/usr/bin/env python3
"""Writes an /etc/hosts with the usual header and 200,000 blocklist lines (`0.0.0.0 name`, ~8.9 MB), with a stale
`hub.bktencent.com` mapping in the middle that hub-hosts must replace. Usage: make-hosts.py OUT [LINES]"""
import random, sys

out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
rng = random.Random(10)
words = ["ads", "track", "pixel", "metrics", "beacon", "stats", "analytics", "promo", "banner", "click"]
lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "10.0.0.5\tbk-master-1",
         "# blocklist (generated for the benchmark)"]
for i in range(count):
    if i == count // 2:
        lines.append("10.0.0.9 hub.bktencent.com")
    name = f"{rng.choice(words)}-{i:07d}.{rng.choice(words)}{rng.randint(0, 9999):04d}.example.net"
    lines.append(f"0.0.0.0 {name}")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(f"{out}: {len(lines)} lines, {len(text) / 1e6:.1f} MB")
