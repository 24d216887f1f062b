#!/usr/bin/env bash
# bench/nodes rows (contract: bench/README.md): `apply hub-hosts` on 10 nodes over ssh against ansible-playbook
# lineinfile with forks 5 and forks 10 and pipelining, on the same 10 hosts files.
#
# The 10 nodes are 10 inventory entries for one real sshd on 127.0.0.1 (its own host key, client key and config in
# $OUT, a free port), each with its own root folder ($OUT/nodes/node-NN), so each node has its own /etc/hosts. bkfix
# runs with its default --forks 10; both sides use ControlMaster (ansible's default ssh_args, bkfix's own master).
# Sessions get HOME=$OUT/home (empty, sshd's SetEnv): the shell sshd starts for every session reads ~/.bashrc, and a
# heavy one (this machine's root runs `pyenv init`: ~200 ms of CPU per session) would measure the login shell, not
# bkfix or ansible. Run with BASHRC=1 to keep the user's HOME and see that cost.
# Before each timed run every hosts file is restored and bkfix gets a fresh copy of a 1-run state repo (untimed).
# The sshd is stopped when this script ends.
set -euo pipefail
: "${BKFIX:?}" "${VENV:?}" "${RUNS:?}" "${OUT:?}" "${MEASURE:?}"
M() { python3 "$MEASURE" "$@"; }

# --- the sshd playing the 10 nodes ----------------------------------------------------------------------------------
SSHD=$OUT/sshd
rm -rf "$SSHD" "$OUT/nodes" "$OUT/cm" "$OUT/ansible"
mkdir -p "$SSHD" "$OUT/ansible" "$OUT/home"
install -d -m 700 "$OUT/cm" "$OUT/ansible/cp"
ssh-keygen -q -t ed25519 -N '' -f "$SSHD/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$SSHD/client_key"
cp "$SSHD/client_key.pub" "$SSHD/authorized_keys"
[ "$(id -u)" != 0 ] || install -d -m 755 /run/sshd
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$SSHD/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $SSHD/host_key
AuthorizedKeysFile $SSHD/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $SSHD/sshd.pid
LogLevel ERROR
MaxStartups 100
MaxSessions 100
CONF
[ "${BASHRC:-0}" = 1 ] || echo "SetEnv HOME=$OUT/home" >> "$SSHD/sshd_config"
/usr/sbin/sshd -f "$SSHD/sshd_config" -E "$SSHD/sshd.log"
stop_sshd() {
    for socket in "$OUT"/cm/* "$OUT"/ansible/cp/*; do
        [ -S "$socket" ] && ssh -o ControlPath="$socket" -O exit x >/dev/null 2>&1 || true
    done
    [ -f "$SSHD/sshd.pid" ] && kill "$(cat "$SSHD/sshd.pid")" 2>/dev/null || true
}
trap stop_sshd EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
    sleep 0.1
done
USER_NAME=$(id -un)

# --- 10 nodes: a root each, one inventory for bkfix, one for ansible --------------------------------------------------
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n# BlueKing nodes\n10.0.0.11 node-1\n10.0.0.12 node-2\n10.0.0.13 node-3\n' > "$OUT/before"
echo "nodes:" > "$OUT/inventory.yaml"
echo "[nodes]" > "$OUT/ansible/inventory.ini"
restore="true"
for n in $(seq -w 1 10); do
    node=node-$n
    mkdir -p "$OUT/nodes/$node/etc"
    cp "$OUT/before" "$OUT/nodes/$node/etc/hosts"
    restore="$restore && cp $OUT/before $OUT/nodes/$node/etc/hosts"
    cat >> "$OUT/inventory.yaml" <<YAML
  - name: $node
    address: 127.0.0.1
    user: $USER_NAME
    port: $PORT
    key: $SSHD/client_key
    known_hosts: $SSHD/known_hosts
    strict: false
    connect_timeout: 10
    root: $OUT/nodes/$node
    control_dir: $OUT/cm
YAML
    echo "$node ansible_host=127.0.0.1 ansible_port=$PORT node_root=$OUT/nodes/$node" >> "$OUT/ansible/inventory.ini"
done

# bkfix: a state repo with one run in it (the first run creates the repo, which is not what is measured).
mkdir -p "$OUT/control/etc"
cp "$OUT/before" "$OUT/control/etc/hosts"
rm -rf "$OUT/template"
"$BKFIX" apply hub-hosts --yes --root "$OUT/control" --state "$OUT/template" > /dev/null 2>&1
BK="$BKFIX apply hub-hosts -p targets=nodes --yes --inventory $OUT/inventory.yaml --root $OUT/control --state $OUT/work"
# One run by hand: it must apply on every node (and leave every hosts file pinned).
sh -c "$restore && rm -rf $OUT/work && cp -a $OUT/template $OUT/work"
$BK > "$OUT/bkfix-check.log" 2>&1 || { cat "$OUT/bkfix-check.log" >&2; exit 1; }
for n in $(seq -w 1 10); do
    grep -q '^49.234.165.79 hub.bktencent.com$' "$OUT/nodes/node-$n/etc/hosts" || { echo "node-$n not pinned" >&2; exit 1; }
done

# --- the peer: ansible-playbook lineinfile over ssh, pipelining on ---------------------------------------------------
cat > "$OUT/ansible/hub-hosts.yml" <<'YAML'
- hosts: nodes
  gather_facts: false
  tasks:
    - name: pin hub.bktencent.com
      ansible.builtin.lineinfile:
        path: "{{ node_root }}/etc/hosts"
        regexp: '^\S+\s+hub\.bktencent\.com(\s|$)'
        line: "49.234.165.79 hub.bktencent.com"
YAML
export ANSIBLE_HOME="$OUT/ansible/home" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False \
    ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python" ANSIBLE_PIPELINING=True ANSIBLE_HOST_KEY_CHECKING=False \
    ANSIBLE_REMOTE_USER="$USER_NAME" ANSIBLE_PRIVATE_KEY_FILE="$SSHD/client_key" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$OUT/ansible/cp" ANSIBLE_SSH_ARGS="-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$SSHD/known_hosts"
ANSIBLE="$VENV/bin/ansible-playbook -i $OUT/ansible/inventory.ini $OUT/ansible/hub-hosts.yml"
sh -c "$restore"
$ANSIBLE -f 10 > "$OUT/ansible-check.log" 2>&1 || { cat "$OUT/ansible-check.log" >&2; exit 1; }
grep -q 'changed=1' "$OUT/ansible-check.log" || { cat "$OUT/ansible-check.log" >&2; exit 1; }

bk_before="$restore && rm -rf $OUT/work && cp -a $OUT/template $OUT/work"
# Cold on both sides: bkfix opens its master in each run and closes it at the end; ansible's master would outlive a
# run by ControlPersist=60s and serve the next one for free, so it is closed before each run (untimed). Runs minutes
# apart, as fixes are, both pay the connection.
close_ansible="for s in $OUT/ansible/cp/*; do [ -S \"\$s\" ] && ssh -o ControlPath=\"\$s\" -O exit x 2>/dev/null; done; true"
for forks in 5 10; do
    read -r b p < <(M pair --runs "$RUNS" --a "$BK" --b "$ANSIBLE -f $forks" --a-before "$bk_before" \
        --b-before "$restore; $close_ansible")
    M row "10 nodes over ssh: \`apply hub-hosts\` (--forks 10) vs \`ansible-playbook -f $forks\` (lineinfile, pipelining)" \
        "$b" "$p" "≥ 5×" 'r >= 5'
done
