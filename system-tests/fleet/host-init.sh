#!/bin/bash
# PID 1 of one fleet host (see fleet.sh). Runs inside the host's fresh network, UTS, PID and private mount namespaces:
# sets the hostname, gives the host its own /etc, /var (overlays over the machine's), /root, /home, /tmp, /run, the
# fleet's shim directory on /usr/local/sbin and a /usr/bin without etcdctl, then stays alive reaping orphans until it is killed. When it dies the
# kernel kills every process of the host and drops its mounts.
set -euo pipefail
host=$1 d=$2 fleet=$3

hostname "$host"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/etc-upper,workdir=$d/etc-work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$d/var-upper,workdir=$d/var-work" /var
echo "$host" > /etc/hostname
mount --bind "$d/root" /root
mount --bind "$d/home" /home
mount --bind "$d/tmp" /tmp
mount --bind "$d/opt" /opt
if [[ -d "$fleet/java" ]]; then
  mkdir -p /opt/epiphany-fleet/java
  mount --bind "$fleet/java" /opt/epiphany-fleet/java
  mount -o remount,bind,ro /opt/epiphany-fleet/java
fi
mkdir -p /opt/epiphany-fleet/shared
mount --bind "$fleet/shared" /opt/epiphany-fleet/shared
# A kubeadm host has no etcdctl binary (it is in the etcd static pod's image, reached with crictl exec): the
# machine's Debian /usr/bin/etcdctl is hidden behind an overlay whiteout on /usr/bin and shown only, read-only, at
# /opt/epiphany-fleet/etcd/etcdctl, where the crictl shim runs it "inside the etcd container".
if [[ -e /usr/bin/etcdctl ]]; then
  mkdir -p /opt/epiphany-fleet/etcd
  : > /opt/epiphany-fleet/etcd/etcdctl
  mount --bind /usr/bin/etcdctl /opt/epiphany-fleet/etcd/etcdctl
  mount -o remount,bind,ro /opt/epiphany-fleet/etcd/etcdctl
  mknod "$d/usrbin-upper/etcdctl" c 0 0
  mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$d/usrbin-upper,workdir=$d/usrbin-work" /usr/bin
fi
# The REAL programs that change the kernel, swap, or the package database are blocked inside the host (a refusing
# script bound over each, in this private mount namespace only): the SDK's host preparation must reach the SIMULATED
# ones in /usr/local/sbin (fleet.sh install_simulation), and if anything called a real one by its full path it fails
# instead of changing this machine. The machine's own binaries are untouched.
for prog in swapon swapoff modprobe insmod rmmod sysctl apt-get apt apt-mark apt-cache dpkg dnf yum containerd; do
  for dir in /usr/sbin /usr/bin /sbin /bin; do
    real=$(readlink -f "$dir/$prog" 2>/dev/null) || continue
    [[ -f $real ]] || continue
    # one bind per real file (on a merged /usr, /sbin/X and /usr/sbin/X are the same file)
    grep -qF " $real " /proc/self/mountinfo || mount --bind "$fleet/sbin/epiphany-blocked" "$real"
  done
done
mount --bind "$fleet/sbin" /usr/local/sbin
mount -o remount,bind,ro /usr/local/sbin
# The host's own /usr/local/bin, first in a non-root login's PATH (sshd's default has no sbin): links to the fleet's
# programs (a login user's `systemctl is-active` must reach the shim, as it reaches systemd on a real machine) and to
# the Kubernetes programs the host has installed (fleet.sh). The machine's own /usr/local/bin is hidden from the hosts.
mount --bind "$d/usrlocalbin" /usr/local/bin
# /run last: the fleet's state lives under the machine's /run and is hidden from the host from here on.
mount --bind "$d/run" /run
mkdir -p /run/lock
echo ready > /run/epiphany-fleet-ready

trap 'exit 0' TERM INT
# bash reaps every exited child, including daemons re-parented to it (sshd, haproxy, etcd).
while :; do
  sleep 3600 &
  wait $! || true
done
