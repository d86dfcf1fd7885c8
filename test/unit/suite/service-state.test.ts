/**
 * inspectServices: a running service whose readiness probe misses once is not called down (a
 * loaded machine made a green run report a service "down"); one whose probe keeps failing is
 * diagnosed from the probe's error after the settling time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerInfo, ExecResult } from '../../../src/runtime/runtime.js';
import { inspectServices } from '../../../src/suite/service-state.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';
import { makeStack, service } from './helpers.js';

/** An engine whose exec fails (exit 1) the first `failures` times. */
class FlakyExecRuntime extends MemoryRuntime {
  execs = 0;
  constructor(private readonly failures: number) {
    super();
  }
  override async exec(id: string, command: string[]): Promise<ExecResult> {
    this.execs += 1;
    if (this.execs <= this.failures) return { exitCode: 1, output: 'not yet' };
    return super.exec(id, command);
  }
}

const app = { ...service('app'), readiness: { probe: { kind: 'exec' as const, command: ['test', '-f', '/ready'] }, timeoutMs: 30_000, location: service('app').location } };
const stack = makeStack('/nowhere', [app]);
const running: ContainerInfo[] = [{ id: 'c-app', name: 'suitetest-app', service: 'app', status: 'running', ports: [] } as unknown as ContainerInfo];

afterEach(() => vi.useRealTimers());

describe('inspectServices on a running service', () => {
  it('a probe that misses once and then passes: no diagnosis', async () => {
    vi.useFakeTimers();
    const runtime = new FlakyExecRuntime(1);
    const inspected = inspectServices(stack, runtime, running);
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await inspected).size).toBe(0);
    expect(runtime.execs).toBe(2);
  });

  it('a probe that never passes: diagnosed from its error after about eight seconds of attempts', async () => {
    vi.useFakeTimers();
    const runtime = new FlakyExecRuntime(Number.POSITIVE_INFINITY);
    let settled = false;
    const inspected = inspectServices(stack, runtime, running).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(6_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(3_000);
    const diagnoses = await inspected;
    expect(runtime.execs).toBeGreaterThanOrEqual(7);
    expect(diagnoses.get('app')?.diagnosis.probe?.lastError).toContain('not yet');
  });
});
