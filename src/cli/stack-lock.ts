/**
 * The CLI's side of the stack lock (src/engine/stack-lock.ts): `up` and `down` take it before acting
 * on the containers; a second one waits, saying for whom (on stderr, or as ndjson events with
 * --json), and gives up after --lock-timeout with a message naming the holder.
 */
import { acquireStackLock, describeHolder, type StackLock } from '../engine/stack-lock.js';
import type { Redactor } from '../secrets.js';
import type { CliContext } from './context.js';
import type { Output } from './render/output.js';

export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;

export interface LockOptions {
  json: boolean;
  timeoutMs?: number;
  redactor: Redactor;
  out: Output;
}

export async function lockStack(ctx: CliContext, stackName: string, options: LockOptions): Promise<StackLock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const command = options.redactor.redact(['stackctl', ...process.argv.slice(2)].join(' ')).slice(0, 200);
  const lock = await acquireStackLock(stackName, {
    timeoutMs,
    signal: ctx.signal,
    command,
    ...(ctx.env.DOCKER_HOST ? { engine: ctx.env.DOCKER_HOST } : {}),
    onWait: (holder) => {
      if (options.json) {
        options.out.json({ type: 'lock.waiting', at: Date.now(), stack: stackName, holder: holder ?? null, timeoutMs });
      } else {
        ctx.stderr.write(`stackctl: stack "${stackName}" is busy: ${describeHolder(holder)} is acting on it; waiting for it (up to ${Math.round(timeoutMs / 1000)}s, --lock-timeout)\n`);
      }
    },
  });
  if (lock.waitedMs > 0) {
    if (options.json) options.out.json({ type: 'lock.acquired', at: Date.now(), stack: stackName, waitedMs: lock.waitedMs });
    else ctx.stderr.write(`stackctl: stack "${stackName}" is free after ${Math.round(lock.waitedMs / 100) / 10}s; going on\n`);
  }
  return lock;
}

/** Runs `work` holding the stack lock (taken as lockStack does), and releases it however `work` ends. */
export async function withStackLock<T>(ctx: CliContext, stackName: string, options: LockOptions, work: (lock: StackLock) => Promise<T>): Promise<T> {
  const lock = await lockStack(ctx, stackName, options);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}
