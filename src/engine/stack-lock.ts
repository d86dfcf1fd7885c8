/**
 * One actor at a time on a stack's containers: `up` (and `down`, and the daemon's own up) take the
 * stack's lock, keyed by the engine and the stack (project) name — two checkouts with the same
 * project name act on the same containers, so they share the lock.
 *
 * The lock itself is an abstract unix socket on Linux (as the daemon's single-instance lock,
 * src/daemon/lock.ts): binding it is atomic, and the kernel releases it the instant its holder dies,
 * even on SIGKILL, so a dead holder never blocks anyone and two waiters cannot both take over a stale
 * lock. A small file beside it says who holds it (pid, command, since) for the waiter's message.
 * Where abstract sockets do not exist, a pid file created with O_EXCL is the lock and a dead pid is
 * taken over.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { CancelledError, StackctlError, type StackctlErrorOptions } from '../errors.js';
import { sleep } from './signals.js';

export interface LockHolder {
  pid: number;
  /** What it runs, e.g. `stackctl up -p pyairtable` (redacted by whoever wrote it). */
  command: string;
  /** ISO time it took the lock. */
  since: string;
  host: string;
}

export interface StackLockOptions {
  /** How long to wait for the holder before giving up. 0 = do not wait. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** How this process describes itself to a waiter (already redacted). */
  command: string;
  /** Called once, when the lock is found held: the caller says it waits, and for whom. */
  onWait?: (holder: LockHolder | undefined) => void;
  /** Where the holder files live (default: <tmpdir>/stackctl-<uid>/locks). */
  dir?: string;
  /** The engine the stack lives on (default: DOCKER_HOST, else the default socket). */
  engine?: string;
  pollMs?: number;
  clock?: () => number;
}

export interface StackLock {
  /** How long this process waited for it (0 when it was free). */
  readonly waitedMs: number;
  /** Who held it when this process started waiting, if anyone. */
  readonly waitedFor: LockHolder | undefined;
  release(): void;
}

/** Waited `timeoutMs` for another actor on the stack; nothing was done. */
export class StackLockedError extends StackctlError {
  readonly code = 'E_STACK_LOCKED';
  constructor(
    message: string,
    readonly holder: LockHolder | undefined,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

interface LockPaths {
  /** The abstract socket's name (Linux). */
  socketName: string;
  /** Who holds it. */
  holderFile: string;
  /** The lock itself where abstract sockets do not exist. */
  pidFile: string;
}

export function stackLockPaths(stackName: string, options: { dir?: string; engine?: string } = {}): LockPaths {
  const engine = options.engine ?? process.env.DOCKER_HOST ?? 'default';
  const key = createHash('sha256').update(`${engine}\0${stackName}`).digest('hex').slice(0, 24);
  const dir = options.dir ?? path.join(tmpdir(), `stackctl-${process.getuid?.() ?? 'user'}`, 'locks');
  const safe = stackName.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return {
    socketName: `\0stackctl-stack-${key}`,
    holderFile: path.join(dir, `${safe}-${key}.json`),
    pidFile: path.join(dir, `${safe}-${key}.lock`),
  };
}

export function readLockHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.command === 'string' && typeof parsed.since === 'string') {
      return { pid: parsed.pid, command: parsed.command, since: parsed.since, host: typeof parsed.host === 'string' ? parsed.host : '' };
    }
  } catch {
    // Absent or half-written: the holder is not known (yet).
  }
  return undefined;
}

export function describeHolder(holder: LockHolder | undefined, now = Date.now()): string {
  if (!holder) return 'another stackctl process (it has not said who it is yet)';
  const seconds = Math.max(0, Math.round((now - Date.parse(holder.since)) / 1000));
  return `pid ${holder.pid} (\`${holder.command}\`), since ${holder.since} (${seconds}s ago)`;
}

/** Takes the stack's lock, waiting up to `timeoutMs` for the holder; StackLockedError after that. */
export async function acquireStackLock(stackName: string, options: StackLockOptions): Promise<StackLock> {
  const clock = options.clock ?? Date.now;
  const paths = stackLockPaths(stackName, options);
  mkdirSync(path.dirname(paths.holderFile), { recursive: true, mode: 0o700 });
  const began = clock();
  let waitedFor: LockHolder | undefined;
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError(`cancelled while waiting for the lock of stack "${stackName}"`);
    const release = process.platform === 'linux' ? await tryBindLockSocket(paths.socketName) : tryTakePidFile(paths.pidFile);
    if (release) {
      const holder: LockHolder = { pid: process.pid, command: options.command, since: new Date(clock()).toISOString(), host: hostname() };
      writeHolder(paths.holderFile, holder);
      let released = false;
      return {
        waitedMs: told ? clock() - began : 0,
        waitedFor,
        release: () => {
          if (released) return;
          released = true;
          if (readLockHolder(paths.holderFile)?.pid === process.pid) rmSync(paths.holderFile, { force: true });
          release();
        },
      };
    }
    const holder = readLockHolder(paths.holderFile);
    if (!told) {
      told = true;
      waitedFor = holder;
      if (options.timeoutMs > 0) options.onWait?.(holder);
    }
    if (clock() - began >= options.timeoutMs) {
      throw new StackLockedError(
        `another stackctl is acting on stack "${stackName}": ${describeHolder(holder, clock())}; gave up waiting after ${Math.round(options.timeoutMs / 1000)}s`,
        holder,
        {
          hint: holder
            ? `wait for it to finish and try again (or wait longer: --lock-timeout); if pid ${holder.pid} is stuck, stop it (kill ${holder.pid}) — a holder that dies releases the lock by itself`
            : 'wait for it to finish and try again (or wait longer: --lock-timeout)',
        },
      );
    }
    await sleep(Math.min(options.pollMs ?? 200, Math.max(1, options.timeoutMs - (clock() - began))), options.signal);
  }
}

/** Binds the abstract socket `name`: a release function, or undefined when someone holds it. */
export function tryBindLockSocket(name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen(name, () => {
      server.unref();
      resolve(() => void server.close());
    });
  });
}

/**
 * Creates the pid file: a release function, or undefined when a live process holds it. A dead
 * holder's file is removed (undefined too: the next attempt takes it).
 */
export function tryTakePidFile(file: string): (() => void) | undefined {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) return undefined;
    rmSync(file, { force: true });
    return undefined; // taken over: the next round creates it
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeHolder(file: string, holder: LockHolder): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
