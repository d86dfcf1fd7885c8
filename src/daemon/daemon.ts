/**
 * The daemon: holds the stack's single-instance lock, serves the API, brings the stack up with the
 * same engine as `up` (adopting what already runs — never duplicating it), runs the suite once, then
 * supervises until told to stop. It implements the API's backend: status, the event stream, logs
 * and the actions (up, down, restart <service>, test).
 *
 * Lifecycle: SIGTERM/SIGINT (the `signal` given to `run`) stop supervision and leave the stack
 * running, unless `downOnExit`. A SIGKILLed daemon leaves the stack running too; the kernel frees
 * its lock, and the next daemon's `up` adopts every running container by its labels.
 *
 * Memory is bounded: events in a ring buffer, log lines in per-service ring buffers, per-service
 * supervision state of fixed size.
 */
import { rmSync } from 'node:fs';
import type { Stack } from '../config/model.js';
import type { ServiceResult } from '../engine/results.js';
import { errorMessage, isStackctlError } from '../errors.js';
import type { Redactor } from '../secrets.js';
import type { ActionRequest, ApiServer, DaemonBackend } from './api-server.js';
import { startApiServer } from './api-server.js';
import {
  API_VERSION,
  type ActionResult,
  type DaemonEvent,
  type DaemonEventRecord,
  type DaemonPhase,
  type DaemonStatus,
  type LogLine,
  type PingResponse,
  type ServiceStatus,
  type TestRequest,
  type TestSummary,
} from './api-types.js';
import type { Diagnosis } from '../diagnose/model.js';
import { DaemonBusyError } from './errors.js';
import { acquireDaemonLock, removeDaemonInfo, writeDaemonInfo, type DaemonLock } from './lock.js';
import { DEFAULT_LOG_COLLECTOR, type LogCollectorOptions } from './log-collector.js';
import type { DaemonEngine } from './daemon-engine.js';
import type { DaemonPaths } from './paths.js';
import { EventJournal } from './event-journal.js';
import { snapshot, type SupervisorOptions } from './supervisor.js';
import type { ServiceView, SupervisorEvent } from './supervisor-machine.js';
import { engineEventLine, supervisorEventLine, type DaemonLogLevel, type Say } from './daemon-log.js';
import { PhaseTracker } from './daemon-phase.js';
import { ServiceLogs } from './service-logs.js';
import { SupervisedStack } from './supervised-stack.js';
import { ActionGate } from './action-gate.js';
import { DaemonActions } from './daemon-actions.js';
import { SuiteAction } from './suite-action.js';
import { bringUp, type BringUp } from './bring-up.js';
import { EngineProgress } from './engine-progress.js';
import { EngineWatch } from './engine-watch.js';

export type { DaemonEngine } from './daemon-engine.js';

export type { DaemonLogLevel } from './daemon-log.js';

export interface DaemonConfig {
  stack: Stack;
  engine: DaemonEngine;
  paths: DaemonPaths;
  version: string;
  redactor: Redactor;
  supervision: SupervisorOptions;
  /** Also serve the API on loopback TCP with this bearer token. */
  tcp?: { host: string; port: number; token: string };
  /** Bring the stack down when the daemon stops (default: leave it running). */
  downOnExit: boolean;
  /** Run the suite once the stack is up (when the stack names one). */
  runSuite: boolean;
  eventBufferSize?: number;
  logs?: LogCollectorOptions;
  /** Where the daemon says what it does (already redacted by the caller's logger or not: it redacts). */
  log: (level: DaemonLogLevel, message: string) => void;
  clock?: () => number;
}

export class Daemon implements DaemonBackend {
  private readonly phase: PhaseTracker;
  private readonly gate: ActionGate;
  private readonly suite: SuiteAction;
  private readonly actions: DaemonActions;
  private readonly journal: EventJournal;
  private readonly supervised: SupervisedStack;
  private readonly serviceLogs: ServiceLogs;
  private readonly progress: EngineProgress;
  private readonly engineWatch: EngineWatch;
  private readonly bringUp: BringUp;
  private api: ApiServer | undefined;
  private lock: DaemonLock | undefined;
  private readonly startedAt: number;
  private readonly clock: () => number;
  private readonly say: Say;
  private readonly exitRequested = new AbortController();
  private attachTimer: ReturnType<typeof setInterval> | undefined;
  private readonly work = new AbortController();

