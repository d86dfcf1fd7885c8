/**
 * The daemon's answer to `status` and `service <name>`: the daemon (phase, engine, memory, the action
 * in progress, the last suite run) and each service as the supervisor sees it — or, while an `up`
 * holds supervision, as the engine reports its progress. Redacted.
 */
import type { Stack } from '../config/model.js';
import type { Redactor } from '../secrets.js';
import type { ActionGate } from './action-gate.js';
import type { DaemonStatus, ServiceStatus } from './api-types.js';
import type { PhaseTracker } from './daemon-phase.js';
import type { EngineProgress } from './engine-progress.js';
import type { SuiteAction } from './suite-action.js';
import { snapshot, type Supervisor } from './supervisor.js';
import type { ServiceView } from './supervisor-machine.js';

export interface StatusSources {
  version: string;
  /** When the daemon started (epoch ms). */
  startedAt: number;
  clock: () => number;
  redactor: Pick<Redactor, 'redactValue'>;
  supervised: { readonly stack: Stack; readonly supervisor: Pick<Supervisor, 'suspended' | 'engineOutage' | 'views' | 'container'> };
  phase: Pick<PhaseTracker, 'current'>;
  progress: Pick<EngineProgress, 'of'>;
  gate: Pick<ActionGate, 'current'>;
  suite: Pick<SuiteAction, 'lastTest'>;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export class StatusView {
  constructor(private readonly sources: StatusSources) {}

  status(): DaemonStatus {
    const { supervised, clock, startedAt } = this.sources;
    const memory = process.memoryUsage();
    const status: DaemonStatus = {
      stack: supervised.stack.name,
      file: supervised.stack.file,
      pid: process.pid,
      version: this.sources.version,
      startedAt: new Date(startedAt).toISOString(),
      uptimeMs: clock() - startedAt,
      phase: this.sources.phase.current,
      supervising: !supervised.supervisor.suspended,
      engine: this.engine(),
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      services: supervised.supervisor.views().map((view) => this.serviceStatus(view)),
    };
    const action = this.sources.gate.current;
    if (action) status.action = { name: action.name, startedAt: new Date(action.startedAt).toISOString() };
    const lastTest = this.sources.suite.lastTest;
    if (lastTest) status.lastTest = lastTest;
    return this.sources.redactor.redactValue(status);
  }

  service(name: string): ServiceStatus | undefined {
    return this.status().services.find((service) => service.name === name);
  }

  private engine(): DaemonStatus['engine'] {
    const outage = this.sources.supervised.supervisor.engineOutage;
    if (!outage) return { answering: true };
    return { answering: false, downSince: new Date(outage.since).toISOString(), reason: outage.reason };
  }

  private serviceStatus(view: ServiceView): ServiceStatus {
    const { supervisor } = this.sources.supervised;
    const info = supervisor.container(view.name);
    const status: ServiceStatus = {
      name: view.name,
      state: view.state,
      reason: view.reason,
      since: new Date(view.since).toISOString(),
      ready: view.ready,
      degradedBy: view.degradedBy,
      restartPolicy: view.restartPolicy,
      restarts: view.restarts,
      failuresInARow: view.failuresInARow,
    };
    const engine = this.sources.progress.of(view.name);
    const phase = this.sources.phase.current;
    if (supervisor.suspended && engine && (phase === 'starting' || phase === 'busy' || phase === 'reconciling')) {
      status.state = engine.phase === 'ready' ? 'ready' : engine.phase === 'failed' ? 'failed' : 'starting';
      status.reason = `${engine.phase}${engine.detail ? `: ${engine.detail}` : ''}`;
    }
    const container = view.container ?? (info ? snapshot(info) : undefined);
    if (container) {
      status.container = {
        id: container.id,
        status: container.status,
        oomKilled: container.oomKilled,
        restartCount: container.restartCount,
        ports: info?.id === container.id ? info.ports : [],
      };
      if (info?.name) status.container.name = info.name;
      if (container.startedAt !== undefined) status.container.startedAt = iso(container.startedAt);
      if (container.exitCode !== undefined && container.status !== 'running') status.container.exitCode = container.exitCode;
    }
    if (view.lastProbe) status.lastProbe = { ...view.lastProbe, at: iso(view.lastProbe.at) as string };
    if (view.lastExit) status.lastExit = { ...view.lastExit, at: iso(view.lastExit.at) as string };
    if (view.lastDiagnosis) status.lastDiagnosis = view.lastDiagnosis;
    if (view.lastRestartAt !== undefined) status.lastRestartAt = iso(view.lastRestartAt);
    if (view.nextRestartAt !== undefined) status.nextRestartAt = iso(view.nextRestartAt);
    return status;
  }
}
