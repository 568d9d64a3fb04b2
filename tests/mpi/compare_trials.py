#!/usr/bin/python3
"""Compares two trial tables (`knntune trials --format csv`) cell by cell, leaving out the
columns that measure time, which no two runs share. Exit 0 when they match, 1 with the first
difference otherwise."""
import csv
import sys

TIMING = {"start_time", "end_time", "duration", "fit_seconds", "eval_seconds"}


def table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    keep = [i for i, name in enumerate(header) if name not in TIMING]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in body]


def main():
    (ha, a), (hb, b) = table(sys.argv[1]), table(sys.argv[2])
    if ha != hb:
        print(f"columns differ:\n  {ha}\n  {hb}")
        return 1
    if len(a) != len(b):
        print(f"{sys.argv[1]} has {len(a)} trials, {sys.argv[2]} has {len(b)}")
        return 1
    for ra, rb in zip(a, b):
        if ra != rb:
            diff = [f"{h}: {x} != {y}" for h, x, y in zip(ha, ra, rb) if x != y]
            print(f"trial {ra[ha.index('number')] if 'number' in ha else '?'} differs: " + "; ".join(diff))
            return 1
    print(f"{len(a)} trials match ({len(ha)} columns, timings left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
