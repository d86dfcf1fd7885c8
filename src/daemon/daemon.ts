/**
 * The daemon: holds the stack's single-instance lock, serves the API, brings the stack up with the
 * same engine as `up` (adopting what already runs — never duplicating it), runs the suite once, then
 * supervises until told to stop. It implements the API's backend: status, the event stream, logs
 * and the actions (up, down, restart <service>, test).
 *
 * This file puts the parts together and runs the daemon's life (start, run, shutdown). The parts:
 *   supervised-stack.ts  the stack, its Supervisor and its log collector (the `up` action replaces them)
 *   event-journal.ts     every event numbered and redacted, kept for replay, handed to subscribers
 *   daemon-phase.ts      the daemon's phase; daemon-log.ts, the lines it writes about itself
 *   bring-up.ts          the engine's `up`, then the picture after it handed to the supervisor
 *   engine-progress.ts   the engine's events during an up or down: per-service phase, journal, log
 *   engine-watch.ts      an engine that went away: wait for it, then bring the stack back
 *   action-gate.ts, daemon-actions.ts, suite-action.ts   the API's actions (up, down, restart, test)
 *   status-view.ts       `status` and `service <name>`
 *   service-logs.ts      `logs` and `logs -f`, and following each service's current container
 *   daemon-endpoint.ts   the lock, the API server and the info file: how clients find the daemon
 *
 * Lifecycle: SIGTERM/SIGINT (the `signal` given to `run`) stop supervision and leave the stack
 * running, unless `downOnExit`. A SIGKILLed daemon leaves the stack running too; the kernel frees
 * its lock, and the next daemon's `up` adopts every running container by its labels.
 *
 * Memory is bounded: events in a ring buffer, log lines in per-service ring buffers, per-service
 * supervision state of fixed size.
 */
import type { Stack } from '../config/model.js';
import { errorMessage } from '../errors.js';
import type { Redactor } from '../secrets.js';
import { ActionGate } from './action-gate.js';
import type { ActionRequest, DaemonBackend } from './api-server.js';
import { API_VERSION, type ActionResult, type DaemonEventRecord, type DaemonStatus, type LogLine, type PingResponse, type ServiceStatus } from './api-types.js';
import { bringUp, type BringUp } from './bring-up.js';
import { DaemonActions } from './daemon-actions.js';
import type { DaemonEngine } from './daemon-engine.js';
import { DaemonEndpoint } from './daemon-endpoint.js';
import { supervisorEventLine, type DaemonLogLevel, type Say } from './daemon-log.js';
import { PhaseTracker } from './daemon-phase.js';
import { EngineProgress } from './engine-progress.js';
import { EngineWatch } from './engine-watch.js';
import { EventJournal } from './event-journal.js';
import { DEFAULT_LOG_COLLECTOR, type LogCollectorOptions } from './log-collector.js';
import type { DaemonPaths } from './paths.js';
import { ServiceLogs } from './service-logs.js';
import { StatusView } from './status-view.js';
import { SuiteAction } from './suite-action.js';
import { SupervisedStack } from './supervised-stack.js';
import type { SupervisorOptions } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-machine.js';

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
  private readonly startedAt: number;
  private readonly say: Say;
  /** Aborts when the daemon stops: every part's work ends with it. */
  private readonly work = new AbortController();
  /** An API `down` with `exit` asked the daemon to end. */
  private readonly exitRequested = new AbortController();
  private readonly journal: EventJournal;
  private readonly phase: PhaseTracker;
  private readonly progress: EngineProgress;
  private readonly supervised: SupervisedStack;
  private readonly serviceLogs: ServiceLogs;
  private readonly bringUp: BringUp;
  private readonly actions: DaemonActions;
  private readonly statusView: StatusView;
  private endpoint: DaemonEndpoint | undefined;
  private attachTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(private readonly config: DaemonConfig) {
    const { engine, redactor } = config;
    const clock = config.clock ?? Date.now;
    this.startedAt = clock();
    const say: Say = (level, message) => config.log(level, redactor.redact(message));
    const journal = new EventJournal(config.eventBufferSize ?? 1_000, redactor, clock);
    const phase = new PhaseTracker(journal, say, clock);
    const progress = new EngineProgress(journal, say);
    const supervised = new SupervisedStack(
      config.stack,
      { engine, supervision: config.supervision, logs: config.logs ?? DEFAULT_LOG_COLLECTOR, clock },
      {
        onEvent: (event) => this.onSupervisorEvent(event),
        onEngineDown: (reason) => engineWatch.engineDown(reason),
        onEngineEvent: progress.onEvent,
        warn: (message) => say('warn', message),
      },
    );
    const logs = new ServiceLogs(supervised, engine.runtime);
    // What most parts share; each takes from it what its own *Parts interface names.
    const parts = { supervised, journal, phase, progress, say, clock, signal: this.work.signal };
    const up: BringUp = (signal) => bringUp({ ...parts, engine, logs }, signal);
    const engineWatch = new EngineWatch({ ...parts, runtime: engine.runtime, bringUp: up });
    const gate = new ActionGate(phase, journal, clock);
    const suite = new SuiteAction({ ...parts, engine, gate });
    this.say = say;
    this.journal = journal;
    this.phase = phase;
    this.progress = progress;
    this.supervised = supervised;
    this.serviceLogs = logs;
    this.bringUp = up;
    this.actions = new DaemonActions({ ...parts, engine, bringUp: up, gate, suite, redactor, exit: () => this.exitRequested.abort() });
    this.statusView = new StatusView({ ...parts, version: config.version, startedAt: this.startedAt, redactor, gate, suite });
  }

  /** Takes the stack's daemon lock (refusing a second daemon), then serves the API. */
  static async start(config: DaemonConfig): Promise<Daemon> {
    const daemon = new Daemon(config);
    daemon.endpoint = await DaemonEndpoint.open({
      stack: config.stack,
      paths: config.paths,
      tcp: config.tcp,
      backend: daemon,
      redactor: config.redactor,
      version: config.version,
      startedAt: daemon.startedAt,
      onError: (error) => daemon.say('error', `API: ${errorMessage(error)}`),
    });
    return daemon;
  }

  get socketPath(): string {
    return this.config.paths.socket;
  }

  get tcpAddress(): string | undefined {
    return this.endpoint?.tcpAddress;
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
    return this.statusView.status();
  }

  service(name: string): ServiceStatus | undefined {
    return this.statusView.service(name);
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

  /** Every supervisor event goes to the journal and, when worth it, the log; a state change re-attaches the service's log. */
  private onSupervisorEvent(event: SupervisorEvent): void {
    this.journal.record(event);
    const line = supervisorEventLine(event);
    if (line) this.say(line.level, line.message);
    if (event.type === 'service.state') this.serviceLogs.attach(event.service);
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
    await this.endpoint?.close();
    this.say('info', 'daemon: stopped');
  }
}
