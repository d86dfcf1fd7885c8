# Sourced by scripts/ensure-*.sh: `apt_get ARGS...` is apt-get that waits for the dpkg/apt lock when
# another process holds it (on a fresh machine an unattended upgrade holds it for minutes) and says
# what it is waiting for, instead of failing. APT_LOCK_TIMEOUT (seconds, default 900) bounds the wait.
# `apt-get update` does not honour DPkg::Lock::Timeout for the lists lock, hence the loop.

APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)

# Prints "<lock> held by pid N (name)" for the first lock another process holds; fails when none is held.
apt_lock_holder() {
  local lock inode pid
  for lock in "${APT_LOCKS[@]}"; do
    [ -e "$lock" ] || continue
    inode=$(stat -c %i "$lock")
    # /proc/locks: "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (pid -1 for an open-file lock)
    pid=$(awk -v inode="$inode" '{ n = split($6, id, ":"); if (id[n] == inode) { print $5; exit } }' /proc/locks 2>/dev/null)
    [ -n "$pid" ] || continue
    [ "$pid" = "$$" ] && continue
    if [ "$pid" = -1 ]; then echo "$lock held by another process"; else echo "$lock held by pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))"; fi
    return 0
  done
  return 1
}

apt_get() {
  local timeout=${APT_LOCK_TIMEOUT:-900} waited=0 holder said=""
  while holder=$(apt_lock_holder); do
    if [ "$waited" -ge "$timeout" ]; then
      printf 'apt: gave up after %s s waiting for the package manager lock: %s\n' "$waited" "$holder" >&2
      return 1
    fi
    if [ "$holder" != "$said" ] || [ $((waited % 30)) -eq 0 ]; then
      printf 'apt: waiting for the package manager lock: %s (%s s so far, up to %s s)\n' "$holder" "$waited" "$timeout" >&2
      said=$holder
    fi
    sleep 2
    waited=$((waited + 2))
  done
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$((timeout - waited > 60 ? timeout - waited : 60))" "$@"
}
