#!/usr/bin/python3
"""Exit 0 when two JSON files hold the same values, leaving out every key that names seconds
(timings, which no two runs share); 1 otherwise, naming the first difference."""
import json
import sys


def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if "seconds" not in k}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


def first_difference(a, b, where="$"):
    if type(a) is not type(b):
        return f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}: only in one file"
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} entries != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{where}: {a!r} != {b!r}"


a, b = (strip(json.load(open(p))) for p in sys.argv[1:3])
d = first_difference(a, b)
if d:
    print(f"{sys.argv[1]} and {sys.argv[2]} differ at {d}")
sys.exit(1 if d else 0)
