#!/bin/sh
# REGISTRY_UPSTREAM=host:port of the manager's registry, seen from this node.
set -e
# Without --privileged the cgroup hierarchies are mounted read-only (and a remount is refused: "mount
# point is busy"), so the inner dockerd failed every task with "mkdir /sys/fs/cgroup/cpuset/docker:
# read-only file system". Each is mounted again read-write (CAP_SYS_ADMIN, added by name); the inner
# containers go under /<node name> (--cgroup-parent), apart from the outer engine's /docker.
mount | grep ' type cgroup ' | while read -r _ _ dir _ _ opts; do
  opts=${opts#(}; opts=${opts%)}
  controllers=$(echo "$opts" | tr , '\n' | grep -vE '^(ro|rw|nosuid|nodev|noexec|relatime)$' | paste -sd, -)
  umount "$dir" && mount -t cgroup -o "$controllers" cgroup "$dir"
done
if [ -n "${REGISTRY_UPSTREAM:-}" ]; then
  socat TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr "TCP:${REGISTRY_UPSTREAM}" &
fi
# /var/lib/docker is a volume (ext4), so overlay2 works inside; vfs gave every image's root
# directory mode 0700 (non-root users of the image could not run /bin/sh): STORAGE_DRIVER=vfs to compare.
exec dockerd --storage-driver="${STORAGE_DRIVER:-overlay2}" --cgroup-parent "/$(hostname)" --host=unix:///var/run/docker.sock
