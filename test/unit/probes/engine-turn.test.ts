import { describe, expect, it } from 'vitest';
import type { Probe } from '../../../src/probes/probe.js';
import { waitReady } from '../../../src/probes/wait-ready.js';
import { fakeTarget } from './fake-target.js';

/** A probe whose every check takes `ms` of the engine's time, counting how many run at once. */
function slowProbe(execsInContainer: boolean, ms: number, load: { now: number; peak: number }): Probe {
  return {
    execsInContainer,
    describe: () => 'slow probe',
    async check(_target, signal) {
      load.now += 1;
      load.peak = Math.max(load.peak, load.now);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), { once: true });
        });
      } finally {
        load.now -= 1;
      }
    },
  };
}

describe('probes that exec in the container take turns', () => {
  it('40 at once: at most 6 run together, and none fails its attempt limit while it waits for its turn', async () => {
    const load = { now: 0, peak: 0 };
    // Each attempt takes 40 ms and may take 100 ms: 40 asked at once would need 7 rounds (280 ms) if
    // the limit counted the wait.
    const results = await Promise.all(
      Array.from({ length: 40 }, () => waitReady(slowProbe(true, 40, load), fakeTarget({}), { timeoutMs: 10_000, attemptTimeoutMs: 100 })),
    );
    expect(load.peak).toBe(6);
    expect(results.map((r) => r.attempts)).toEqual(Array.from({ length: 40 }, () => 1));
  });

  it('probes over the network do not wait for turns', async () => {
    const load = { now: 0, peak: 0 };
    await Promise.all(Array.from({ length: 20 }, () => waitReady(slowProbe(false, 20, load), fakeTarget({}), { timeoutMs: 10_000 })));
    expect(load.peak).toBe(20);
  });

  it('a wait cancelled while queued ends as cancelled, without running the probe', async () => {
    const load = { now: 0, peak: 0 };
    const busy = Array.from({ length: 6 }, () => waitReady(slowProbe(true, 200, load), fakeTarget({}), { timeoutMs: 10_000 }));
    const controller = new AbortController();
    const queued = waitReady(slowProbe(true, 10, load), fakeTarget({}), { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(queued).rejects.toThrow(/cancelled/);
    await Promise.all(busy);
    expect(load.peak).toBe(6);
  });
});
