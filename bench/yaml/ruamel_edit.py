#!/usr/bin/env python3
"""The closest peer that keeps comments: a ruamel.yaml round-trip. Usage: ruamel_edit.py FILE path=value..."""
import sys
from ruamel.yaml import YAML

yaml = YAML()  # round-trip mode
yaml.preserve_quotes = True
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    data = yaml.load(f)
for assignment in sys.argv[2:]:
    keys, value = assignment.split("=", 1)
    node = data
    parts = keys.split(".")
    for key in parts[:-1]:
        node = node.setdefault(key, {})
    node[parts[-1]] = value
with open(path, "w", encoding="utf-8") as f:
    yaml.dump(data, f)
