#!/usr/bin/env bash
# Real-OS fleet: N "hosts" on this one machine, each a network namespace + UTS + PID + private mount namespace,
# running real OpenSSH sshd, real HAProxy (started through a SIMULATED systemctl shim) and, on request, real etcd
# and an apiserver stand-in. Only the fleet's own addresses (a /16 test range) and loopback are ever used:
# the hosts get no default route, so they cannot reach anything beyond the bridge.
#
# Usage (as root):
#   fleet.sh up N [--hostnames a,b,c] [--java-classpath CP] [--sim-main CLASS [--sim-property NAME=VALUE]...]
#                 [--owner-pid PID]
#                                                             start N hosts (tears down a stale fleet of the same name
#                                                             first; refuses one whose owner process still lives)
#   fleet.sh down                                             tear everything down (idempotent, also without state)
#   fleet.sh exec HOST -- CMD...                              run CMD inside HOST (all its namespaces)
#   fleet.sh ip HOST | list | status
#   fleet.sh apiserver start|stop HOST                        apiserver stand-in (Java, TLS, GET /readyz) on HOST:6443
#   fleet.sh etcd start|stop HOST                             real etcd (Debian etcd-server) on HOST:2379 (single member);
#                                                             etcdctl only through the crictl shim (crictl-shim.sh)
#   fleet.sh bench N                                          start N hosts, print start time and memory per host, tear down
#
# Environment: EPIPHANY_FLEET_NAME (1-4 chars [a-z0-9], default "epf"), EPIPHANY_FLEET_OCTET (second octet of the
# 10.X.0.0/16 range, default 201), EPIPHANY_FLEET_PARALLEL (host setups in parallel, default 8),
# EPIPHANY_FLEET_SIM_SERVER (0: no resident SIMULATED program server per host, one JVM per call; default 1).
# Layout: /run/epiphany-fleet/NAME/{known_hosts,id_ecdsa,hosts.tsv,hosts/HOST/...}; see README.md next to this file.
set -euo pipefail

FLEET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="${EPIPHANY_FLEET_NAME:-epf}"
OCTET="${EPIPHANY_FLEET_OCTET:-201}"
PARALLEL="${EPIPHANY_FLEET_PARALLEL:-8}"
STATE="/run/epiphany-fleet/$NAME"
BRIDGE="${NAME}br0"
BRIDGE_IP="10.$OCTET.0.1"
SSH_USER="epiphany"
HOST_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

die() { echo "fleet.sh: $*" >&2; exit 1; }
log() { echo "fleet.sh: $*" >&2; }

[[ "$NAME" =~ ^[a-z0-9]{1,4}$ ]] || die "EPIPHANY_FLEET_NAME must be 1-4 characters [a-z0-9], got '$NAME'"
[[ "$OCTET" =~ ^[0-9]{1,3}$ && "$OCTET" -le 255 ]] || die "EPIPHANY_FLEET_OCTET must be 0-255, got '$OCTET'"

require_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, mounts); run it with sudo"; }

# Host i (1-based) gets 10.OCTET.(i/250).(i%250+1); the bridge is 10.OCTET.0.1.
host_ip() { local i=$1; echo "10.$OCTET.$(( i / 250 )).$(( i % 250 + 1 ))"; }
netns_of() { echo "$NAME-h$1"; }

# hosts.tsv: index, hostname, ip, outer pid of the namespace init (filled once the host is up)
lookup() {
  local host=$1
  [[ -f "$STATE/hosts.tsv" ]] || die "no fleet '$NAME' is up (no $STATE/hosts.tsv); run 'fleet.sh up N' first"
  awk -v h="$host" '$2 == h { print; found=1 } END { exit !found }' "$STATE/hosts.tsv" \
    || die "no host '$host' in fleet '$NAME'; hosts: $(awk '{printf "%s ", $2}' "$STATE/hosts.tsv")"
}
init_pid_of() { cat "$STATE/hosts/$1/init.pid" 2>/dev/null || die "host '$1' has no init pid: is it up?"; }

# Runs a command inside a host: its network, UTS, PID and mount namespaces, with a clean environment.
in_host() {
  local host=$1; shift
  local pid; pid=$(init_pid_of "$host")
  nsenter -t "$pid" -m -u -n -p --wd=/ -- env -i PATH="$HOST_PATH" HOME=/root LANG=C.UTF-8 "$@" 9>&-  # never pass the up lock on
}

