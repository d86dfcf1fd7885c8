import { describe, expect, it } from 'vitest';
import { CancelledError, ProbeTimeoutError } from '../../../src/errors.js';
import { ProbeGaveUpError } from '../../../src/probes/errors.js';
import { HopelessProbeError, type Probe } from '../../../src/probes/probe.js';
import { waitReady, type ProbeAttempt } from '../../../src/probes/wait-ready.js';
import { containerInfo, fakeTarget } from './fake-target.js';

/** A probe failing `failures` times (with `error`), then passing; records when it was called. */
function flaky(failures: number, error: () => Error = () => new Error('not yet')): Probe & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    describe: () => 'fake probe',
    async check() {
      calls.push(performance.now());
      if (calls.length <= failures) throw error();
    },
  };
}

describe('waitReady', () => {
  it('retries from ~50 ms with growing delays until the probe passes, reporting each attempt', async () => {
    const probe = flaky(4);
    const attempts: ProbeAttempt[] = [];
    const result = await waitReady(probe, fakeTarget({}), { timeoutMs: 10_000, onAttempt: (a) => attempts.push(a) });
    expect(result.attempts).toBe(5);
    expect(attempts.map((a) => a.ok)).toEqual([false, false, false, false, true]);
    expect(attempts[0]?.error).toBe('not yet');
    const gaps = probe.calls.slice(1).map((t, i) => t - (probe.calls[i] ?? 0));
    // 50, 100, 200, 400 ms (timers may fire a little late, never early)
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[0]).toBeLessThan(150);
    expect(gaps[3]).toBeGreaterThanOrEqual(395);
    expect(result.durationMs).toBeGreaterThanOrEqual(745);
  });

  it('caps the delay at maxDelayMs', async () => {
    const probe = flaky(3);
    await waitReady(probe, fakeTarget({}), { timeoutMs: 10_000, minDelayMs: 10, maxDelayMs: 20, factor: 10 });
    const gaps = probe.calls.slice(1).map((t, i) => t - (probe.calls[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(80);
  });

  it('throws ProbeTimeoutError with the attempt count and the last error at the deadline', async () => {
    let n = 0;
    const probe: Probe = {
      describe: () => 'fake probe',
      async check() {
        n += 1;
        throw new Error(`failure ${n}`);
      },
    };
    const started = performance.now();
    const error = await waitReady(probe, fakeTarget({}), { timeoutMs: 400 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ProbeTimeoutError);
    expect(error).not.toBeInstanceOf(ProbeGaveUpError);
    const timeout = error as ProbeTimeoutError;
    expect(timeout.attempts).toBe(n);
    expect(timeout.lastError).toBe(`failure ${n}`);
    expect(timeout.message).toBe(`svc not ready after 0.4s (${n} attempts of fake probe): failure ${n}`);
    expect(timeout.service).toBe('svc');
    expect(elapsed).toBeGreaterThanOrEqual(395);
    expect(elapsed).toBeLessThan(1500);
  });

  it('stops at once on HopelessProbeError', async () => {
    const probe = flaky(100, () => new HopelessProbeError('password authentication failed for user "app"'));
    const error = await waitReady(probe, fakeTarget({}), { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeGaveUpError);
    expect(error).toBeInstanceOf(ProbeTimeoutError);
    expect(error).toMatchObject({ reason: 'hopeless', attempts: 1, lastError: 'password authentication failed for user "app"' });
    expect((error as Error).message).toBe('svc: gave up waiting after 1 attempt: password authentication failed for user "app"');
  });

  it('stops when the container has exited (checked between attempts), keeping the last probe error', async () => {
    let inspections = 0;
    const target = fakeTarget(
      {},
      {
        inspectContainer: async () => {
          inspections += 1;
          return inspections < 3 ? containerInfo() : containerInfo({ status: 'exited', exitCode: 1 });
        },
      },
    );
    const error = await waitReady(flaky(100, () => new Error('connection refused')), target, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeGaveUpError);
    expect(error).toMatchObject({ reason: 'exited', attempts: 3, lastError: 'connection refused' });
    expect((error as ProbeGaveUpError).container?.exitCode).toBe(1);
    expect((error as Error).message).toBe('svc: gave up waiting after 3 attempts: the container exited with code 1');
  });

  it('says when the container was killed for lack of memory, or is gone', async () => {
    const oom = fakeTarget({}, { inspectContainer: async () => containerInfo({ status: 'exited', exitCode: 137, oomKilled: true }) });
    await expect(waitReady(flaky(1), oom, { timeoutMs: 5000 })).rejects.toThrow('killed for lack of memory (OOM, exit code 137)');
    const gone = fakeTarget({}, { inspectContainer: async () => undefined });
    await expect(waitReady(flaky(1), gone, { timeoutMs: 5000 })).rejects.toMatchObject({ reason: 'gone' });
  });

  it('honours the AbortSignal, during an attempt and between attempts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 120);
    const started = performance.now();
    const error = await waitReady(flaky(1000), fakeTarget({}), { timeoutMs: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(1000);

    const hanging: Probe = {
      describe: () => 'hanging',
      check: (_target, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const second = new AbortController();
    setTimeout(() => second.abort(), 50);
    await expect(waitReady(hanging, fakeTarget({}), { timeoutMs: 10_000, signal: second.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('limits a hanging attempt to attemptTimeoutMs and says so', async () => {
    const hanging: Probe = {
      describe: () => 'hanging probe',
      check: (_target, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const error = await waitReady(hanging, fakeTarget({}), { timeoutMs: 300, attemptTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeTimeoutError);
    expect((error as ProbeTimeoutError).lastError).toMatch(/^hanging probe: no answer within \d+ ms$/);
  });

  it('retries a TypeError from a probe like any failure', async () => {
    const result = await waitReady(flaky(2, () => new TypeError('fetch failed')), fakeTarget({}), { timeoutMs: 5000 });
    expect(result.attempts).toBe(3);
  });

  it('validates its options with messages naming the option', async () => {
    await expect(waitReady(flaky(0), fakeTarget({}), { timeoutMs: -1 })).rejects.toThrow('waitReady: option `timeoutMs` must be a non-negative number of milliseconds, got -1');
    await expect(waitReady(flaky(0), fakeTarget({}), { timeoutMs: 10, factor: 0.5 })).rejects.toThrow('option `factor` must be ≥ 1');
  });
});

describe('waitReady: the last error', () => {
  it('keeps the previous error when the deadline cuts the final attempt short', async () => {
    let n = 0;
    const probe: Probe = {
      describe: () => 'slowing probe',
      check: (_target, signal) => {
        n += 1;
        if (n === 1) return Promise.reject(new Error('answered 503: redis NOAUTH'));
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    const error = await waitReady(probe, fakeTarget({}), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((error as ProbeTimeoutError).lastError).toBe('answered 503: redis NOAUTH');
  });
});
