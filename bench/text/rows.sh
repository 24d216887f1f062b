#!/usr/bin/env bash
# Rows of the bench table for issue 10 items 4 and 5 (text editing at scale); contract in bench/README.md.
#   - plan raise-quota bk-elastic on a full 7.0.0-shaped work dir (make-workdir.py; WORKDIR=DIR plans on a real one
#     instead) vs a ruamel.yaml round trip of one value of the release's custom-values file;
#   - hub-hosts on a 9 MB hosts file of 200,000 blocklist lines with a stale hub.bktencent.com line in the middle
#     (make-hosts.py): `bkfix plan` vs `ansible-playbook --check --diff` with lineinfile, and `bkfix apply --yes`
#     (recorded, in a state repo restored before each run) vs the same playbook applied.
# Env: BKFIX, VENV, RUNS, OUT, MEASURE (bench/run sets them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${BKFIX:?}" "${VENV:?}" "${RUNS:?}" "${OUT:?}" "${MEASURE:?}"
py=$VENV/bin/python
ansible=$VENV/bin/ansible-playbook
export ANSIBLE_NOCOWS=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
export NO_COLOR=1

# Stand-ins a plan must not call: a plan that finds the limits in the values files asks no cluster.
mkdir -p "$OUT/bin"
for tool in kubectl helm helmfile; do
    printf '#!/bin/sh\necho "unexpected %s $*" >&2\nexit 99\n' "$tool" > "$OUT/bin/$tool"
    chmod +x "$OUT/bin/$tool"
done
export PATH=$OUT/bin:$PATH

# 1. Quota plan on a full work dir.
root=$OUT/quota-root
workdir=$root/data/bkce/blueking
rm -rf "$root"
if [ -n "${WORKDIR:-}" ]; then
    mkdir -p "$(dirname "$workdir")" && cp -r "$WORKDIR" "$workdir"
else
    python3 "$here/make-workdir.py" "$workdir"
fi
custom=$workdir/environments/default/elasticsearch-custom-values.yaml.gotmpl
[ -f "$custom" ] || printf 'master:\n  resources:\n    limits:\n      cpu: 2000m\n      memory: 2048Mi\n' > "$custom"
quota="$BKFIX plan raise-quota -p release=bk-elastic --root $root --install-dir /data/bkce --state $OUT/quota-state"
$quota | grep -q "master: cpu" || { echo "the quota plan did not raise bk-elastic's master" >&2; exit 1; }
read -r b p < <(python3 "$MEASURE" pair --runs "$RUNS" --a "$quota" \
    --b "$py $here/../yaml/ruamel_edit.py $OUT/ruamel-values.yaml master.resources.limits.cpu=4000m" \
    --b-before "cp $custom $OUT/ruamel-values.yaml")
python3 "$MEASURE" row "plan raise-quota bk-elastic, full 7.0.0 work dir, vs ruamel.yaml round trip of one value" \
    "$b" "$p" "≥ 10×" 'r >= 10'

# 2. hub-hosts on a big hosts file.
[ -f "$OUT/hosts.orig" ] || python3 "$here/make-hosts.py" "$OUT/hosts.orig"
mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$OUT/hosts.orig\") / 1e6:.1f} MB')")
hosts_root=$OUT/hosts-root
rm -rf "$hosts_root" "$OUT/hosts-state0"
mkdir -p "$hosts_root/etc"
cp "$OUT/hosts.orig" "$hosts_root/etc/hosts"
printf '127.0.0.1 localhost\n' > "$hosts_root/etc/hosts.init"
# A state repo with one run on another file, restored before each timed apply: the apply is run #2, not the first.
$BKFIX apply hub-hosts --yes -p file=/etc/hosts.init --root "$hosts_root" --state "$OUT/hosts-state0" > /dev/null 2>&1
playbook="$ansible -i localhost, -c local $here/hub-hosts.yml -e file=$OUT/peer-hosts -e ansible_python_interpreter=$py"
plan="$BKFIX plan hub-hosts --root $hosts_root --state $OUT/hosts-state0"
$plan | grep -q -- "-10.0.0.9 hub.bktencent.com" || { echo "the hub-hosts plan misses the stale line" >&2; exit 1; }
read -r b p < <(python3 "$MEASURE" pair --runs "$RUNS" --a "$plan" --b "$playbook --check --diff" \
    --b-before "cp $OUT/hosts.orig $OUT/peer-hosts")
python3 "$MEASURE" row "plan hub-hosts, $mb hosts file (200,000 lines), vs ansible --check --diff (lineinfile)" \
    "$b" "$p" "≥ 10×" 'r >= 10'
read -r b p < <(python3 "$MEASURE" pair --runs "$RUNS" \
    --a "$BKFIX apply hub-hosts --yes --root $hosts_root --state $OUT/hosts-state" \
    --a-before "rm -rf $OUT/hosts-state && cp -a $OUT/hosts-state0 $OUT/hosts-state && cp $OUT/hosts.orig $hosts_root/etc/hosts" \
    --b "$playbook" --b-before "cp $OUT/hosts.orig $OUT/peer-hosts")
grep -q "^49.234.165.79 hub.bktencent.com" "$hosts_root/etc/hosts" || { echo "apply did not pin the name" >&2; exit 1; }
python3 "$MEASURE" row "apply hub-hosts (recorded), $mb hosts file, vs ansible-playbook (lineinfile)" \
    "$b" "$p" "≥ 10×" 'r >= 10'
