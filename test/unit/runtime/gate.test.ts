import { describe, expect, it } from 'vitest';
import { gate } from '../../../src/runtime/gate.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('gate', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const admit = gate(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const tasks = [0, 1, 2, 3, 4].map((n) =>
      admit(async () => {
        order.push(n);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return n;
      }),
    );
    await tick();
    expect(order).toEqual([0, 1]);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
    }
    await expect(Promise.all(tasks)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('a waiting task whose signal aborts leaves the queue without running', async () => {
    const admit = gate(1);
    let release!: () => void;
    const first = admit(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let ran = false;
    const second = admit(async () => {
      ran = true;
    }, controller.signal);
    const third = admit(async () => 'third');
    controller.abort(new Error('deadline'));
    await expect(second).rejects.toThrow('deadline');
    release();
    await first;
    await expect(third).resolves.toBe('third');
    expect(ran).toBe(false);
  });

  it('an already aborted signal never queues; a failing task frees its place', async () => {
    const admit = gate(1);
    await expect(admit(async () => 1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    await expect(admit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(admit(async () => 'next')).resolves.toBe('next');
  });
});
