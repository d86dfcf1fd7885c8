/**
 * One daemon per stack. On Linux the lock is an abstract unix socket named after the stack directory
 * and stack name: binding it is atomic, and the kernel releases it the instant the process dies —
 * even on SIGKILL — so a killed daemon never leaves a stale lock behind and two daemons starting at
 * the same moment cannot both win. Elsewhere a pid file created with O_EXCL stands in (a dead pid is
 * taken over). The `.daemon.json` info file only says who holds the lock, for the refusal message
 * and for clients.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DaemonAlreadyRunningError } from './errors.js';
import type { DaemonPaths } from './paths.js';
import { isProcessAlive, tryBindLockSocket, tryTakePidFile } from '../engine/stack-lock.js';


export interface DaemonInfo {
  pid: number;
  stack: string;
  stackDir: string;
  stackFile: string;
  socket: string;
  /** `127.0.0.1:PORT` when the API also listens on TCP. */
  listen?: string;
  startedAt: string;
  version: string;
}

export interface DaemonLock {
  release(): void;
}

export function readDaemonInfo(file: string): DaemonInfo | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && typeof (parsed as DaemonInfo).pid === 'number') {
      return parsed as DaemonInfo;
    }
  } catch {
    // Absent or half-written: no information.
  }
  return undefined;
}

/** Atomic (write + rename), mode 0600. */
export function writeDaemonInfo(file: string, info: DaemonInfo): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeDaemonInfo(file: string, pid = process.pid): void {
  // Only remove our own: a successor may already have written its info.
  if (readDaemonInfo(file)?.pid === pid) rmSync(file, { force: true });
}


function alreadyRunning(stack: string, paths: DaemonPaths): DaemonAlreadyRunningError {
  const info = readDaemonInfo(paths.info);
  const who = info
    ? ` (pid ${info.pid}, started ${info.startedAt}, socket ${info.socket}${info.listen ? `, listening on ${info.listen}` : ''})`
    : '';
  return new DaemonAlreadyRunningError(
    `a daemon is already supervising stack "${stack}"${who}; a second one would fight it, so this one will not start`,
    info?.pid,
    {
      hint: info
        ? `talk to it with "stackctl ps", "stackctl logs" or "stackctl down", or stop it with "kill ${info.pid}" (the stack keeps running)`
        : 'talk to it with "stackctl ps" or "stackctl down", or stop the other daemon first',
    },
  );
}

export async function acquireDaemonLock(stack: string, paths: DaemonPaths): Promise<DaemonLock> {
  mkdirSync(paths.stateDir, { recursive: true });
  if (process.platform === 'linux') return acquireAbstractSocketLock(stack, paths);
  return acquirePidFileLock(stack, paths);
}

async function acquireAbstractSocketLock(stack: string, paths: DaemonPaths): Promise<DaemonLock> {
  const release = await tryBindLockSocket(paths.lockName);
  if (!release) throw alreadyRunning(stack, paths);
  return { release };
}

function acquirePidFileLock(stack: string, paths: DaemonPaths): DaemonLock {
  // A dead holder's file is removed by the first attempt and taken by the second.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const release = tryTakePidFile(paths.lockFile);
    if (release) return { release };
  }
  throw alreadyRunning(stack, paths);
}
