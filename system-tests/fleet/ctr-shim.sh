#!/bin/bash
# SIMULATED ctr (shim) for real-OS fleet hosts, which have no container runtime: containerd's own client, as the SDK's
# restore uses it to run etcdutl from the etcd image once (docs/host-commands.md, Restore). Installed as
# /usr/local/sbin/k8s/ctr and linked into a host's /usr/local/bin while the (SIMULATED) host has containerd's client,
# like the crictl shim. It understands only what the SDK runs:
#
#   ctr -n k8s.io run --rm --mount type=bind,src=H,dst=C,options=rbind:ro|rw ... IMAGE ID \
#       etcdutl snapshot restore FILE --name N --initial-cluster N=URL --initial-advertise-peer-urls URL --data-dir DIR
#
# The "container" sees the host only through its bind mounts: FILE and DIR must lie under a mount's dst and are
# mapped to its src. etcdutl "in the image" is the REAL Debian etcdctl (3.4, /opt/epiphany-fleet/etcd/etcdctl),
# whose `snapshot restore` has the same flags and checks the snapshot's SHA-256 the same way. One difference is
# bridged: etcdctl 3.4 refuses a data dir that exists ("data-dir ... exists"), etcdutl 3.5+ only one that is not empty
# (etcdutl/snapshot/v3_snapshot.go), and a bind-mounted DIR always exists: an empty DIR is restored into a new
# sibling directory whose content is then moved into DIR. SIMULATED limits: the image is not looked up (any
# <registry>/etcd:<tag> in namespace k8s.io is taken for one the CRI pulled), the ro/rw options are not enforced,
# and only --rm containers run.
set -uo pipefail
ETCDCTL=/opt/epiphany-fleet/etcd/etcdctl
SOCKET=/run/containerd/containerd.sock

fatal() { echo "ctr: $*" >&2; exit 1; }

namespace=default
address=$SOCKET
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in
    -n|--namespace) namespace=${2:-}; shift 2 ;;
    --namespace=*) namespace=${1#*=}; shift ;;
    -a|--address) address=${2:-}; shift 2 ;;
    --address=*) address=${1#*=}; shift ;;
    *) fatal "the real-OS fleet's ctr shim does not know the global option $1" ;;
  esac
done
[[ $(id -u) -eq 0 ]] || fatal "failed to dial \"$address\": connection error: desc = \"transport: error while dialing: dial unix://$address: connect: permission denied\""
[[ ${1:-} == run ]] || fatal "the real-OS fleet's ctr shim supports only 'run --rm --mount ... IMAGE ID etcdutl snapshot restore ...'"
shift

# container path (dst) -> host path (src), in the order given
declare -a mount_dst=() mount_src=()
add_mount() {
  local spec=$1 part key value type="" src="" dst=""
  IFS=',' read -ra parts <<< "$spec"
  for part in "${parts[@]}"; do
    key=${part%%=*}; value=${part#*=}
    case $key in
      type) type=$value ;;
      src|source) src=$value ;;
      dst|destination|target) dst=$value ;;
    esac
  done
  [[ $type == bind && -n $src && -n $dst ]] || fatal "invalid mount option $spec"
  [[ -d $src ]] || fatal "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting \"$src\" to rootfs at \"$dst\": no such file or directory"
  mount_dst+=("${dst%/}"); mount_src+=("${src%/}")
}
remove=false
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in
    --rm) remove=true; shift ;;
    --net-host) shift ;;
    --mount) [[ $# -ge 2 ]] || fatal "flag needs an argument: -mount"; add_mount "$2"; shift 2 ;;
    --mount=*) add_mount "${1#*=}"; shift ;;
    *) fatal "the real-OS fleet's ctr shim does not know the run option $1" ;;
  esac
done
$remove || fatal "the real-OS fleet's ctr shim runs only --rm containers"
[[ $# -ge 2 ]] || fatal "image ref and container id must be provided"
image=$1 id=$2; shift 2
[[ $namespace == k8s.io && $image == */etcd:* ]] || fatal "image \"$image\": not found"
[[ -n $id ]] || fatal "container id must be provided"
[[ ${1:-} == etcdutl && ${2:-} == snapshot && ${3:-} == restore ]] || fatal "the real-OS fleet's ctr shim runs only the etcd image's 'etcdutl snapshot restore'"
shift 3

# The host path of a path inside the container, or nothing when no mount shows it.
on_host() {
  local path=$1 i
  for i in "${!mount_dst[@]}"; do
    if [[ $path == "${mount_dst[$i]}" || $path == "${mount_dst[$i]}"/* ]]; then
      echo "${mount_src[$i]}${path#"${mount_dst[$i]}"}"; return 0
    fi
  done
  return 1
}

file="" data_dir=""
declare -a flags=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --data-dir) data_dir=${2:-}; shift 2 ;;
    --data-dir=*) data_dir=${1#*=}; shift ;;
    --name|--initial-cluster|--initial-advertise-peer-urls|--initial-cluster-token) flags+=("$1" "${2:-}"); shift 2 ;;
    --skip-hash-check|--name=*|--initial-cluster=*|--initial-advertise-peer-urls=*|--initial-cluster-token=*|--skip-hash-check=*) flags+=("$1"); shift ;;
    -*) fatal "the real-OS fleet's etcdutl (etcd 3.4's etcdctl) does not know $1" ;;
    *) [[ -z $file ]] || fatal "snapshot restore expects one argument"; file=$1; shift ;;
  esac
done
[[ -n $file && -n $data_dir ]] || { echo "Error: snapshot restore requires a snapshot file and --data-dir (SIMULATED shim)" >&2; exit 1; }
host_file=$(on_host "$file") || { echo "Error: stat $file: no such file or directory" >&2; exit 1; }
[[ -f $host_file ]] || { echo "Error: stat $file: no such file or directory" >&2; exit 1; }
# written inside the container's own filesystem, gone with --rm: nothing would reach the host
host_dir=$(on_host "$data_dir") || fatal "SIMULATED: --data-dir $data_dir is not under a bind mount; the restored data would be removed with the container"

if [[ -e $host_dir ]]; then
  if [[ -n $(ls -A "$host_dir" 2>/dev/null) ]]; then
    echo "Error: data-dir \"$data_dir\" not empty or could not be read" >&2; exit 1
  fi
  target="$(dirname "$host_dir")/.$(basename "$host_dir").epiphany-restore-$$"
  ETCDCTL_API=3 "$ETCDCTL" snapshot restore "$host_file" "${flags[@]}" --data-dir "$target" || { rc=$?; rm -rf "$target"; exit $rc; }
  # the restored member directory, moved into the (mounted) data dir, which itself cannot be replaced
  shopt -s dotglob
  mv "$target"/* "$host_dir"/ && rmdir "$target" || { rm -rf "$target"; fatal "SIMULATED: could not move the restored data into $data_dir"; }
else
  ETCDCTL_API=3 exec "$ETCDCTL" snapshot restore "$host_file" "${flags[@]}" --data-dir "$host_dir"
fi
