import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/errors.js';
import { StackLockedError, acquireStackLock, readLockHolder, stackLockPaths, type LockHolder } from '../../../src/engine/stack-lock.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUILT = path.join(ROOT, 'dist/engine/stack-lock.js');
const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-lock-'));
let n = 0;
const unique = (): string => `lock-test-${process.pid}-${n++}`;
const options = { dir, engine: 'unit-test', pollMs: 20 };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stack lock', () => {
  it('a second taker waits, is told who holds it, and gives up after its timeout with the holder named', async () => {
    const stack = unique();
    const first = await acquireStackLock(stack, { ...options, timeoutMs: 0, command: 'stackctl up -p one' });
    expect(first.waitedMs).toBe(0);
    const told: Array<LockHolder | undefined> = [];
    const error = await acquireStackLock(stack, { ...options, timeoutMs: 150, command: 'stackctl up -p two', onWait: (holder) => told.push(holder) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackLockedError);
    expect((error as StackLockedError).message).toMatch(new RegExp(`^another stackctl is acting on stack "${stack}": pid ${process.pid} \\(\`stackctl up -p one\`\\), since \\S+ \\(\\ds ago\\); gave up waiting after 0s$`));
    expect((error as StackLockedError).hint).toMatch(/--lock-timeout/);
    expect(told).toEqual([expect.objectContaining({ pid: process.pid, command: 'stackctl up -p one' })]);
    first.release();
    expect(readLockHolder(stackLockPaths(stack, options).holderFile)).toBeUndefined();
  });

  it('a waiter gets the lock as soon as the holder releases it, and says how long it waited', async () => {
    const stack = unique();
    const first = await acquireStackLock(stack, { ...options, timeoutMs: 0, command: 'first' });
    setTimeout(() => first.release(), 120);
    const second = await acquireStackLock(stack, { ...options, timeoutMs: 5_000, command: 'second' });
    expect(second.waitedMs).toBeGreaterThanOrEqual(100);
    expect(second.waitedFor?.command).toBe('first');
    expect(readLockHolder(stackLockPaths(stack, options).holderFile)?.command).toBe('second');
    second.release();
  });

  it('different stacks, or the same name on another engine, do not wait for each other', async () => {
    const stack = unique();
    const a = await acquireStackLock(stack, { ...options, timeoutMs: 0, command: 'a' });
    const b = await acquireStackLock(unique(), { ...options, timeoutMs: 0, command: 'b' });
    const c = await acquireStackLock(stack, { ...options, engine: 'another-engine', timeoutMs: 0, command: 'c' });
    for (const lock of [a, b, c]) lock.release();
  });

  // The holder is another process running the built module (make test builds first).
  it.skipIf(!existsSync(BUILT))('a holder that dies (SIGKILL) releases it at once (needs npm run build)', async () => {
    const stack = unique();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import(${JSON.stringify(BUILT)}).then(async (m) => { await m.acquireStackLock(${JSON.stringify(stack)}, { dir: ${JSON.stringify(dir)}, engine: 'unit-test', timeoutMs: 0, command: 'doomed' }); console.log('held'); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
    });
    await expect(acquireStackLock(stack, { ...options, timeoutMs: 0, command: 'me' })).rejects.toBeInstanceOf(StackLockedError);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const lock = await acquireStackLock(stack, { ...options, timeoutMs: 2_000, command: 'me' });
    expect(readLockHolder(stackLockPaths(stack, options).holderFile)?.command).toBe('me');
    lock.release();
  }, 20_000);

  it('Ctrl-C while waiting cancels', async () => {
    const stack = unique();
    const first = await acquireStackLock(stack, { ...options, timeoutMs: 0, command: 'first' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(acquireStackLock(stack, { ...options, timeoutMs: 10_000, command: 'second', signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    first.release();
  });
});