  private constructor(private readonly config: DaemonConfig) {
    this.clock = config.clock ?? Date.now;
    this.startedAt = this.clock();
    this.say = (level, message) => config.log(level, config.redactor.redact(message));
    this.journal = new EventJournal(config.eventBufferSize ?? 1_000, config.redactor, this.clock);
    this.phase = new PhaseTracker(this.journal, this.say, this.clock);
    this.progress = new EngineProgress(this.journal, this.say);
    this.supervised = new SupervisedStack(
      config.stack,
      { engine: config.engine, supervision: config.supervision, logs: config.logs ?? DEFAULT_LOG_COLLECTOR, clock: this.clock },
      {
        onEvent: (event) => this.onSupervisorEvent(event),
        onEngineDown: (reason) => this.engineWatch.engineDown(reason),
        onEngineEvent: this.progress.onEvent,
        warn: (message) => this.say('warn', message),
      },
    );
    this.serviceLogs = new ServiceLogs(this.supervised, config.engine.runtime);
    const upParts = { supervised: this.supervised, engine: config.engine, progress: this.progress, phase: this.phase, logs: this.serviceLogs, say: this.say };
    this.bringUp = (signal) => bringUp(upParts, signal);
    this.engineWatch = new EngineWatch({
      runtime: config.engine.runtime,
      supervised: this.supervised,
      bringUp: this.bringUp,
      journal: this.journal,
      phase: this.phase,
      say: this.say,
      clock: this.clock,
      signal: this.work.signal,
    });
    this.gate = new ActionGate(this.phase, this.journal, this.clock);
    this.suite = new SuiteAction({
      engine: config.engine,
      supervised: this.supervised,
      gate: this.gate,
      phase: this.phase,
      journal: this.journal,
      say: this.say,
      clock: this.clock,
      signal: this.work.signal,
    });
    this.actions = new DaemonActions({
      engine: config.engine,
      supervised: this.supervised,
      bringUp: this.bringUp,
      gate: this.gate,
      suite: this.suite,
      phase: this.phase,
      journal: this.journal,
      progress: this.progress,
      redactor: config.redactor,
      clock: this.clock,
      signal: this.work.signal,
      exit: () => this.exitRequested.abort(),
    });
  }

  /** Takes the lock (refusing a second daemon), then starts the API. */
  static async start(config: DaemonConfig): Promise<Daemon> {
    const daemon = new Daemon(config);
    daemon.lock = await acquireDaemonLock(config.stack.name, config.paths);
    try {
      daemon.api = await startApiServer({
        socketPath: config.paths.socket,
        tcp: config.tcp,
        backend: daemon,
        redactor: config.redactor,
        onError: (error) => daemon.say('error', `API: ${errorMessage(error)}`),
      });
      writeDaemonInfo(config.paths.info, {
        pid: process.pid,
        stack: config.stack.name,
        stackDir: config.stack.dir,
        stackFile: config.stack.file,
        socket: config.paths.socket,
        ...(daemon.api.tcpAddress ? { listen: daemon.api.tcpAddress } : {}),
        startedAt: new Date(daemon.startedAt).toISOString(),
        version: config.version,
      });
    } catch (error) {
      await daemon.api?.close();
      daemon.lock.release();
      throw error;
    }
    return daemon;
  }

  get socketPath(): string {
    return this.config.paths.socket;
  }

  get tcpAddress(): string | undefined {
    return this.api?.tcpAddress;
  }