cmd_down() {
  require_root
  # Kill every process in the fleet's namespaces first (found through the kernel, not only through state files).
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NAME-h[0-9]+$" || true); do
    local pids; pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
  done
  local recorded=()
  if [[ -d "$STATE/hosts" ]]; then
    local f
    for f in "$STATE"/hosts/*/holder.pid "$STATE"/hosts/*/init.pid; do
      [[ -f "$f" ]] || continue
      recorded+=("$(cat "$f")")
      kill -KILL "$(cat "$f")" 2>/dev/null || true
    done
  fi
  # Wait (bounded) until the holders have exited; a zombie awaiting its reaper holds no namespace any more.
  local pid tries
  for pid in "${recorded[@]}"; do
    tries=0
    while [[ $tries -lt 50 ]] && [[ -e "/proc/$pid" ]] && [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; do
      sleep 0.1; tries=$((tries + 1))
    done
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NAME-h[0-9]+$" || true); do
    local tries=0
    while [[ -n "$(ip netns pids "$ns" 2>/dev/null)" && $tries -lt 50 ]]; do sleep 0.1; tries=$((tries + 1)); done
    ip netns del "$ns" 2>/dev/null || true
  done
  # veths die with their namespace; delete any host-side leftovers and the bridge.
  local link
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${NAME}v[0-9]+$" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  if [[ -d "$STATE" ]]; then
    # Mounts lived only in the hosts' private mount namespaces, which died with their processes.
    rm -rf --one-file-system "$STATE"
  fi
  return 0
}

# Hosts cannot see the machine's /root (hence ~/.m2) nor /run: copy the class path into the fleet, shown read-only in
# every host at /opt/epiphany-fleet/java, and keep the class path as the hosts see it.
install_java_classpath() {
  local classpath=$1 entry n=0 inside=()
  mkdir -p "$STATE/java"
  IFS=: read -r -a entries <<< "$classpath"
  for entry in "${entries[@]}"; do
    [[ -e "$entry" ]] || continue
    n=$((n + 1))
    local target; target=$(printf '%03d-%s' "$n" "$(basename "$entry")")
    if [[ -d "$entry" ]] && command -v jar >/dev/null; then
      # class-data sharing archives classes from jars only (a directory on the class path disables it)
      target+=.jar
      jar --create --file "$STATE/java/$target" -C "$entry" .
    else
      cp "$entry" "$STATE/java/$target"
    fi
    inside+=("/opt/epiphany-fleet/java/$target")
  done
  (IFS=:; echo "${inside[*]}") > "$STATE/java-classpath"
  cp "$STATE/java-classpath" "$STATE/java/classpath"
}

# SIMULATED programs: thin wrappers around the testkit's simulation (one implementation, the same as the in-process
# fleet's), first in PATH in every host. State the simulated cluster shares between hosts lives in
# /opt/epiphany-fleet/shared (the same directory in every host).
# Real-OS mode (-Depiphany.sim.real-os, see io.epiphany.testkit.sim.RealOsMode): the simulation routes through the
# host's REAL HAProxy, and when its kubelet starts a control plane's static pods it runs the apiserver stand-in hook.
# Host preparation (issue 11): swap, kernel modules, sysctls, the package managers and containerd are SIMULATED too,
# so the SDK's swapoff/modprobe/sysctl -p/apt-get install never reach this machine's kernel or package database
# (and host-init.sh blocks the real binaries inside the hosts as a second line). curl is split: downloads go to the
# simulation (it never dials anything), health checks (https://HOST:PORT/readyz|livez|healthz) to the REAL curl.
# stat is split the same way: only `stat -fc %T /sys/fs/cgroup` (the cgroup version) is the simulation's.
# $2...: system properties for the simulation (NAME=VALUE, e.g. epiphany.sim.bare=true), baked into epiphany-sim.
# The Kubernetes programs (and containerd, crictl) are in $STATE/sbin/k8s, which is not on any PATH: a host has them
# only once they are installed, as links in its own /usr/local/bin (SimulatedHostFiles keeps the links in step with
# the simulation: present on a ready host from the start, on a bare host after the SIMULATED apt-get/dnf installed
# them), so that `command -v kubeadm` tells the truth on a bare host too.
SIM_TOOLS="swapon swapoff modprobe lsmod apt-mark apt-cache"
SIM_K8S_TOOLS="kubeadm kubelet kubectl containerd"
# The resident simulation server's socket in every host (root only: the directory is 0700, the socket 0600).
SIM_SOCKET=/run/epiphany-sim/simulation.sock
install_simulation() {
  local main=$1 tool prop props=""; shift
  for prop in "$@"; do props+=" -D$prop"; done
  cat > "$STATE/sbin/epiphany-sim" <<WRAPPER
#!/bin/sh
# SIMULATED host programs (see fleet.sh install_simulation): runs the epiphany-testkit simulation, tool first.
# A root caller's call goes to the host's resident simulation server (SimulationServer, through epiphany-sim-client),
# which falls back here with EPIPHANY_SIM_NO_SERVER when it cannot serve the call.
# EPIPHANY_SIM_CLASS: another main class on the same class path and with the same properties (fleet set-up only).
# Otherwise each call is a new JVM: a class-data sharing archive of the simulation's classes, recorded once in the
# first host when the fleet comes up (EPIPHANY_SIM_RECORD_CDS), halves its start-up CPU. JVM warnings would go to
# stdout, which callers parse: only errors, on stderr.
if [ -z "\${EPIPHANY_SIM_CLASS:-}\${EPIPHANY_SIM_RECORD_CDS:-}\${EPIPHANY_SIM_NO_SERVER:-}" ] && [ -S $SIM_SOCKET ]; then
  exec /usr/local/sbin/epiphany-sim-client "\$@"
fi
unset EPIPHANY_SIM_NO_SERVER
ip=\$(ip -4 -o addr show dev eth0 | awk '{split(\$4, a, "/"); print a[1]; exit}')
cds=/opt/epiphany-fleet/shared/simulation-classes.jsa
if [ -n "\${EPIPHANY_SIM_RECORD_CDS:-}" ]; then share="-XX:ArchiveClassesAtExit=\$cds"
elif [ -f "\$cds" ]; then share="-XX:SharedArchiveFile=\$cds -Xshare:auto"
else share=-Xshare:auto; fi
exec java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \$share -Xlog:disable -Xlog:all=error:stderr \\
  -Depiphany.sim.shared=/opt/epiphany-fleet/shared \\
  -Depiphany.sim.ip="\$ip" -Depiphany.sim.real-os=true -Depiphany.sim.static-pods-hook=/usr/local/sbin/epiphany-apiserver-standin \\
  -Depiphany.sim.etcd-hook=/usr/local/sbin/epiphany-etcd -Depiphany.sim.etcdctl=/opt/epiphany-fleet/etcd/etcdctl$props \\
  -cp "\$(cat /opt/epiphany-fleet/java/classpath)" "\${EPIPHANY_SIM_CLASS:-$main}" "\$@"
WRAPPER
  chmod 0755 "$STATE/sbin/epiphany-sim"
  install -m 0755 "$FLEET_DIR/sim-client.pl" "$STATE/sbin/epiphany-sim-client"
  for tool in $SIM_TOOLS $SIM_K8S_TOOLS; do
    local target="$STATE/sbin/$tool"
    [[ " $SIM_K8S_TOOLS " != *" $tool "* ]] || target="$STATE/sbin/k8s/$tool"
    printf '#!/bin/sh\n# SIMULATED %s (real-OS fleet): the epiphany-testkit simulation, see fleet.sh install_simulation.\nexec /usr/local/sbin/epiphany-sim %s "$@"\n' \
      "$tool" "$tool" > "$target"
    chmod 0755 "$target"
  done
  # The package managers: after the SIMULATED install, the host's links to the installed programs follow.
  for tool in apt-get dnf; do
    printf '#!/bin/sh\n# SIMULATED %s (real-OS fleet): the epiphany-testkit simulation; then the links in /usr/local/bin follow what it installed.\nEPIPHANY_SIM_CLASS=io.epiphany.systemtests.fleet.SimulatedHostFiles exec /usr/local/sbin/epiphany-sim exec %s "$@"\n' \
      "$tool" "$tool" > "$STATE/sbin/$tool"
    chmod 0755 "$STATE/sbin/$tool"
  done
  cat > "$STATE/sbin/sysctl" <<'WRAPPER'
#!/bin/sh
# SIMULATED sysctl (real-OS fleet): the epiphany-testkit simulation keeps every key. One key is also set for real:
# net.ipv4.ip_forward belongs to the host's own network namespace (never the machine's), and kubeadm's preflight
# (SIMULATED kubeadm in real-OS mode reads the real /proc) checks it there, so `sysctl -p FILE` and
# `sysctl -w net.ipv4.ip_forward=V` that the simulation accepted write that value to this namespace's /proc too.
[ -f /run/epiphany-fleet-ready ] || { echo "sysctl: not inside a real-OS fleet host" >&2; exit 1; }
/usr/local/sbin/epiphany-sim sysctl "$@" || exit $?
value=""
if [ "$#" -eq 2 ] && [ "$1" = "-p" ] && [ -f "$2" ]; then
  value=$(sed -n 's/^[[:space:]]*net\.ipv4\.ip_forward[[:space:]]*=[[:space:]]*\([01]\)[[:space:]]*$/\1/p' "$2" | tail -1)
elif [ "$#" -eq 2 ] && [ "$1" = "-w" ]; then
  case "$2" in net.ipv4.ip_forward=0|net.ipv4.ip_forward=1) value=${2#*=} ;; esac
fi
if [ -n "$value" ]; then echo "$value" > /proc/sys/net/ipv4/ip_forward || exit 255; fi
exit 0
WRAPPER
  chmod 0755 "$STATE/sbin/sysctl"
  cat > "$STATE/sbin/curl" <<'WRAPPER'
#!/bin/sh
# curl on a real-OS fleet host: health checks (no output file, https://HOST:PORT/readyz|livez|healthz) are the REAL
# curl (through the host's real HAProxy to the real apiserver stand-ins); every download (-o FILE, file://, any other
# URL) is SIMULATED (the simulation serves the package repositories' keys and registered URLs and never dials out).
health=false download=false
for a in "$@"; do
  case "$a" in
    -o|--output|-o*|--output=*|-O|--remote-name) download=true ;;
    https://*/readyz|https://*/livez|https://*/healthz) health=true ;;
    -*) ;;
    *://*) download=true ;;
  esac
