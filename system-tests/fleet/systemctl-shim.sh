#!/bin/bash
# SIMULATED systemctl (shim) for real-OS fleet hosts, which have no systemd. Installed first in PATH
# (/usr/local/sbin) inside every fleet host. It is NOT systemd: it understands only what the SDK runs
# (docs/host-commands.md) for the units below, and starts the REAL programs where they exist.
#
#   haproxy  REAL HAProxy, master-worker mode like Debian's haproxy.service (haproxy -Ws): start runs
#            `haproxy -W -D -p /run/haproxy.pid -f /etc/haproxy/haproxy.cfg`; reload checks the config
#            (`haproxy -c`) and sends SIGUSR2 to the master (new workers take over the listeners, old workers
#            finish their connections); restart = stop + start; stop = SIGTERM to the master.
#   kubelet  SIMULATED: the kubelet cannot be installed here; the shim records whether it runs (the SIMULATED
#            kubeadm of the real-OS mode writes the same files when it starts or resets the kubelet). Starting it
#            starts the static pods whose processes do not run, as a kubelet would: the REAL etcd with the command of
#            /etc/kubernetes/manifests/etcd.yaml and the apiserver stand-in when kube-apiserver.yaml exists.
#            Stopping it stops only the kubelet: the "containers" keep running. `enable kubelet` is also told to the
#            simulation (its kubeadm preflight reads whether the unit is enabled).
#   containerd SIMULATED (issue 11's host preparation): every command for containerd goes to the simulation
#            (/usr/local/sbin/epiphany-sim systemctl ...), which models the unit: starting or restarting it reads
#            /etc/containerd/config.toml (whether the CRI is served), enable --now starts it. Nothing runs for real.
#
#   kill     only `kill --kill-who=main --signal=SIGUSR2 haproxy` (also --kill-whom=, -s USR2), as the SDK's config
#            swap sends it after its own `haproxy -c`: SIGUSR2 to the master and nothing else, like the second
#            ExecReload= line of Debian's haproxy.service (`kill -USR2 $MAINPID`). Messages and exit status as systemd's
#            (src/systemctl/systemctl-kill.c "Failed to kill unit %s: %s", exit 1; src/core/unit.c "No main process to
#            kill" when the unit is not running); other forms are refused.
#
# Supported: is-active, is-enabled, enable [--now], disable [--now], start, stop, restart, reload, kill,
# daemon-reload.
set -uo pipefail
STATE_DIR=/run/epiphany-systemctl-shim
ENABLED_DIR=/etc/epiphany-systemctl-shim/enabled
HAPROXY_CFG=/etc/haproxy/haproxy.cfg
HAPROXY_PID=/run/haproxy.pid

# Queries work for any user, as systemd's do; only root changes units (and creates the state directories).
[[ $(id -u) -ne 0 ]] || mkdir -p "$STATE_DIR" "$ENABLED_DIR"
err() { echo "systemctl (SIMULATED shim): $*" >&2; }

unit_name() { local u=${1%.service}; echo "$u"; }

haproxy_master() {
  [[ -f $HAPROXY_PID ]] || return 1
  local pid; pid=$(head -1 "$HAPROXY_PID")
  # /proc, not kill -0: a non-root caller (systemctl is-active as the login user) may not signal root's process
  [[ -n $pid && -d /proc/$pid ]] && echo "$pid"
}

is_active() {
  case $1 in
    haproxy) haproxy_master >/dev/null ;;
    kubelet) [[ -f $STATE_DIR/kubelet.active ]] ;;
    *) return 4 ;;
  esac
}

start() {
  case $1 in
    haproxy)
      haproxy_master >/dev/null && return 0
      mkdir -p /run/haproxy
      if ! haproxy -c -q -f "$HAPROXY_CFG"; then
        err "Job for haproxy.service failed: configuration $HAPROXY_CFG is invalid (haproxy -c above)"; return 1
      fi
      # Like the journal: haproxy's own messages go to a log file, not to the caller.
      haproxy -W -D -p "$HAPROXY_PID" -f "$HAPROXY_CFG" >>/var/log/haproxy-shim.log 2>&1 \
        || { err "Job for haproxy.service failed (see /var/log/haproxy-shim.log)"; return 1; }
      ;;
    kubelet)
      touch "$STATE_DIR/kubelet.active"; start_static_pods
      # the SIMULATED cluster learns that the kubelet (re)started: its Node reports the installed kubelet's version
      # from now on, as a real kubelet's does after an upgrade (its static pods already run: the hooks do nothing)
      if [[ -x $SIM ]]; then "$SIM" systemctl restart kubelet >/dev/null || { err "kubelet: the simulation refused"; return 1; }; fi ;;
  esac
}

# The command list of a static pod manifest (YAML as the SIMULATED kubeadm writes it: one quoted item per line).
manifest_command() {
  awk '/^ *(- )?command:$/ {c=1; next} c && /^ *- / {sub(/^ *- /, ""); gsub(/^"|"$/, ""); print; next} c {exit}' "$1"
}