  /**
   * Brings the stack up, supervises it, and returns once `signal` aborts (SIGTERM/SIGINT) or an
   * API `down` with `exit` asked the daemon to end. Cleans up after itself either way.
   */
  async run(signal: AbortSignal): Promise<{ upOk: boolean }> {
    const stop = (): void => this.work.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.exitRequested.signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    let upOk = false;
    try {
      this.supervised.supervisor.start();
      this.attachTimer = setInterval(() => this.serviceLogs.attach(), 5_000);
      this.attachTimer.unref?.();
      this.phase.set('starting', `bringing ${this.supervised.stack.name} up (adopting what already runs)`);
      const up = await this.bringUp(this.work.signal);
      upOk = up?.ok ?? false;
      if (up && !this.work.signal.aborted) {
        if (this.config.runSuite && this.supervised.stack.suite && this.config.engine.test) {
          void this.act({ action: 'test', options: {} }).catch((error: unknown) => this.say('error', `suite: ${errorMessage(error)}`));
        }
        await new Promise<void>((resolve) => {
          if (this.work.signal.aborted) return resolve();
          this.work.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await this.shutdown();
    }
    return { upOk };
  }

  // ---- DaemonBackend ----------------------------------------------------------------------------

  ping(): PingResponse {
    return { ok: true, stack: this.supervised.stack.name, pid: process.pid, version: this.config.version, api: API_VERSION };
  }

  status(): DaemonStatus {
    const memory = process.memoryUsage();
    const status: DaemonStatus = {
      stack: this.supervised.stack.name,
      file: this.supervised.stack.file,
      pid: process.pid,
      version: this.config.version,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeMs: this.clock() - this.startedAt,
      phase: this.phase.current,
      supervising: !this.supervised.supervisor.suspended,
      engine: this.engineState(),
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      services: this.supervised.supervisor.views().map((view) => this.serviceStatus(view)),
    };
    const action = this.gate.current;
    if (action) status.action = { name: action.name, startedAt: new Date(action.startedAt).toISOString() };
    const lastTest = this.suite.lastTest;
    if (lastTest) status.lastTest = lastTest;
    return this.config.redactor.redactValue(status);
  }

  service(name: string): ServiceStatus | undefined {
    return this.status().services.find((service) => service.name === name);
  }

  eventsSince(id: number): DaemonEventRecord[] {
    return this.journal.since(id);
  }

  subscribeEvents(listener: (record: DaemonEventRecord) => void): () => void {
    return this.journal.subscribe(listener);
  }

  logs(services: string[], tail: number): Promise<LogLine[]> {
    return this.serviceLogs.recent(services, tail);
  }

  subscribeLogs(services: string[], listener: (line: LogLine) => void): () => void {
    return this.serviceLogs.follow(services, listener);
  }

  act(request: ActionRequest): Promise<ActionResult> {
    return this.actions.act(request);
  }

  // ---- internals --------------------------------------------------------------------------------

  private engineState(): DaemonStatus['engine'] {
    const outage = this.supervised.supervisor.engineOutage;
    if (!outage) return { answering: true };
    return { answering: false, downSince: new Date(outage.since).toISOString(), reason: outage.reason };
  }

  private onSupervisorEvent(event: SupervisorEvent): void {
    this.journal.record(event);
    const line = supervisorEventLine(event);
    if (line) this.say(line.level, line.message);
    if (event.type === 'service.state') this.serviceLogs.attach(event.service);
  }

  private serviceStatus(view: ServiceView): ServiceStatus {
    const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
    const info = this.supervised.supervisor.container(view.name);
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
    const engine = this.progress.of(view.name);
    if (this.supervised.supervisor.suspended && engine && (this.phase.current === 'starting' || this.phase.current === 'busy' || this.phase.current === 'reconciling')) {
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

  private async shutdown(): Promise<void> {
    this.phase.set('stopping', this.config.downOnExit ? 'bringing the stack down (--down-on-exit)' : 'leaving the stack running');
    if (this.attachTimer) clearInterval(this.attachTimer);
    await this.supervised.stop();
    if (this.config.downOnExit) {
      try {
        await this.config.engine.down(this.supervised.stack, { removeVolumes: false, onEvent: this.progress.onEvent });
      } catch (error) {
        this.say('error', `down on exit failed: ${errorMessage(error)}`);
      }
    }
    await this.api?.close();
    removeDaemonInfo(this.config.paths.info);
    rmSync(this.config.paths.socket, { force: true });
    this.lock?.release();
    this.say('info', 'daemon: stopped');
  }
}
