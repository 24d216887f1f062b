#!/usr/bin/env bash
# bench/state rows (contract: bench/README.md): the dry run and the recorded apply of hub-hosts against
# ansible-playbook lineinfile on the same hosts file, history at 10 / 1,000 / 10,000 runs against git log --grep,
# apply at run 10 against run 10,000, and the repo size at 10,000 runs.
#
# The 10 / 1,000 / 10,000-run repos are grown by bench/state/seed (RunStore.recordPreImages + commitRun, exactly
# as apply and rollback record runs, one run every 2 hours ending now) from one real apply/rollback pair made
# here by $BKFIX; fsync is turned off while seeding only (LD_PRELOAD), which changes no byte of the repo. They
# are cached in $OUT and grown again when the code that shapes them changes (RESEED=1 forces it; ~10 minutes).
set -euo pipefail
: "${BKFIX:?}" "${VENV:?}" "${RUNS:?}" "${OUT:?}" "${MEASURE:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
M() { python3 "$MEASURE" "$@"; }

# --- inputs: a hosts file like a BlueKing node's, the real apply/rollback records, the seeder -------------------
mkdir -p "$OUT/root/etc" "$OUT/ansible"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n# BlueKing nodes\n10.0.0.11 node-1\n10.0.0.12 node-2\n10.0.0.13 node-3\n' > "$OUT/before"
cp "$OUT/before" "$OUT/root/etc/hosts"

OUT="$OUT" "$HERE/build-seeder.sh" >&2
cc -shared -fPIC -O2 -o "$OUT/nofsync.so" -x c - <<'C'
int fsync(int fd) { (void)fd; return 0; }
int fdatasync(int fd) { (void)fd; return 0; }
C
# Re-seeded when the code that shapes the repo changes (or RESEED=1), not on every build.
stamp=$(git log -1 --format=%H -- bench/state/seed Sources/BKFix/State Sources/BKFix/Engine/RunStore.swift \
    Sources/BKFix/Engine/RunTrailers.swift Sources/BKFix/Engine/RunIndex.swift Sources/BKFix/Engine/RunSummary.swift)
if [ "${RESEED:-0}" = 1 ] || [ "$(cat "$OUT/repos.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "seeding the 10 / 1,000 / 10,000-run state repos (minutes)" >&2
    rm -rf "$OUT/template" "$OUT"/runs-*
    "$BKFIX" apply hub-hosts --yes --root "$OUT/root" --state "$OUT/template" > /dev/null 2>&1
    cp "$OUT/root/etc/hosts" "$OUT/after"
    "$BKFIX" rollback --last --yes --root "$OUT/root" --state "$OUT/template" > /dev/null 2>&1
    records=$(git -C "$OUT/template" log -2 --format='%(trailers:key=Record,valueonly,separator=)')
    git -C "$OUT/template" show "HEAD:$(echo "$records" | sed -n 1p)" > "$OUT/rollback.json"
    git -C "$OUT/template" show "HEAD~1:$(echo "$records" | sed -n 2p)" > "$OUT/apply.json"
    for n in 10 1000 10000; do
        LD_PRELOAD="$OUT/nofsync.so" "$OUT/seed" "$OUT/runs-$n" "$n" "$OUT/apply.json" "$OUT/rollback.json" \
            "$OUT/before" "$OUT/after" >&2
    done
    echo "$stamp" > "$OUT/repos.stamp"
fi
cp "$OUT/before" "$OUT/root/etc/hosts"

# --- the peer: ansible-playbook lineinfile, the same edit on the same file ---------------------------------------
cat > "$OUT/ansible/hub-hosts.yml" <<YAML
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: pin hub.bktencent.com
      ansible.builtin.lineinfile:
        path: "$OUT/root/etc/hosts"
        regexp: '^\S+\s+hub\.bktencent\.com(\s|$)'
        line: "49.234.165.79 hub.bktencent.com"
YAML
export ANSIBLE_HOME="$OUT/ansible/home" ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
ANSIBLE="$VENV/bin/ansible-playbook -i localhost, $OUT/ansible/hub-hosts.yml"
restore_hosts="cp $OUT/before $OUT/root/etc/hosts"

read -r b p < <(M pair --runs "$RUNS" --a "$BKFIX plan hub-hosts --root $OUT/root" --b "$ANSIBLE --check --diff" \
    --a-before "$restore_hosts" --b-before "$restore_hosts")
M row "dry run: \`plan hub-hosts\` vs \`ansible-playbook --check --diff\` (lineinfile)" "$b" "$p" "≥ 50×" 'r >= 50'

fresh() { echo "rm -rf $OUT/work && cp -a $OUT/runs-$1 $OUT/work && $restore_hosts"; }
read -r b p < <(M pair --runs "$RUNS" --a "$BKFIX apply hub-hosts --yes --root $OUT/root --state $OUT/work" \
    --b "$ANSIBLE" --a-before "$(fresh 10)" --b-before "$restore_hosts")
M row "recorded apply: \`apply hub-hosts --yes\` (run 11) vs \`ansible-playbook\` (lineinfile)" "$b" "$p" "≥ 30×" 'r >= 30'

# --- history -------------------------------------------------------------------------------------------------------
label() { case $1 in 10) echo 10 ;; 1000) echo 1,000 ;; 10000) echo 10,000 ;; esac; }
for n in 10 1000 10000; do
    ms=$(M one --runs "$RUNS" --cmd "$BKFIX history --limit 10 --state $OUT/runs-$n")
    if [ "$n" = 10000 ]; then goal="≤ 50 ms"; check='b <= 50'; else goal="—"; check=-; fi
    M row "\`history --limit 10\` at $(label "$n") runs" "$ms" - "$goal" "$check"
done
for n in 1000 10000; do
    read -r b p < <(M pair --runs "$RUNS" --a "$BKFIX history --playbook hub-hosts --json --state $OUT/runs-$n" \
        --b "git -C $OUT/runs-$n log --grep 'Playbook: hub-hosts'")
    if [ "$n" = 10000 ]; then goal="≥ 2× faster"; check='r >= 2'; else goal="no slower"; check='r >= 1'; fi
    M row "\`history --playbook hub-hosts --json\` vs \`git log --grep 'Playbook: hub-hosts'\`, $(label "$n") runs" \
        "$b" "$p" "$goal" "$check"
done
for flags in "" "--json"; do
    ms=$(M one --runs "$RUNS" --cmd "$BKFIX history $flags --state $OUT/runs-10000")
    M row "\`history${flags:+ $flags}\` (all 10,000 runs)" "$ms" - "≤ 1 s" 'b <= 1000'
done

# --- apply cost against history length, repo size ---------------------------------------------------------------
read -r b p < <(M pair --runs "$RUNS" --a "$BKFIX apply hub-hosts --yes --root $OUT/root --state $OUT/work" \
    --b "$BKFIX apply hub-hosts --yes --root $OUT/root --state $OUT/work" --a-before "$(fresh 10000)" \
    --b-before "$(fresh 10)")
M row "\`apply hub-hosts --yes\` at run 10,001 (bkfix) vs at run 11 (peer column)" "$b" "$p" "within 1.2×" 'b <= 1.2 * p'

size=$(du -sm "$OUT/runs-10000" | cut -f1)
M row "state repo size at 10,000 runs (\`du -sh\`; $(git -C "$OUT/runs-10000" count-objects -v | tr '\n' ' ' | sed 's/size-garbage.*//'))" \
    "$size MB" - "≤ 20 MB" "$size <= 20"