start_static_pods() {
  local manifests=/etc/kubernetes/manifests
  if [[ -f $manifests/etcd.yaml && -x /usr/local/sbin/epiphany-etcd ]]; then
    local cmd=()
    mapfile -t cmd < <(manifest_command "$manifests/etcd.yaml")
    [[ ${#cmd[@]} -gt 0 ]] && { /usr/local/sbin/epiphany-etcd start "${cmd[@]}" || err "kubelet: etcd did not start"; }
  fi
  if [[ -f $manifests/kube-apiserver.yaml && -x /usr/local/sbin/epiphany-apiserver-standin ]]; then
    /usr/local/sbin/epiphany-apiserver-standin start || err "kubelet: the apiserver stand-in did not start"
  fi
  return 0
}

stop() {
  case $1 in
    haproxy)
      local pid
      pid=$(haproxy_master) || return 0
      kill -TERM "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      rm -f "$HAPROXY_PID"
      ;;
    kubelet) rm -f "$STATE_DIR/kubelet.active" ;;
  esac
}

reload() {
  case $1 in
    haproxy)
      local pid
      pid=$(haproxy_master) || { err "haproxy.service is not active, cannot reload."; return 1; }
      haproxy -c -q -f "$HAPROXY_CFG" || { err "Job for haproxy.service failed: invalid configuration"; return 1; }
      kill -USR2 "$pid"
      ;;
    kubelet) is_active kubelet || { err "kubelet.service is not active, cannot reload."; return 1; } ;;
  esac
}

# systemctl kill [--kill-who[m]=W] [--signal=S|-s S] UNIT: see the header.
kill_unit() {
  local whom=all sig=SIGTERM units=() a
  while [[ $# -gt 0 ]]; do
    a=$1; shift
    case $a in
      --kill-whom=*|--kill-who=*) whom=${a#*=} ;;  # getopt_long: --kill-who abbreviates --kill-whom (systemd >= 252)
      --signal=*) sig=${a#--signal=} ;;
      -s) [[ $# -gt 0 ]] || { echo "systemctl: option requires an argument -- 's'" >&2; return 1; }; sig=$1; shift ;;
      -*) echo "systemctl: unrecognized option '$a'" >&2; return 1 ;;
      *) units+=("$(unit_name "$a")") ;;
    esac
  done
  [[ ${#units[@]} -gt 0 ]] || { echo "Too few arguments." >&2; return 1; }
  case ${sig#SIG} in
    USR2|12) ;;
    *) err "kill: only --signal=SIGUSR2 is modelled, not $sig"; return 1 ;;
  esac
  case $whom in
    main) ;;
    control|all) err "kill: only --kill-who=main is modelled ($whom would signal HAProxy's workers too)"; return 1 ;;
    *) echo "Failed to kill unit ${units[0]}.service: Invalid who argument: $whom" >&2; return 1 ;;
  esac
  [[ ${#units[@]} -eq 1 && ${units[0]} == haproxy ]] \
    || { err "kill: only haproxy is modelled, not ${units[*]}"; return 1; }
  [[ $(id -u) -eq 0 ]] || { echo "Failed to kill unit haproxy.service: Access denied" >&2; return 1; }
  local pid
  pid=$(haproxy_master) || { echo "Failed to kill unit haproxy.service: No main process to kill" >&2; return 1; }
  # the signal is all: a master that fails to parse the file keeps its old workers, and systemctl still exits 0
  kill -USR2 "$pid"
}

known() { [[ $1 == haproxy || $1 == kubelet ]] || { err "Unit $1.service not found."; return 5; }; }

[[ $# -ge 1 ]] || { err "no command given"; exit 1; }
cmd=$1; shift
if [[ $cmd == kill ]]; then kill_unit "$@"; exit $?; fi
now=false units=()
for a in "$@"; do
  case $a in
    --now) now=true ;;
    --quiet|-q|--no-pager|--no-block) ;;
    -*) err "unsupported option $a"; exit 1 ;;
    *) units+=("$(unit_name "$a")") ;;
  esac
done

# containerd is the simulation's unit (only one unit per call, as the SDK sends them): see the header.
SIM=/usr/local/sbin/epiphany-sim
if [[ ${#units[@]} -gt 0 ]] && printf '%s\n' "${units[@]}" | grep -qx containerd; then
  [[ ${#units[@]} -eq 1 ]] || { err "containerd must be the only unit of a call (it is SIMULATED)"; exit 1; }
  [[ -x $SIM ]] || { err "Unit containerd.service not found (no simulation on this fleet)."; exit 5; }
  exec "$SIM" systemctl "$cmd" "$@"
fi

rc=0
case $cmd in
  daemon-reload) exit 0 ;;
  is-active)
    for u in "${units[@]}"; do
      if is_active "$u"; then echo active; else echo inactive; rc=3; fi
    done ;;
  is-enabled)
    for u in "${units[@]}"; do
      if [[ -f $ENABLED_DIR/$u ]]; then echo enabled; else echo disabled; rc=1; fi
    done ;;
  enable|disable|start|stop|restart|reload)
    [[ ${#units[@]} -gt 0 ]] || { err "$cmd needs a unit"; exit 1; }
    for u in "${units[@]}"; do
      known "$u" || { rc=5; continue; }
      case $cmd in
        enable)
          touch "$ENABLED_DIR/$u"
          if [[ $u == kubelet && -x $SIM ]]; then "$SIM" systemctl enable kubelet >/dev/null || rc=1; fi
          if $now; then start "$u" || rc=1; fi ;;
        disable) rm -f "$ENABLED_DIR/$u"; if $now; then stop "$u" || rc=1; fi ;;
        start) start "$u" || rc=1 ;;
        stop) stop "$u" || rc=1 ;;
        restart) stop "$u"; start "$u" || rc=1 ;;
        reload) reload "$u" || rc=1 ;;
      esac
    done ;;
  *) err "command '$cmd' is not supported by this shim"; exit 1 ;;
esac
exit $rc