done
if $health && ! $download; then exec /usr/bin/curl "$@"; fi
exec /usr/local/sbin/epiphany-sim curl "$@"
WRAPPER
  chmod 0755 "$STATE/sbin/curl"
  cat > "$STATE/sbin/stat" <<'WRAPPER'
#!/bin/sh
# stat on a real-OS fleet host: `stat -fc %T /sys/fs/cgroup` (cgroup v1 or v2) is SIMULATED (the simulation decides the
# host's cgroup version, this machine's own does not matter); everything else is the REAL stat.
if [ "$#" -eq 3 ] && [ "$1" = "-fc" ] && [ "$2" = "%T" ] && [ "$3" = "/sys/fs/cgroup" ]; then
  exec /usr/local/sbin/epiphany-sim stat "$@"
fi
exec /usr/bin/stat "$@"
WRAPPER
  chmod 0755 "$STATE/sbin/stat"
}

# SIMULATED programs, resident: one SimulationServer JVM per host (after the class-data sharing archive is recorded,
# so that they map it), started through epiphany-sim (its JVM options and simulation properties) inside the host's
# namespaces; it dies with the host's PID 1 at 'fleet.sh down'. Waits (bounded) until every host's server answers.
start_simulation_servers() {
  local host
  for host in "$@"; do
    # umask 022: a root caller's (sudo's default), which the directories the simulation creates get
    in_host "$host" sh -c 'umask 022; mkdir -p -m 0700 "${1%/*}"; mkdir -p /var/log/epiphany-fleet
      EPIPHANY_SIM_CLASS=io.epiphany.systemtests.fleet.SimulationServer setsid /usr/local/sbin/epiphany-sim "$1" \
        </dev/null >>/var/log/epiphany-fleet/simulation-server.log 2>&1 &' _ "$SIM_SOCKET"
  done
  # lsmod: a read-only program every simulated host has, bare or ready
  local limit=$((60 + $#)) deadline
  deadline=$((SECONDS + limit))
  for host in "$@"; do
    until in_host "$host" env EPIPHANY_SIM_SERVER_ONLY=1 /usr/local/sbin/epiphany-sim-client lsmod >/dev/null 2>&1; do
      [[ $SECONDS -lt $deadline ]] || die "host $host: the SIMULATED program server did not answer in $limit s; see $STATE/hosts/$host/var-upper/log/epiphany-fleet/simulation-server.log"
      sleep 0.2
    done
  done
}

# The apiserver stand-in, run inside a host: 'start' (idempotent; waits for /readyz) or 'stop' (SIGKILL, like a
# crashed apiserver). Used by 'fleet.sh apiserver' and, as the SIMULATED kubelet's static-pods hook, by kubeadm.
install_apiserver_standin() {
  cat > "$STATE/sbin/epiphany-apiserver-standin" <<'SCRIPT'
#!/bin/bash
# Apiserver stand-in of the real-OS fleet (see system-tests/fleet/README.md): TLS :6443, GET /readyz -> ok.
set -uo pipefail
case "${1:-}" in
  start)
    # Already running: nothing to do (a second JVM would fail to bind and leave a wrong pid file).
    if [[ -f /run/apiserver-standin.pid ]] && kill -0 "$(cat /run/apiserver-standin.pid)" 2>/dev/null; then exit 0; fi
    [[ -f /opt/epiphany-fleet/java/classpath ]] || { echo "no test class path in the fleet (fleet.sh up --java-classpath)" >&2; exit 1; }
    # Prefer the cluster's own apiserver certificate once (SIMULATED) kubeadm has issued one on this host.
    crt=/etc/kubernetes/pki/apiserver.crt key=/etc/kubernetes/pki/apiserver.key
    [[ -f $crt && -f $key ]] || { crt=/etc/epiphany-fleet/apiserver/tls.crt; key=/etc/epiphany-fleet/apiserver/tls.key; }
    [[ -f $crt && -f $key ]] || { echo "no certificate for the apiserver stand-in ($crt)" >&2; exit 1; }
    mkdir -p /var/log/epiphany-fleet
    setsid java -Xmx24m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(cat /opt/epiphany-fleet/java/classpath)" \
      io.epiphany.systemtests.fleet.ApiserverStandIn 0.0.0.0 6443 "$crt" "$key" "$(hostname)" \
      </dev/null >/var/log/epiphany-fleet/apiserver.log 2>&1 &
    echo $! > /run/apiserver-standin.pid
    for i in $(seq 100); do
      curl -sk --max-time 1 https://127.0.0.1:6443/readyz >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "apiserver stand-in did not answer /readyz in 10 s" >&2; cat /var/log/epiphany-fleet/apiserver.log >&2; exit 1 ;;
  stop)
    [[ -f /run/apiserver-standin.pid ]] || exit 0
    pid=$(cat /run/apiserver-standin.pid)
    kill -KILL "$pid" 2>/dev/null
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f /run/apiserver-standin.pid ;;
  *) echo "usage: epiphany-apiserver-standin start|stop" >&2; exit 2 ;;
