#!/usr/bin/env python3
"""The YAML quota-edit benchmark (issue 3): the same edit on a ~200-line values file, as whole processes, in one
run, against ruamel.yaml round-trip and `ansible-playbook --check --diff` with `replace`.

Edit: dispatch.resources.limits.cpu 500m -> 1000m and memory 1500Mi -> 3000Mi (what raise-quota does).
Prints a markdown table (median wall time, ratio to bkfix, collateral changed lines) and writes it to
bench/out/yaml-results.md. See bench/README.md."""
import argparse, difflib, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "bench", "out")
VENV = os.path.join(OUT, "venv")
EDITS = ["dispatch.resources.limits.cpu=1000m", "dispatch.resources.limits.memory=3000Mi"]
TARGET_LINES = 2


def collateral(before: str, after: str) -> int:
    """Lines changed besides the target lines."""
    removed = added = 0
    for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0):
        if line.startswith("---") or line.startswith("+++"):
            continue
        if line.startswith("-"):
            removed += 1
        elif line.startswith("+"):
            added += 1
    return max(removed, added) - TARGET_LINES


def timed(argv, env=None, cwd=None):
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr.decode()[-2000:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--bkfix", help="path to a built bkfix with `plan` (adds the CLI row)")
    args = parser.parse_args()

    harness = os.path.join(OUT, "yaml-splice")
    python = os.path.join(VENV, "bin", "python")
    ansible = os.path.join(VENV, "bin", "ansible-playbook")
    for path, hint in [(harness, "bench/yaml/build-harness.sh"), (python, "the venv setup in bench/README.md"),
                       (ansible, "the venv setup in bench/README.md")]:
        if not os.path.exists(path):
            sys.exit(f"missing {path}: run {hint}")

    work = tempfile.mkdtemp(prefix="bkfix-yaml-bench-")
    source = os.path.join(work, "values.yaml")
    subprocess.run([sys.executable, os.path.join(HERE, "make-values.py"), source], check=True, stdout=subprocess.DEVNULL)
    original = open(source, encoding="utf-8").read()
    env = dict(os.environ, ANSIBLE_NOCOWS="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0")

    def fresh(name):
        path = os.path.join(work, name)
        shutil.copyfile(source, path)
        return path

    tools = {
        "bkfix (YAMLSplice, whole process)": lambda f: [harness, f] + EDITS,
        "ruamel.yaml round-trip": lambda f: [python, os.path.join(HERE, "ruamel_edit.py"), f] + EDITS,
        "ansible-playbook --check --diff (replace)": lambda f: [
            ansible, "-i", "localhost,", "-c", "local", os.path.join(HERE, "replace.yml"), "-e", f"file={f}",
            "-e", f"ansible_python_interpreter={python}", "--check", "--diff"],
    }
    cli = None
    if args.bkfix:
        probe = subprocess.run([args.bkfix, "plan", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if probe.returncode == 0:
            # A work dir under --root, at the host path /data/bkce/blueking.
            root = os.path.join(work, "root")
            blueking = os.path.join(root, "data", "bkce", "blueking")
            os.makedirs(os.path.join(blueking, "environments", "default"))
            open(os.path.join(blueking, "base.yaml.gotmpl"), "w").write(
                "releases:\n  - name: bk-bench\n    namespace: blueking\n    values:\n"
                "    - ./environments/default/bench-values.yaml.gotmpl\n"
                "    - ./environments/default/bench-custom-values.yaml.gotmpl\n")
            shutil.copyfile(source, os.path.join(blueking, "environments", "default", "bench-custom-values.yaml.gotmpl"))
            cli = lambda f: [args.bkfix, "plan", "raise-quota", "-p", "release=bk-bench", "-p", "component=dispatch",
                             "--root", root, "--install-dir", "/data/bkce"]
            tools["bkfix plan raise-quota (CLI)"] = cli
        else:
            print(f"note: {args.bkfix} has no `plan` yet; CLI row skipped", file=sys.stderr)

    # Collateral lines: one real (non-check) run of each editor on its own copy.
    collateral_lines = {}
    for name, argv in tools.items():
        if "CLI" in name:
            collateral_lines[name] = "(plan only)"
            continue
        path = fresh("collateral.yaml")
        command = [a for a in argv(path) if a not in ("--check",)]
        timed(command, env=env, cwd=work)
        collateral_lines[name] = collateral(original, open(path, encoding="utf-8").read())

    times = {name: [] for name in tools}
    for _ in range(args.runs):
        for name, argv in tools.items():  # interleaved, so drift hits every tool alike
            path = fresh("run.yaml")
            times[name].append(timed(argv(path), env=env, cwd=work))

    base = statistics.median(times["bkfix (YAMLSplice, whole process)"])
    lines = [f"Input: {original.count(chr(10))}-line values file; edit: {', '.join(EDITS)}; {args.runs} runs each, "
             "interleaved; whole processes.", "",
             "| tool | median ms | × bkfix | collateral lines |", "|---|---:|---:|---:|"]
    for name in tools:
        median = statistics.median(times[name])
        lines.append(f"| {name} | {median * 1000:.1f} | {median / base:.1f} | {collateral_lines[name]} |")
    report = "\n".join(lines)
    print(report)
    os.makedirs(OUT, exist_ok=True)
    open(os.path.join(OUT, "yaml-results.md"), "w").write(report + "\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
