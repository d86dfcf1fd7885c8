/** The status view alone: a fake supervisor's views and containers, the engine's progress, the real redactor. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/secrets.js';
import type { DaemonPhase, TestSummary } from '../../../src/daemon/api-types.js';
import type { ServiceProgress } from '../../../src/daemon/engine-progress.js';
import { StatusView } from '../../../src/daemon/status-view.js';
import type { ServiceView } from '../../../src/daemon/supervisor-machine.js';
import type { ContainerInfo } from '../../../src/runtime/runtime.js';
import { makeStack } from '../../support/stack-builder.js';

const T0 = Date.UTC(2026, 0, 1);

const view = (name: string, extra: Partial<ServiceView> = {}): ServiceView => ({
  name,
  state: 'ready',
  reason: 'probe passed',
  since: T0,
  ready: true,
  degradedBy: [],
  restartPolicy: 'always',
  restarts: 0,
  failuresInARow: 0,
  ...extra,
});

const container = (id: string, extra: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id,
  name: `demo-${id}`,
  stack: 'demo',
  service: id,
  configHash: 'h',
  image: 'img',
  status: 'running',
  oomKilled: false,
  restartCount: 0,
  startedAt: new Date(T0),
  ports: [{ target: 5432, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49153 }],
  labels: {},
  ...extra,
});

interface Scene {
  views: ServiceView[];
  containers?: Record<string, ContainerInfo>;
  suspended?: boolean;
  phase?: DaemonPhase;
  progress?: Record<string, ServiceProgress>;
  outage?: { since: number; reason: string };
  action?: { name: string; startedAt: number };
  lastTest?: TestSummary;
}

function statusOf(scene: Scene) {
  const supervisor = {
    suspended: scene.suspended ?? false,
    engineOutage: scene.outage,
    views: () => scene.views,
    container: (service: string) => scene.containers?.[service],
  };
  return new StatusView({
    version: '1.2.3',
    startedAt: T0,
    clock: () => T0 + 5_000,
    redactor: new Redactor(['hunter2-secret']),
    supervised: { stack: makeStack('demo', { db: {}, api: {} }), supervisor },
    phase: { current: scene.phase ?? 'supervising' },
    progress: { of: (service) => scene.progress?.[service] },
    gate: { current: scene.action },
    suite: { lastTest: scene.lastTest },
  });
}

describe('StatusView', () => {
  it('the daemon and each service as the supervisor sees it, with its container and ports', () => {
    const status = statusOf({ views: [view('db'), view('api', { state: 'degraded', ready: false, degradedBy: ['db'] })], containers: { db: container('db') } }).status();
    expect(status).toMatchObject({ stack: 'demo', version: '1.2.3', phase: 'supervising', supervising: true, uptimeMs: 5_000, startedAt: '2026-01-01T00:00:00.000Z', engine: { answering: true } });
    expect(status.action).toBeUndefined();
    expect(status.services.map((s) => `${s.name}=${s.state}`)).toEqual(['db=ready', 'api=degraded']);
    expect(status.services[0]?.container).toEqual({ id: 'db', name: 'demo-db', status: 'running', oomKilled: false, restartCount: 0, startedAt: '2026-01-01T00:00:00.000Z', ports: [{ target: 5432, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49153 }] });
    expect(status.services[1]?.container).toBeUndefined();
  });

  it("while an up holds supervision, a service shows the engine's progress instead of the supervisor's stale view", () => {
    const scene: Scene = { views: [view('db', { state: 'waiting', reason: 'suspended' }), view('api', { state: 'waiting', reason: 'suspended' })], suspended: true, phase: 'starting', progress: { db: { phase: 'probing', detail: 'tcp 5432' }, api: { phase: 'failed' } } };
    expect(statusOf(scene).status().services.map((s) => `${s.name}=${s.state} (${s.reason})`)).toEqual(['db=starting (probing: tcp 5432)', 'api=failed (failed)']);
    // Supervising again: the supervisor's view, whatever the engine said last.
    expect(statusOf({ ...scene, suspended: false, phase: 'supervising' }).service('db')).toMatchObject({ state: 'waiting', reason: 'suspended' });
    // Brought down: nothing is starting.
    expect(statusOf({ ...scene, phase: 'down' }).service('db')).toMatchObject({ state: 'waiting' });
  });

  it("a container the supervisor saw die: its exit code, and no ports unless the engine's container is that one", () => {
    const died = { id: 'old', status: 'exited' as const, oomKilled: true, restartCount: 2, exitCode: 137, startedAt: T0 };
    const status = statusOf({ views: [view('db', { state: 'exited', ready: false, container: died, lastExit: { at: T0 + 1_000, exitCode: 137, oomKilled: true } })], containers: { db: container('new') } }).status();
    expect(status.services[0]?.container).toMatchObject({ id: 'old', status: 'exited', exitCode: 137, ports: [] });
    expect(status.services[0]?.lastExit).toEqual({ at: '2026-01-01T00:00:01.000Z', exitCode: 137, oomKilled: true });
    const running = statusOf({ views: [view('db', { container: { ...died, id: 'new', status: 'running' } })], containers: { db: container('new') } }).status();
    expect(running.services[0]?.container?.exitCode).toBeUndefined();
    expect(running.services[0]?.container?.ports).toHaveLength(1);
  });

  it('an engine outage, the action in progress and the last suite run, all redacted', () => {
    const status = statusOf({
      views: [view('db', { reason: 'probe refused password hunter2-secret' })],
      outage: { since: T0 + 2_000, reason: 'memory://: connect ENOENT' },
      action: { name: 'up', startedAt: T0 + 3_000 },
      lastTest: { at: '2026-01-01T00:00:00.000Z', ok: true, durationMs: 5, summary: 'PASSED (hunter2-secret)', exitCode: 0 },
    }).status();
    expect(status.engine).toEqual({ answering: false, downSince: '2026-01-01T00:00:02.000Z', reason: 'memory://: connect ENOENT' });
    expect(status.action).toEqual({ name: 'up', startedAt: '2026-01-01T00:00:03.000Z' });
    expect(status.lastTest?.summary).toBe('PASSED (***)');
    expect(status.services[0]?.reason).toBe('probe refused password ***');
  });

  it('service(name) is that service of the status, or undefined', () => {
    const status = statusOf({ views: [view('db'), view('api')] });
    expect(status.service('api')?.name).toBe('api');
    expect(status.service('nope')).toBeUndefined();
  });
});
