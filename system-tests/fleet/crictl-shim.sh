#!/bin/bash
# SIMULATED crictl (shim) for real-OS fleet hosts, which have no container runtime. Installed first in PATH
# (/usr/local/sbin) inside every fleet host. A kubeadm host has no etcdctl binary: etcdctl lives in the etcd static
# pod's image and is reached with `crictl exec`. Here the etcd "container" is the host's REAL etcd process (started
# by the SIMULATED kubelet through epiphany-etcd, or by `fleet.sh etcd start`; its pid is in /run/etcd.pid), and the
# etcdctl (and etcdutl's snapshot verbs) "in its image" is the REAL Debian etcdctl, which the fleet hides from the host's PATH and shows only at
# /opt/epiphany-fleet/etcd/etcdctl. It understands only what the SDK runs (docs/host-commands.md):
#
#   crictl [--runtime-endpoint SOCK] ps --name etcd [--state running] [-q]
#       one 64-hex ID per line: the running etcd's "container" ID, derived from the host, the etcd pid and its
#       start time (a restarted etcd has a new ID); nothing when no etcd runs.
#   crictl [--runtime-endpoint SOCK] exec [-i] [-t] ID etcdctl|etcdutl ARGS...
#       runs the real etcdctl with ARGS (ETCDCTL_API=3); an ID that is not the running etcd's is refused as
#       containerd refuses an unknown container. etcdctl's output is the real one: Debian's 3.4 prints IDs in JSON
#       as decimal numbers even with --hex.
set -uo pipefail
ETCD_PID=/run/etcd.pid
ETCDCTL=/opt/epiphany-fleet/etcd/etcdctl
SOCKET=unix:///run/containerd/containerd.sock

fatal() { echo "FATA[0000] $*" >&2; exit 1; }

endpoint=""
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in
    --runtime-endpoint|-r) endpoint=${2:-}; shift 2 ;;
    --runtime-endpoint=*) endpoint=${1#*=}; shift ;;
    --timeout|-t|--image-endpoint|-i|--config|-c) shift 2 ;;
    *) shift ;;
  esac
done
if [[ -z $endpoint ]]; then
  echo "WARN[0000] runtime connect using default endpoints: [unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]. As the default settings are now deprecated, you should set the endpoint instead." >&2
  endpoint=$SOCKET
fi
dial_error() {
  fatal "validate service connection: validate CRI v1 runtime API for endpoint \"$endpoint\": rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial unix ${endpoint#unix://}: connect: $1\""
}
[[ $endpoint == "$SOCKET" || $endpoint == unix:///var/run/containerd/containerd.sock ]] || dial_error "no such file or directory"
[[ $(id -u) -eq 0 ]] || dial_error "permission denied"

# The running etcd's container ID, or nothing.
etcd_id() {
  [[ -f $ETCD_PID ]] || return 0
  local pid; pid=$(head -1 "$ETCD_PID")
  [[ -n $pid && -d /proc/$pid ]] || return 0
  # field 22 of /proc/PID/stat: start time in clock ticks since boot; with the pid it names this etcd process
  local started; started=$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)
  printf '%s/%s/%s' "$(hostname)" "$pid" "$started" | sha256sum | cut -c1-64
}

sub=${1:-}; shift || true
case $sub in
  ps)
    name="" state=running quiet=false
    while [[ $# -gt 0 ]]; do
      case $1 in
        --name) name=${2:-}; shift 2 ;;
        --state) state=${2:-}; shift 2 ;;
        -q|--quiet) quiet=true; shift ;;
        *) shift ;;
      esac
    done
    [[ $name == etcd && ${state,,} == running ]] || fatal "the real-OS fleet's crictl shim lists only the running etcd container (ps --name etcd --state running)"
    id=$(etcd_id)
    if $quiet; then
      [[ -z $id ]] || echo "$id"
    else
      printf '%-13s   %-13s   %-7s   %s\n' CONTAINER IMAGE STATE NAME
      [[ -z $id ]] || printf '%-13s   %-13s   %-7s   %s\n' "${id:0:13}" "real-etcd" Running etcd
    fi ;;
  exec)
    while [[ $# -gt 0 && $1 == -* ]]; do shift; done
    [[ $# -gt 0 ]] || fatal "container ID cannot be empty"
    want=$1; shift
    id=$(etcd_id)
    [[ -n $id && $id == "$want"* ]] || fatal "execing command in container: rpc error: code = NotFound desc = could not find container \"$want\""
    [[ $# -gt 0 ]] || fatal "command cannot be empty"
    case $1 in
      etcdctl|/usr/local/bin/etcdctl) shift; ETCDCTL_API=3 exec "$ETCDCTL" "$@" ;;
      # etcd 3.5+ images carry etcdutl for the offline snapshot tools; Debian's etcd is 3.4, whose etcdctl still has
      # them (etcdutl took over `snapshot status` and `snapshot restore` in 3.5, same flags, same JSON): run those
      etcdutl|/usr/local/bin/etcdutl)
        shift
        [[ ${1:-} == snapshot && ( ${2:-} == status || ${2:-} == restore ) ]] || fatal "the real-OS fleet's etcdutl (etcd 3.4's etcdctl) has only 'snapshot status' and 'snapshot restore'"
        ETCDCTL_API=3 exec "$ETCDCTL" "$@" ;;
      *) fatal "execing command in container: rpc error: code = Unknown desc = failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: \"$1\": executable file not found in \$PATH: unknown (real-OS fleet: only etcdctl and etcdutl)" ;;
    esac ;;
  *) fatal "the real-OS fleet's crictl shim supports only 'ps --name etcd' and 'exec <id> etcdctl|etcdutl ...'" ;;
esac