esac
SCRIPT
  chmod 0755 "$STATE/sbin/epiphany-apiserver-standin"
}

# REAL etcd (Debian etcd-server) as the SIMULATED kubelet's etcd static pod, run inside a host: 'start COMMAND...'
# runs the command of /etc/kubernetes/manifests/etcd.yaml (idempotent; waits until it listens on 127.0.0.1:2379),
# 'stop' ends it (SIGTERM, then SIGKILL after 5 s). See io.epiphany.testkit.sim.RealEtcd.
install_etcd_hook() {
  cat > "$STATE/sbin/epiphany-etcd" <<'SCRIPT'
#!/bin/bash
# etcd static pod of the real-OS fleet (see system-tests/fleet/README.md): the manifest's command, a real process.
set -uo pipefail
case "${1:-}" in
  start)
    shift
    if [[ -f /run/etcd.pid ]] && kill -0 "$(cat /run/etcd.pid)" 2>/dev/null; then exit 0; fi
    [[ "${1:-}" == etcd ]] || { echo "epiphany-etcd: the command must be etcd, not '${1:-}'" >&2; exit 2; }
    mkdir -p /var/log/epiphany-fleet
    setsid "$@" </dev/null >>/var/log/epiphany-fleet/etcd.log 2>&1 &
    echo $! > /run/etcd.pid
    for i in $(seq 100); do
      (exec 3<>/dev/tcp/127.0.0.1/2379) 2>/dev/null && exit 0
      kill -0 "$(cat /run/etcd.pid)" 2>/dev/null || break
      sleep 0.1
    done
    echo "etcd did not listen on 127.0.0.1:2379 in 10 s" >&2; tail -20 /var/log/epiphany-fleet/etcd.log >&2; exit 1 ;;
  stop)
    [[ -f /run/etcd.pid ]] || exit 0
    pid=$(cat /run/etcd.pid)
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    rm -f /run/etcd.pid ;;
  *) echo "usage: epiphany-etcd start etcd ARGS...|stop" >&2; exit 2 ;;
