/** The bring-up alone: a scripted engine `up`, a fake supervisor; the real journal, phase and engine progress. */
import { describe, expect, it, vi } from 'vitest';
import type { Diagnosis } from '../../../src/diagnose/model.js';
import type { ServiceResult, UpResult } from '../../../src/engine/results.js';
import { EngineUnavailableError, UsageError } from '../../../src/errors.js';
import { Redactor } from '../../../src/secrets.js';
import { bringUp } from '../../../src/daemon/bring-up.js';
import type { DaemonEngine } from '../../../src/daemon/daemon-engine.js';
import { PhaseTracker } from '../../../src/daemon/daemon-phase.js';
import { EngineProgress } from '../../../src/daemon/engine-progress.js';
import { EventJournal } from '../../../src/daemon/event-journal.js';
import type { InitEntry } from '../../../src/daemon/supervisor.js';
import { makeStack } from '../../support/stack-builder.js';

const diagnosis: Diagnosis = { service: 'api', state: 'failed', lastLogLines: [], rootCause: { code: 'unknown', summary: 'api exited 3', hint: 'read its log' } };
const outcome = (service: string, state: ServiceResult['state'], extra: Partial<ServiceResult> = {}): ServiceResult => ({ service, state, action: 'create', cause: 'no container', containerName: `demo-${service}`, timings: {}, attempts: 1, ports: [], ...extra });
const upResult = (ok: boolean, services: ServiceResult[]): UpResult => ({ stack: 'demo', ok, cancelled: false, noop: false, durationMs: 42, rolledBack: [], rollbackFailures: [], plan: { stack: 'demo', networks: [], volumes: [], services: [], orphans: [] }, services });

function scene(up: DaemonEngine['up']) {
  const journal = new EventJournal(100, new Redactor(), () => 0);
  const said: string[] = [];
  const say = (level: string, message: string): void => void said.push(`${level} ${message}`);
  const phase = new PhaseTracker(journal, say, () => 0);
  const progress = new EngineProgress(journal, say);
  const observed: InitEntry[] = [{ service: 'db', container: { id: 'c1', status: 'running', oomKilled: false, restartCount: 0 } }, { service: 'api' }, { service: 'web' }];
  const supervisor = { suspend: vi.fn(), observeAll: vi.fn(async () => observed), init: vi.fn() };
  const logs = { attach: vi.fn() };
  const parts = { supervised: { stack: makeStack('demo', { db: {}, api: {}, web: {} }), supervisor }, engine: { up }, progress, phase, logs, say };
  return { parts, supervisor, logs, phase, progress, said };
}

describe('bringUp', () => {
  it("hands the supervisor what runs with each service's outcome and diagnosis, and says how many are ready", async () => {
    const s = scene(async (_stack, o) => {
      o.onEvent({ type: 'service.phase', service: 'db', phase: 'ready', at: 1 });
      expect(s.progress.of('db')).toEqual({ phase: 'ready', detail: undefined });
      return upResult(false, [outcome('db', 'ready'), outcome('api', 'failed', { diagnosis }), outcome('web', 'cancelled')]);
    });
    const result = await bringUp(s.parts, new AbortController().signal);
    expect(result).toMatchObject({ ok: false, result: { durationMs: 42 } });
    expect(result?.error).toBeUndefined();
    expect(s.supervisor.suspend).toHaveBeenCalledWith('up');
    expect(s.supervisor.init).toHaveBeenCalledWith([
      { service: 'db', container: { id: 'c1', status: 'running', oomKilled: false, restartCount: 0 }, outcome: 'ready' },
      { service: 'api', outcome: 'failed', diagnosis },
      { service: 'web' }, // cancelled is no outcome: the supervisor decides
    ]);
    expect(s.progress.of('db')).toBeUndefined();
    expect(s.logs.attach).toHaveBeenCalledTimes(1);
    expect(s.phase.current).toBe('supervising');
    expect(s.said).toContain('info daemon: supervising — 1/3 services ready after up (42 ms)');
  });

  it('an up that fails as a whole is said, and the stack supervised as it runs', async () => {
    const s = scene(async () => Promise.reject(new UsageError('stack.yaml:4: image is missing')));
    const result = await bringUp(s.parts, new AbortController().signal);
    expect(result).toEqual({ ok: false, error: 'stack.yaml:4: image is missing' });
    expect(s.said).toContain('error up failed: stack.yaml:4: image is missing; supervising what runs');
    expect(s.supervisor.init).toHaveBeenCalledWith([expect.objectContaining({ service: 'db' }), { service: 'api' }, { service: 'web' }]);
    expect(s.said).toContain('info daemon: supervising — 0/3 services ready after up');
  });

  it('without an engine there is nothing to supervise: the error goes to the caller', async () => {
    const s = scene(async () => Promise.reject(new EngineUnavailableError('the container engine does not answer at memory://')));
    await expect(bringUp(s.parts, new AbortController().signal)).rejects.toBeInstanceOf(EngineUnavailableError);
    expect(s.supervisor.init).not.toHaveBeenCalled();
  });

  it('interrupted (the daemon stops): undefined, and the supervisor left suspended', async () => {
    const stop = new AbortController();
    const s = scene(async () => {
      stop.abort();
      return upResult(true, [outcome('db', 'ready')]);
    });
    expect(await bringUp(s.parts, stop.signal)).toBeUndefined();
    expect(s.supervisor.observeAll).not.toHaveBeenCalled();
    expect(s.supervisor.init).not.toHaveBeenCalled();
  });
});
