#!/usr/bin/env python3
"""Timing helper for bench/*/rows.sh (the contract is in bench/README.md).

  measure.py pair --runs N --a CMD --b CMD [--a-before SH] [--b-before SH]   -> "A_MS B_MS" (medians, alternated)
  measure.py one  --runs N --cmd CMD [--before SH]                           -> "MS" (median)
  measure.py row  WORK BKFIX PEER GOAL CHECK                                 -> one markdown table row

CMD is split like a shell word list (shlex) and executed directly, without a shell, so neither side pays for one;
write `sh -c '...'` when a command needs pipes or redirections. Its stdout and stderr go to /dev/null. A command
that exits non-zero stops the measurement with its argv and stderr. SH (the untimed preparation run before each
timed run, e.g. restoring a file) is run by /bin/sh.

In `row`, BKFIX and PEER are milliseconds (numbers), or any other text printed as is (a size, '-'); CHECK is a
Python expression over b (bkfix ms), p (peer ms) and r (p / b, how many times faster bkfix is), e.g. 'b <= 50' or
'r >= 2'; '-' means no goal to check.
"""
import argparse
import shlex
import statistics
import subprocess
import sys
import time


def run_once(cmd, before):
    if before:
        subprocess.run(["/bin/sh", "-c", before], check=True, stdout=subprocess.DEVNULL)
    argv = shlex.split(cmd)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"measure.py: {argv} exited {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def human_ms(ms):
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    return f"{ms:.1f} ms"


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    pair = sub.add_parser("pair")
    pair.add_argument("--runs", type=int, default=5)
    pair.add_argument("--a", required=True)
    pair.add_argument("--b", required=True)
    pair.add_argument("--a-before")
    pair.add_argument("--b-before")
    one = sub.add_parser("one")
    one.add_argument("--runs", type=int, default=5)
    one.add_argument("--cmd", required=True)
    one.add_argument("--before")
    row = sub.add_parser("row")
    for name in ["work", "bkfix", "peer", "goal", "check"]:
        row.add_argument(name)
    args = parser.parse_args()

    if args.mode == "pair":
        a, b = [], []
        for _ in range(args.runs):
            a.append(run_once(args.a, args.a_before))
            b.append(run_once(args.b, args.b_before))
        print(f"{statistics.median(a):.3f} {statistics.median(b):.3f}")
    elif args.mode == "one":
        times = [run_once(args.cmd, args.before) for _ in range(args.runs)]
        print(f"{statistics.median(times):.3f}")
    else:
        b, p = number(args.bkfix), number(args.peer)
        ratio = f"{p / b:.1f}×" if b and p else "—"
        met = "—"
        if args.check != "-":
            scope = {"b": b, "p": p, "r": (p / b if b and p else None)}
            try:
                met = "yes" if eval(args.check, {}, scope) else "no"
            except TypeError:
                met = "?"
        cells = [
            args.work,
            human_ms(b) if b is not None else args.bkfix,
            human_ms(p) if p is not None else (args.peer if args.peer != "-" else "—"),
            ratio,
            args.goal,
            met,
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