esac
SCRIPT
  chmod 0755 "$STATE/sbin/epiphany-etcd"
}

setup_host() {
  local i=$1 host=$2
  local ip; ip=$(host_ip "$i")
  local ns; ns=$(netns_of "$i")
  local d="$STATE/hosts/$host"
  mkdir -p "$d"/{etc-upper,etc-work,var-upper,var-work,usrbin-upper,usrbin-work,root,home,run,tmp,opt,usrlocalbin}
  # The host's /usr/local/bin (first in a login user's PATH, whose default has no sbin): every fleet program of
  # /usr/local/sbin, and the installed Kubernetes programs (links into /usr/local/sbin/k8s, see install_simulation).
  local prog
  for prog in "$STATE"/sbin/*; do
    [[ -f $prog ]] && ln -s "/usr/local/sbin/$(basename "$prog")" "$d/usrlocalbin/$(basename "$prog")"
  done
  chmod 1777 "$d/tmp"; chmod 0700 "$d/root"

  ip netns add "$ns"
  ip link add "${NAME}v$i" type veth peer name eth0 netns "$ns"
  ip link set "${NAME}v$i" master "$BRIDGE" up
  ip -n "$ns" addr add "$ip/16" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up

  # The holder: PID 1 of the host's PID namespace; owns its UTS and mount namespaces. Killing it ends the host.
  setsid ip netns exec "$ns" unshare --mount --uts --pid --fork --kill-child --mount-proc --propagation private \
    /bin/bash "$FLEET_DIR/host-init.sh" "$host" "$d" "$STATE" </dev/null >"$d/init.log" 2>&1 9>&- &
  echo $! > "$d/holder.pid"
  local holder=$!
  local tries=0
  until [[ -f "$d/run/epiphany-fleet-ready" ]]; do
    tries=$((tries + 1))
    [[ $tries -lt 200 ]] || die "host $host did not come up in 20 s; see $d/init.log"
    kill -0 "$holder" 2>/dev/null || die "host $host's namespace holder exited; see $d/init.log"
    sleep 0.1
  done
  cat "/proc/$holder/task/$holder/children" | awk '{print $1}' > "$d/init.pid"
  [[ -s "$d/init.pid" ]] || die "host $host: cannot find its init process"

  # Inside the host: hosts file, login user with sudo, keys, sshd.
  cp "$STATE/etc-hosts" "$d/run/epiphany-fleet-hosts"
  cp "$STATE/id_ecdsa.pub" "$d/run/epiphany-fleet-client.pub"
  cp "$STATE/sshd_config" "$d/run/epiphany-fleet-sshd_config"
  in_host "$host" bash -euc '
    cat "$1" >> /etc/hosts
    # "*": no password, but not locked ("!"), which OpenSSH without PAM would refuse even for key logins.
    useradd -m -s /bin/bash -p "*" "$2"
    echo "$2 ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/epiphany-fleet; chmod 0440 /etc/sudoers.d/epiphany-fleet
    for home in /root "/home/$2"; do
      mkdir -p "$home/.ssh"; cp "$3" "$home/.ssh/authorized_keys"; chmod 0700 "$home/.ssh"; chmod 0600 "$home/.ssh/authorized_keys"
    done
    chown -R "$2:$2" "/home/$2/.ssh"
    # Each host its own machine ID (the machine'"'"'s would be shared through the /etc overlay: a "cloned image").
    rm -f /etc/machine-id; tr -d - < /proc/sys/kernel/random/uuid > /etc/machine-id; chmod 0444 /etc/machine-id
    rm -f /etc/ssh/ssh_host_*
    ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key
    ssh-keygen -q -t ecdsa -b 256 -N "" -f /etc/ssh/ssh_host_ecdsa_key
    cp "$4" /etc/ssh/sshd_config
    mkdir -p /run/sshd /run/haproxy; chmod 0755 /run/sshd
    rm -f "$1" "$3" "$4"
    /usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log
  ' _ "/run/epiphany-fleet-hosts" "$SSH_USER" "/run/epiphany-fleet-client.pub" "/run/epiphany-fleet-sshd_config" \
    >>"$d/init.log" 2>&1 || die "host $host: setup inside the host failed; see $d/init.log"
  if [[ -x "$STATE/sbin/epiphany-sim" ]]; then
    # The host's /etc/os-release and /etc/fstab are the simulation's (its OS, bare or ready), in the host's own /etc
    # (the overlay's upper directory): first the machine's are removed from the host's view (a whiteout; on Debian
    # /etc/os-release is a symlink into /usr/lib, which a write would follow onto the machine's file), then
    # SimulatedHostFiles registers the host with the simulation and writes them (and containerd's config on a ready host).
    in_host "$host" bash -euc 'rm -f /etc/os-release /etc/fstab
      EPIPHANY_SIM_CLASS=io.epiphany.systemtests.fleet.SimulatedHostFiles /usr/local/sbin/epiphany-sim init' \
      >>"$d/init.log" 2>&1 || die "host $host: the simulation could not set up the host's files; see $d/init.log"
    [[ -f "$d/etc-upper/os-release" && ! -L "$d/etc-upper/os-release" ]] \
      || die "host $host: /etc/os-release is not in the host's own /etc"
  else
    # without the simulation a host has the fleet's crictl (in front of the real etcd) and ctr from the start
    ln -s /usr/local/sbin/k8s/crictl "$d/usrlocalbin/crictl"
    ln -s /usr/local/sbin/k8s/ctr "$d/usrlocalbin/ctr"
  fi
  {
    awk -v ip="$ip" '{print ip, $1, $2}' "$d/etc-upper/ssh/ssh_host_ed25519_key.pub"
    awk -v ip="$ip" '{print ip, $1, $2}' "$d/etc-upper/ssh/ssh_host_ecdsa_key.pub"
  } > "$d/known_hosts"
}

cmd_up() {
  require_root
  local n=${1:-}; shift || true
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 && "$n" -le 5000 ]] || die "usage: fleet.sh up N (1..5000) [--hostnames a,b,c]"
  local hostnames="" classpath="" sim_main="${EPIPHANY_FLEET_SIM_MAIN:-}" owner_pid="" sim_props=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --hostnames) hostnames=$2; shift 2 ;;
      --java-classpath) classpath=$2; shift 2 ;;
      --sim-main) sim_main=$2; shift 2 ;;
      --owner-pid) owner_pid=$2; shift 2 ;;
      --sim-property)
        [[ "$2" =~ ^epiphany\.sim\.[a-z0-9.-]+=[A-Za-z0-9._-]*$ ]] || die "--sim-property must be epiphany.sim.NAME=VALUE, got '$2'"
        sim_props+=("$2"); shift 2 ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  for tool in ip unshare nsenter sshd haproxy ssh-keygen setsid; do
    command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] || die "'$tool' is missing: run ./system-test (installs packages) or apt-get install it"
  done
  local names=()
  if [[ -n "$hostnames" ]]; then IFS=, read -r -a names <<< "$hostnames"; fi
  [[ ${#names[@]} -eq 0 || ${#names[@]} -eq $n ]] || die "--hostnames lists ${#names[@]} names for $n hosts"
  local i
  if [[ ${#names[@]} -eq 0 ]]; then
    for ((i = 1; i <= n; i++)); do names+=("host-$i"); done
  fi
  for ((i = 1; i <= n; i++)); do
    [[ "${names[$((i-1))]}" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] || die "hostname '${names[$((i-1))]}' is not a valid RFC 1123 label"
  done

  # One 'up' at a time on this machine; a fleet whose owner (a test JVM) still lives is never taken over.
  mkdir -p /run/epiphany-fleet
  exec 9>/run/epiphany-fleet/.lock
  flock -w 120 9 || die "another fleet.sh up holds /run/epiphany-fleet/.lock for more than 120 s"
  if [[ -f "$STATE/owner.pid" ]]; then
    local owner; owner=$(cat "$STATE/owner.pid")
    if [[ -n "$owner" && "$owner" != "$owner_pid" ]] && kill -0 "$owner" 2>/dev/null; then
      die "fleet '$NAME' is in use by live process $owner (another test run); choose another EPIPHANY_FLEET_NAME and EPIPHANY_FLEET_OCTET"
    fi
  fi
  cmd_down  # a stale fleet of this name (crashed JVM, killed test) goes first
  # Refuse to share the range with anything else on this machine.
  if ip -o addr show | grep -q " 10\.$OCTET\."; then
    die "addresses in 10.$OCTET.0.0/16 are already in use on this machine; set EPIPHANY_FLEET_OCTET to a free range"
  fi

  mkdir -p "$STATE/hosts" "$STATE/sbin"
  chmod 0700 "$STATE"
  [[ -z "$owner_pid" ]] || echo "$owner_pid" > "$STATE/owner.pid"
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_IP/16" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  ssh-keygen -q -t ecdsa -b 256 -N "" -C "epiphany-fleet-$NAME" -f "$STATE/id_ecdsa"
  cp "$FLEET_DIR/sshd_config" "$STATE/sshd_config"
  install -m 0755 "$FLEET_DIR/systemctl-shim.sh" "$STATE/sbin/systemctl"
  mkdir -p "$STATE/sbin/k8s"
  install -m 0755 "$FLEET_DIR/crictl-shim.sh" "$STATE/sbin/k8s/crictl"
  install -m 0755 "$FLEET_DIR/ctr-shim.sh" "$STATE/sbin/k8s/ctr"
  printf '#!/bin/sh\necho "$(basename "$0"): the REAL program is blocked on real-OS fleet hosts (it would change this machine); the SDK must reach the SIMULATED one in /usr/local/sbin" >&2\nexit 126\n' \
    > "$STATE/sbin/epiphany-blocked"
  chmod 0755 "$STATE/sbin/epiphany-blocked"
  install_apiserver_standin
  install_etcd_hook
  [[ -z "$classpath" ]] || install_java_classpath "$classpath"
  mkdir -p "$STATE/shared"
  # The SDK runs read-only facts (kubeadm config images list, kubectl get ...) as the non-root login user: the
  # SIMULATED programs then read and write the shared state as that user too (the simulation itself decides what a
  # non-root user may do, from user.name). Only the fleet's hosts see this directory ($STATE is 0700).
  chmod 0777 "$STATE/shared"
  install -m 0666 /dev/null "$STATE/shared/simulation-state.lock"
  if [[ -n "$sim_main" ]]; then
    [[ -n "$classpath" ]] || die "--sim-main needs --java-classpath (the testkit and its dependencies)"
    install_simulation "$sim_main" "${sim_props[@]}"
  fi
  : > "$STATE/hosts.tsv"; : > "$STATE/etc-hosts"
  for ((i = 1; i <= n; i++)); do
    printf '%s\t%s\t%s\n' "$i" "${names[$((i-1))]}" "$(host_ip "$i")" >> "$STATE/hosts.tsv"
    printf '%s\t%s\n' "$(host_ip "$i")" "${names[$((i-1))]}" >> "$STATE/etc-hosts"
  done

  export -f setup_host host_ip netns_of in_host init_pid_of die log
  export FLEET_DIR NAME OCTET STATE BRIDGE SSH_USER HOST_PATH
  # Parallel setup, bounded: every failure is reported and fails the whole 'up'.
  if ! awk '{print $1, $2}' "$STATE/hosts.tsv" | xargs -P "$PARALLEL" -n 2 bash -c 'setup_host "$1" "$2"' _; then
    die "some hosts failed to start (see $STATE/hosts/*/init.log); run 'fleet.sh down' to clean up"
  fi
  if [[ -x "$STATE/sbin/epiphany-sim" ]]; then
    # the archive must be recorded with the class path as the hosts see it, hence inside a host
    in_host "${names[0]}" env EPIPHANY_SIM_RECORD_CDS=1 /usr/local/sbin/epiphany-sim kubeadm version -o short \
      >/dev/null 2>&1 || log "no class-data sharing archive for the SIMULATED programs (they start without one)"
    # EPIPHANY_FLEET_SIM_SERVER=0: one JVM per call as before the servers (to compare, or to rule the servers out)
    [[ "${EPIPHANY_FLEET_SIM_SERVER:-1}" == 0 ]] || start_simulation_servers "${names[@]}"
  fi
  cat "$STATE"/hosts/*/known_hosts > "$STATE/known_hosts"
  chmod 0644 "$STATE/known_hosts"
  log "fleet '$NAME' up: $n hosts, bridge $BRIDGE $BRIDGE_IP/16, key $STATE/id_ecdsa, known_hosts $STATE/known_hosts"
  cat "$STATE/hosts.tsv"
}

cmd_exec() {
  require_root
  local host=${1:-}; shift || true
  [[ "${1:-}" == "--" ]] && shift
  [[ -n "$host" && $# -gt 0 ]] || die "usage: fleet.sh exec HOST -- CMD..."
  lookup "$host" >/dev/null
  in_host "$host" "$@"
}

cmd_apiserver() {
  require_root
  local action=${1:-} host=${2:-}
  lookup "$host" >/dev/null
  case "$action" in
    start)
      [[ -f "$STATE/java-classpath" ]] || die "apiserver stand-in needs the test classpath: 'fleet.sh up N --java-classpath CP'"
      ensure_test_ca
      local d="$STATE/hosts/$host" ip; ip=$(lookup "$host" | cut -f3)
      local dir="$d/etc-upper/epiphany-fleet/apiserver"
      if [[ ! -f "$dir/tls.crt" ]]; then
        mkdir -p "$dir"
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kube-apiserver" \
          -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
        openssl x509 -req -in "$dir/tls.csr" -CA "$STATE/ca/ca.crt" -CAkey "$STATE/ca/ca.key" -CAcreateserial \
          -days 2 -out "$dir/tls.crt" \
          -extfile <(printf 'subjectAltName=DNS:%s,DNS:localhost,IP:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$host" "$ip") 2>/dev/null
        chmod 0600 "$dir/tls.key"; rm -f "$dir/tls.csr"
      fi
      in_host "$host" /usr/local/sbin/epiphany-apiserver-standin start ;;
    stop) in_host "$host" /usr/local/sbin/epiphany-apiserver-standin stop ;;
    *) die "usage: fleet.sh apiserver start|stop HOST" ;;
  esac
}

# A test CA for the apiserver stand-ins until the cluster's own CA (from SIMULATED kubeadm) exists on the host.
ensure_test_ca() {
  [[ -f "$STATE/ca/ca.crt" ]] && return 0
  mkdir -p "$STATE/ca"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=epiphany-fleet-test-ca" \
    -keyout "$STATE/ca/ca.key" -out "$STATE/ca/ca.crt" 2>/dev/null
  chmod 0600 "$STATE/ca/ca.key"
}

cmd_etcd() {
  require_root
  local action=${1:-} host=${2:-}
  local ip; ip=$(lookup "$host" | cut -f3)
  case "$action" in
    start)
      in_host "$host" bash -c '
        mkdir -p /var/lib/etcd /var/log/epiphany-fleet
        setsid etcd --name "$1" --data-dir /var/lib/etcd \
          --listen-client-urls "http://$2:2379,http://127.0.0.1:2379" --advertise-client-urls "http://$2:2379" \
          --listen-peer-urls "http://$2:2380" --initial-advertise-peer-urls "http://$2:2380" \
          --initial-cluster "$1=http://$2:2380" </dev/null >/var/log/epiphany-fleet/etcd.log 2>&1 &
        echo $! > /run/etcd.pid
        for i in $(seq 100); do
          ETCDCTL_API=3 /opt/epiphany-fleet/etcd/etcdctl --endpoints http://127.0.0.1:2379 --dial-timeout 1s endpoint health >/dev/null 2>&1 && exit 0
          sleep 0.1
        done
        echo "etcd did not become healthy in 10 s" >&2; tail -20 /var/log/epiphany-fleet/etcd.log >&2; exit 1
      ' _ "$host" "$ip" ;;
    stop) in_host "$host" bash -c '[[ -f /run/etcd.pid ]] && kill -TERM "$(cat /run/etcd.pid)" 2>/dev/null; rm -f /run/etcd.pid; exit 0' ;;
    *) die "usage: fleet.sh etcd start|stop HOST" ;;
  esac
}

# Resident memory of everything running in the fleet's namespaces (kB), by proportional set size where available.
fleet_memory_kb() {
  local total=0 ns pid v
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$NAME-h[0-9]+$"); do
    for pid in $(ip netns pids "$ns"); do
      v=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
      total=$((total + ${v:-0}))
    done
  done
  echo "$total"
}

# Start N hosts, log in to each over SSH, start HAProxy (checking 3 "masters") on each, measure, tear down.
cmd_bench() {
  require_root
  local n=${1:-100}
  local avail_before; avail_before=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
  local t0 t1 t2 t3
  t0=$(date +%s%N)
  cmd_up "$n" >/dev/null
  t1=$(date +%s%N)
  local ok=0 ip
  for ip in $(cut -f3 "$STATE/hosts.tsv"); do
    ssh -q -i "$STATE/id_ecdsa" -o UserKnownHostsFile="$STATE/known_hosts" -o StrictHostKeyChecking=yes \
      -o GlobalKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=5 "root@$ip" true && ok=$((ok + 1))
  done
  t2=$(date +%s%N)
  local pss_ssh; pss_ssh=$(fleet_memory_kb)
  local masters; masters=$(head -3 "$STATE/hosts.tsv" | awk '{printf "  server %s %s:6443\n", $2, $3}')
  local cfg="defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  retries 3\n  option redispatch\nfrontend apiserver\n  bind 127.0.0.1:3446\n  default_backend masters\nbackend masters\n  option httpchk GET /readyz\n  default-server check check-ssl verify none inter 2s fall 3 rise 2\n$masters\n"
  local host haproxy_ok=0
  for host in $(cut -f2 "$STATE/hosts.tsv"); do
    in_host "$host" bash -c 'printf "$1" > /etc/haproxy/haproxy.cfg && systemctl enable --now haproxy' _ "$cfg" && haproxy_ok=$((haproxy_ok + 1))
  done
  t3=$(date +%s%N)
  sleep 2
  local pss_all; pss_all=$(fleet_memory_kb)
  local avail_after; avail_after=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
  local t4; t4=$(date +%s%N)
  cmd_down
  local t5; t5=$(date +%s%N)
  awk -v n="$n" -v up=$(( (t1 - t0) / 1000000 )) -v ssh=$(( (t2 - t1) / 1000000 )) -v ok="$ok" \
      -v hap=$(( (t3 - t2) / 1000000 )) -v hok="$haproxy_ok" -v down=$(( (t5 - t4) / 1000000 )) \
      -v pss1="$pss_ssh" -v pss2="$pss_all" -v drop=$(( avail_before - avail_after )) 'BEGIN {
    printf "hosts=%d up=%.1fs (%.0f ms/host) ssh_logins_ok=%d in %.1fs haproxy_started=%d in %.1fs down=%.1fs\n", n, up/1000, up/n, ok, ssh/1000, hok, hap/1000, down/1000
    printf "memory per host: PSS sshd+init %.1f MiB, with haproxy %.1f MiB; MemAvailable drop %.1f MiB/host (incl. kernel, page cache)\n", pss1/n/1024, pss2/n/1024, drop/n/1024
  }'
}

cmd_status() {
  [[ -f "$STATE/hosts.tsv" ]] || { echo "fleet '$NAME' is down"; return 0; }
  cat "$STATE/hosts.tsv"
}

main() {
  local cmd=${1:-}; shift || true
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    exec) cmd_exec "$@" ;;
    ip) lookup "${1:-}" | cut -f3 ;;
    list|status) cmd_status ;;
    apiserver) cmd_apiserver "$@" ;;
    etcd) cmd_etcd "$@" ;;
    bench) cmd_bench "$@" ;;
    *) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [[ -z "$cmd" || "$cmd" == help ]] || exit 2 ;;
  esac
}
main "$@"
