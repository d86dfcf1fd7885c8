/**
 * Is a dpkg/apt lock held by another process? (stackctl's scripts apt-get install what is missing,
 * e.g. docker-compose; a held lock makes them wait or fail.) From /proc/locks: each lock names the
 * holder's pid and the locked file's device and inode, matched against the lock files' own.
 */
import { readFile, stat } from 'node:fs/promises';
import { check, type DoctorCheck } from './check.js';

export const APT_LOCK_FILES = ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock', '/var/cache/apt/archives/lock'];

export interface HeldLock {
  file: string;
  pid: number;
  command: string;
}

/** Linux's dev_t → "maj:min" in hex, as /proc/locks writes it. */
function deviceKey(dev: number): string {
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & ~0xff);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

export async function heldAptLocks(files: readonly string[] = APT_LOCK_FILES, locksFile = '/proc/locks'): Promise<HeldLock[]> {
  const text = await readFile(locksFile, 'utf8').catch(() => '');
  const held: HeldLock[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    const key = `${deviceKey(info.dev)}:${info.ino}`;
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      // "1: POSIX  ADVISORY  WRITE 1234 08:01:131 0 EOF" (a "->" marks a waiter; skip it)
      if (fields[1] === '->') continue;
      const pid = Number(fields[4]);
      if (fields[5] !== key || !(pid > 0) || pid === process.pid) continue;
      const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ') || '?';
      held.push({ file, pid, command: command.length > 100 ? `${command.slice(0, 99)}…` : command });
    }
  }
  return held;
}

export async function aptLockCheck(): Promise<DoctorCheck> {
  const held = await heldAptLocks();
  if (held.length === 0) return check('apt-lock', 'ok', 'no dpkg/apt lock is held');
  const first = held[0]!;
  return check(
    'apt-lock',
    'warning',
    `${first.file} is held by pid ${first.pid} (${first.command})${held.length > 1 ? ` and ${held.length - 1} more lock${held.length === 2 ? '' : 's'}` : ''}`,
    'installs (apt-get install docker-compose, …) wait for it: let that apt/dpkg finish; scripts wait with apt-get -o DPkg::Lock::Timeout=600',
  );
}
