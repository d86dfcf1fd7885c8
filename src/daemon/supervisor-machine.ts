/**
 * The supervisor's decisions as a deterministic state machine: no I/O, no clock, no timers. The
 * driver (supervisor.ts) feeds it what it observed — container snapshots, probe results, the end of
 * a restart, the passing of time — and carries out the commands it returns (restart, probe, stop,
 * diagnose). Everything about *when* to restart lives here, so it is unit-tested with plain inputs.
 *
 * Who restarts what: Docker applies the container's own restart policy when a process exits by
 * itself (that is what keeps a stack started with plain `stackctl up` behaving like compose). The
 * daemon never restarts a container Docker is already restarting (state `restarting`); it counts
 * those restarts against the service's budget, and it restarts what Docker will not: containers
 * killed or stopped from outside (`docker kill` disables Docker's policy), containers whose probe
 * fails N times in a row, missing containers, and dependents that do not recover after a dependency
 * came back. When the daemon gives a service up it stops the container, which also ends any restart
 * loop Docker was running, so nobody keeps restarting a failed service behind the daemon's back.
 *
 * Observation over events: an engine event only makes the driver look at the container again; the
 * machine compares the new snapshot (status, startedAt, finishedAt, restartCount) with the last one,
 * so late, duplicated or reordered events — including the die/start of the daemon's own restarts —
 * cannot be mistaken for new failures.
 *
 * An engine that stops answering is not a failure of any service (`engine.down`): every service
 * shows `engine-down` and nothing is decided until the driver, once the engine answers, has brought
 * the stack back like `up` and feeds the new picture (`init`).
 */
import type { DependencyCondition, RestartPolicy } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import { buildGraph, dependencyOrder, transitiveDependencies, type DependencyGraph } from '../graph/graph.js';
import type { ContainerStatus } from '../runtime/runtime.js';
import { backoffDelay, describePolicy, policyRestarts, restartBudget, type SupervisionOptions } from './policy.js';

export interface SupervisedService {
  name: string;
  dependsOn: Array<{ service: string; condition: DependencyCondition }>;
  restart: RestartPolicy;
  restartDependents: boolean;
}

/** What the driver saw of a container. Times are epoch milliseconds. */
export interface ContainerSnapshot {
  id: string;
  status: ContainerStatus;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  oomKilled: boolean;
  restartCount: number;
}

/** The state shown to users (ps, the API). */
export type ServiceStateName =
  | 'starting'
  | 'ready'
  | 'unready'
  | 'degraded'
  | 'restarting'
  | 'backoff'
  | 'waiting'
  | 'failed'
  | 'exited'
  | 'stopped'
  | 'missing'
  /** The container engine does not answer: nothing is decided about the service until it does. */
  | 'engine-down';

type Phase = 'starting' | 'running' | 'restarting' | 'backoff' | 'failed' | 'exited' | 'stopped' | 'missing';

export interface ProbeRecord {
  at: number;
  ok: boolean;
  error?: string;
  attempts?: number;
}

export interface ExitRecord {
  at: number;
  exitCode?: number;
  oomKilled: boolean;
}

export type SupervisorInput =
  /** Initial picture, after the engine's `up` (or adoption): one entry per service. */
  | {
      type: 'init';
      at: number;
      services: Array<{
        service: string;
        container?: ContainerSnapshot;
        /** What `up` concluded, when it ran; undefined for plain adoption. */
        outcome?: 'ready' | 'started' | 'completed' | 'unchanged' | 'failed' | 'blocked';
        diagnosis?: Diagnosis;
      }>;
    }
  /** The container as it is now (after an engine event, or a periodic sweep); undefined = gone. */
  | { type: 'observed'; at: number; service: string; container: ContainerSnapshot | undefined }
  | { type: 'probe.result'; at: number; service: string; epoch: number; ok: boolean; error?: string; attempts?: number; hopeless?: boolean }
  | { type: 'restart.done'; at: number; service: string; ok: boolean; container?: ContainerSnapshot; error?: string }
  | { type: 'stop.done'; at: number; service: string; container?: ContainerSnapshot }
  | { type: 'diagnosis'; at: number; service: string; diagnosis: Diagnosis }
  /** Time passed: run what is due. */
  | { type: 'tick'; at: number }
  /** A user asked for a restart: the budget starts afresh and a failed service gets another chance. */
  | { type: 'restart.request'; at: number; service: string }
  /**
   * The container engine stopped answering (restart, upgrade, crash). Not a failure of any service:
   * every service shows `engine-down`, nothing is restarted, probed or counted, and what finishes
   * meanwhile is ignored. The next `init` — the picture after the driver reconciled the stack once the
   * engine answered again — resumes supervision.
   */
  | { type: 'engine.down'; at: number; reason: string }
  /** The stack is being brought down or up by an action: decide nothing until the next `init`. */
  | { type: 'suspend'; at: number; reason: string }
  | { type: 'stopped'; at: number };

export type SupervisorCommand =
  | { type: 'restart'; service: string; reason: string; attempt: number; stopTimeoutSeconds: number }
  | { type: 'probe'; service: string; epoch: number; mode: 'once' | 'until-ready' }
  | { type: 'stop'; service: string; reason: string; stopTimeoutSeconds: number }
  | { type: 'diagnose'; service: string; reason: string };

export type SupervisorEvent =
  | { type: 'service.state'; at: number; service: string; state: ServiceStateName; previous: ServiceStateName; reason: string; degradedBy: string[] }
  | { type: 'service.died'; at: number; service: string; exitCode?: number; oomKilled: boolean; by: 'self' | 'docker-restarting' }
  | { type: 'service.restart-scheduled'; at: number; service: string; attempt: number; delayMs: number; reason: string }
  | { type: 'service.restarting'; at: number; service: string; attempt: number; by: 'daemon' | 'docker'; reason: string }
  | { type: 'service.probe-failed'; at: number; service: string; consecutive: number; error?: string }
  | { type: 'service.recovered'; at: number; service: string; downMs: number }
  | { type: 'service.gave-up'; at: number; service: string; reason: string; restarts: number }
  | { type: 'service.diagnosed'; at: number; service: string; diagnosis: Diagnosis };

export interface Step {
  commands: SupervisorCommand[];
  events: SupervisorEvent[];
}

interface ServiceState {
  spec: SupervisedService;
  phase: Phase;
  ready: boolean;
  everReady: boolean;
  /** Public state and reason last emitted. */
  shown: ServiceStateName;
  shownDegradedBy: string;
  reason: string;
  since: number;
  container?: ContainerSnapshot;
  /** Bumped whenever the container (re)starts; probe results of an older epoch are stale. */
  epoch: number;
  probeInFlight: boolean;
  restartInFlight: boolean;
  stopInFlight: boolean;
  nextProbeAt?: number;
  nextRestartAt?: number;
  consecutiveProbeFailures: number;
  /** Restarts (by anyone) in the current failure episode. */
  streak: number;
  /** Restarts (by anyone) since the daemon started supervising. */
  restarts: number;
  readySince?: number;
  /** When the service last stopped being available as ready (for recovery timing). */
  downSince?: number;
  /** A dependency went down: its readiness is unknown until the next probe answers. */
  recheck: boolean;
  /** Given the chance to recover after `cause` came back, until `until`. */
  recovery?: { cause: string; until: number };
  /** A failed `always` service is still retried at the backoff cap. */
  retryWhileFailed: boolean;
  lastProbe?: ProbeRecord;
  lastExit?: ExitRecord;
  lastDiagnosis?: Diagnosis;
  lastRestartAt?: number;
}

export interface ServiceView {
  name: string;
  state: ServiceStateName;
  reason: string;
  since: number;
  ready: boolean;
  degradedBy: string[];
  restartPolicy: string;
  restarts: number;
  failuresInARow: number;
  container?: ContainerSnapshot;
  lastProbe?: ProbeRecord;
  lastExit?: ExitRecord;
  lastDiagnosis?: Diagnosis;
  lastRestartAt?: number;
  nextRestartAt?: number;
}

export class SupervisorMachine {
  private readonly services = new Map<string, ServiceState>();
  private readonly graph: DependencyGraph;
  /** Dependencies before dependents (graph/graph.ts's order), so one pass settles a whole chain. */
  private readonly order: readonly string[];
  private suspended = true;
  private engineDown: { since: number; reason: string } | undefined;

  constructor(
    specs: SupervisedService[],
    private readonly options: SupervisionOptions,
    now = 0,
  ) {
    const names = new Set(specs.map((spec) => spec.name));
    for (const spec of specs) {
      const dependsOn = spec.dependsOn.filter((dep) => names.has(dep.service) && dep.service !== spec.name);
      this.services.set(spec.name, {
        spec: { ...spec, dependsOn },
        phase: 'missing',
        ready: false,
        everReady: false,
        shown: 'starting',
        shownDegradedBy: '',
        reason: 'not started yet',
        since: now,
        epoch: 0,
        probeInFlight: false,
        restartInFlight: false,
        stopInFlight: false,
        consecutiveProbeFailures: 0,
        streak: 0,
        restarts: 0,
        retryWhileFailed: false,
        recheck: false,
      });
    }
    this.graph = buildGraph([...this.services.values()].map((s) => ({ name: s.spec.name, dependsOn: s.spec.dependsOn.map((dep) => dep.service) })));
    this.order = dependencyOrder(this.graph);
  }

  get isSuspended(): boolean {
    return this.suspended;
  }

  /** Since when, and why, the engine does not answer; undefined while it does. */
  get engineOutage(): { since: number; reason: string } | undefined {
    return this.engineDown ? { ...this.engineDown } : undefined;
  }

  handle(input: SupervisorInput): Step {
    const step: Step = { commands: [], events: [] };
    const readyBefore = new Map([...this.services].map(([name, s]) => [name, this.isReady(s)]));
    switch (input.type) {
      case 'init':
        this.onInit(input, step);
        break;
      case 'suspend':
        this.suspended = true;
        break;
      case 'engine.down':
        this.onEngineDown(input);
        break;
      case 'stopped':
        this.suspended = true;
        for (const s of this.services.values()) {
          this.clearActivity(s);
          this.setPhase(s, 'stopped', 'the stack was brought down', input.at);
        }
        break;
      default:
        if (!this.suspended) this.onInput(input, step);
        else this.onInputWhileSuspended(input);
    }
    if (!this.suspended) {
      // The initial picture is not a recovery: nothing was ready before it.
      if (input.type !== 'init') this.afterReadinessChanges(readyBefore, input.at, step);
      this.runDue(input.at, step);
    }
    // While suspended (before the first picture, during up/down) states are not meaningful yet.
    if (!this.suspended || input.type === 'stopped' || input.type === 'engine.down') this.emitStateChanges(input.at, step);
    return step;
  }

  /** The earliest time something is due, for the driver's timer; undefined when nothing is. */
  nextWakeAt(): number | undefined {
    if (this.suspended) return undefined;
    let next: number | undefined;
    const consider = (at: number | undefined): void => {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    };
    for (const s of this.services.values()) {
      if (!s.probeInFlight) consider(s.nextProbeAt);
      if (!s.restartInFlight && s.nextRestartAt !== undefined && this.blockers(s).length === 0) consider(s.nextRestartAt);
      consider(s.recovery?.until);
      if (s.streak > 0 && s.ready && s.readySince !== undefined) consider(s.readySince + this.options.stableAfterMs);
    }
    return next;
  }

  view(name: string): ServiceView | undefined {
    const s = this.services.get(name);
    if (!s) return undefined;
    return {
      name,
      state: this.publicState(s),
      reason: this.publicReason(s),
      since: s.since,
      ready: this.isReady(s),
      degradedBy: this.degradedBy(s),
      restartPolicy: describePolicy(s.spec.restart),
      restarts: s.restarts,
      failuresInARow: s.streak,
      container: s.container,
      lastProbe: s.lastProbe,
      lastExit: s.lastExit,
      lastDiagnosis: s.lastDiagnosis,
      lastRestartAt: s.lastRestartAt,
      nextRestartAt: s.phase === 'backoff' || s.retryWhileFailed ? s.nextRestartAt : undefined,
    };
  }

  views(): ServiceView[] {
    return [...this.services.keys()].map((name) => this.view(name) as ServiceView);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  private onEngineDown(input: Extract<SupervisorInput, { type: 'engine.down' }>): void {
    if (this.engineDown) return;
    this.engineDown = { since: input.at, reason: input.reason };
    this.suspended = true;
    const wereReady = [...this.services.values()].filter((s) => this.isReady(s));
    for (const s of wereReady) s.downSince ??= input.at;
    for (const s of this.services.values()) {
      this.clearActivity(s);
      s.recovery = undefined;
      s.recheck = false;
      s.consecutiveProbeFailures = 0;
      // Whatever failed because the engine went away is not the service's failure: a fresh episode.
      s.streak = 0;
      s.retryWhileFailed = false;
      s.ready = false;
    }
  }

  private onInit(input: Extract<SupervisorInput, { type: 'init' }>, step: Step): void {
    this.suspended = false;
    const outage = this.engineDown;
    this.engineDown = undefined;
    const at = input.at;
    for (const entry of input.services) {
      const s = this.services.get(entry.service);
      if (!s) continue;
      this.clearActivity(s);
      s.consecutiveProbeFailures = 0;
      s.recovery = undefined;
      s.retryWhileFailed = false;
      s.container = entry.container;
      if (entry.diagnosis) s.lastDiagnosis = entry.diagnosis;
      const c = entry.container;
      if (c && isUp(c.status)) {
        s.epoch += 1;
        const ready = entry.outcome === 'ready' || entry.outcome === 'unchanged';
        this.setReady(s, ready, at);
        if (ready) s.lastProbe = { at, ok: true }; // up's probe just passed
        if (entry.outcome === 'failed') {
          this.setPhase(s, 'running', 'failed while starting', at);
          this.fail(s, 'it did not become ready when the stack was brought up', undefined, at, step);
        } else if (c.status === 'restarting') {
          this.setPhase(s, 'restarting', 'Docker is restarting it', at);
        } else {
          this.setPhase(s, 'running', ready ? 'ready' : 'checking readiness', at);
          // Adopted or merely started: probe at once; known-ready: probe on the regular period.
          s.nextProbeAt = ready ? at + this.options.probeIntervalMs : at;
        }
      } else if (c) {
        this.setReady(s, false, at);
        s.lastExit = { at: c.finishedAt ?? at, exitCode: c.exitCode, oomKilled: c.oomKilled };
        if (entry.outcome === 'completed' || (c.exitCode === 0 && !policyRestarts(s.spec.restart, 0))) {
          this.setPhase(s, 'exited', `exited with code ${c.exitCode ?? 0}`, at);
        } else {
          this.setPhase(s, 'exited', describeExit(c.exitCode, c.oomKilled), at);
          this.fail(s, describeExit(c.exitCode, c.oomKilled), c.exitCode, at, step);
        }
      } else {
        this.setReady(s, false, at);
        if (entry.outcome === 'failed') {
          this.setPhase(s, 'missing', 'it could not be created', at);
          this.fail(s, 'its container could not be created', undefined, at, step);
        } else {
          // Never created (blocked by a dependency, or removed): create it once its dependencies allow.
          this.setPhase(s, 'missing', entry.outcome === 'blocked' ? 'blocked by a dependency' : 'no container', at);
          s.nextRestartAt = at;
        }
      }
    }
    if (outage) {
      // Back after the engine's outage: say so for each service ready again (the rest recover later).
      for (const name of this.order) {
        const s = this.services.get(name) as ServiceState;
        if (s.downSince !== undefined && this.isReady(s)) {
          step.events.push({ type: 'service.recovered', at, service: name, downMs: at - s.downSince });
          s.downSince = undefined;
        }
      }
    }
  }

  private onInputWhileSuspended(input: SupervisorInput): void {
    // Keep the record straight (what finished, what was seen) without deciding anything.
    if (input.type === 'diagnosis') {
      const s = this.services.get(input.service);
      if (s) s.lastDiagnosis = input.diagnosis;
    }
    if (input.type === 'probe.result' || input.type === 'restart.done' || input.type === 'stop.done') {
      const s = this.services.get(input.service);
      if (s) {
        if (input.type === 'probe.result') s.probeInFlight = false;
        if (input.type === 'restart.done') s.restartInFlight = false;
        if (input.type === 'stop.done') s.stopInFlight = false;
      }
    }
  }

  private onInput(input: SupervisorInput, step: Step): void {
    if (input.type === 'tick') return; // runDue does the work
    const s = 'service' in input ? this.services.get(input.service) : undefined;
    if (!s) return;
    switch (input.type) {
      case 'observed':
        this.onObserved(s, input.container, input.at, step);
        break;
      case 'probe.result':
        this.onProbeResult(s, input, step);
        break;
      case 'restart.done':
        this.onRestartDone(s, input, step);
        break;
      case 'stop.done':
        s.stopInFlight = false;
        if (input.container) s.container = input.container;
        else s.container = undefined;
        break;
      case 'diagnosis':
        s.lastDiagnosis = input.diagnosis;
        step.events.push({ type: 'service.diagnosed', at: input.at, service: s.spec.name, diagnosis: input.diagnosis });
        break;
      case 'restart.request':
        if (s.restartInFlight) return;
        s.streak = 0;
        s.retryWhileFailed = false;
        s.recovery = undefined;
        this.issueRestart(s, 'restart requested', input.at, step, { ignoreBlockers: true });
        break;
      default:
        break;
    }
  }

  private onObserved(s: ServiceState, c: ContainerSnapshot | undefined, at: number, step: Step): void {
    if (s.restartInFlight || s.stopInFlight) return; // our own doing; restart.done / stop.done will say how it ended
    const before = s.container;
    s.container = c;
    if (!c) {
      if (s.phase === 'missing' || s.phase === 'stopped' || s.phase === 'backoff') return;
      this.setReady(s, false, at);
      if (s.phase === 'failed') return;
      this.setPhase(s, 'missing', 'its container was removed', at);
      this.fail(s, 'its container was removed', undefined, at, step);
      return;
    }
    // Restarts Docker did on its own since we last looked count against the budget.
    const dockerRestarts = before && before.id === c.id ? Math.max(0, c.restartCount - before.restartCount) : 0;
    if (dockerRestarts > 0) {
      s.restarts += dockerRestarts;
      s.streak += dockerRestarts;
      s.lastRestartAt = at;
      step.events.push({ type: 'service.restarting', at, service: s.spec.name, attempt: s.streak, by: 'docker', reason: 'its restart policy in Docker' });
    }
    const startedAgain = before !== undefined && (before.id !== c.id || (c.startedAt ?? 0) > (before.startedAt ?? 0));
    const finishedAgain =
      before === undefined ||
      before.id !== c.id ||
      (c.finishedAt ?? 0) > (before.finishedAt ?? 0) ||
      isUp(before.status);

    if (c.status === 'restarting') {
      if (s.phase === 'restarting') return;
      this.noteExit(s, c, at, 'docker-restarting', step);
      if (s.streak > restartBudget(s.spec.restart)) {
        this.giveUp(s, `it kept failing: ${s.streak} restarts in a row (${describePolicy(s.spec.restart)})`, at, step);
        return;
      }
      this.setPhase(s, 'restarting', 'Docker is restarting it', at);
      return;
    }
    if (isUp(c.status)) {
      if (!startedAgain && s.phase !== 'restarting' && s.phase !== 'exited' && s.phase !== 'missing' && s.phase !== 'stopped') return;
      // Started by someone else (Docker's policy, `docker start`): check it like a fresh start.
      if (s.streak > restartBudget(s.spec.restart) || (s.phase === 'failed' && !s.retryWhileFailed && dockerRestarts > 0)) {
        this.setReady(s, false, at);
        this.giveUp(s, `it kept failing: ${s.streak} restarts in a row (${describePolicy(s.spec.restart)})`, at, step);
        return;
      }
      this.startedFresh(s, at, step, before?.id !== c.id && before !== undefined ? 'its container was replaced' : 'it was started again');
      return;
    }
    // exited / dead / created
    if (!finishedAgain) return;
    if (s.phase === 'exited' || s.phase === 'backoff' || s.phase === 'stopped') return;
    if (s.phase === 'failed' && !s.retryWhileFailed) return;
    this.noteExit(s, c, at, 'self', step);
    this.setReady(s, false, at);
    if (s.phase === 'failed') return;
    const reason = describeExit(c.exitCode, c.oomKilled);
    this.setPhase(s, 'exited', reason, at);
    if (c.exitCode === 0 && !policyRestarts(s.spec.restart, 0)) return;
    this.fail(s, reason, c.exitCode, at, step);
  }

  private onProbeResult(s: ServiceState, input: Extract<SupervisorInput, { type: 'probe.result' }>, step: Step): void {
    if (input.epoch !== s.epoch) return; // the container restarted since: stale
    s.probeInFlight = false;
    s.recheck = false;
    const at = input.at;
    s.lastProbe = { at, ok: input.ok, error: input.error, attempts: input.attempts };
    if (s.phase !== 'running' && s.phase !== 'starting' && s.phase !== 'failed') return;
    if (input.ok) {
      s.consecutiveProbeFailures = 0;
      s.recovery = undefined;
      if (s.phase === 'failed') {
        s.retryWhileFailed = false;
        s.nextRestartAt = undefined;
        s.streak = 0;
      }
      this.setPhase(s, 'running', 'ready', at);
      this.setReady(s, true, at);
      s.nextProbeAt = at + this.options.probeIntervalMs;
      return;
    }
    const wasReady = s.ready;
    this.setReady(s, false, at);
    if (s.phase === 'failed') {
      s.nextProbeAt = at + this.options.probeIntervalMs;
      return;
    }
    if (s.phase === 'starting') {
      // The probe had the whole readiness deadline (or the container exited meanwhile).
      if (this.blockers(s).length > 0) {
        this.setPhase(s, 'running', `not ready: ${input.error ?? 'probe failed'}`, at);
        s.nextProbeAt = at + this.options.probeIntervalMs;
        return;
      }
      this.setPhase(s, 'running', `did not become ready: ${input.error ?? 'probe failed'}`, at);
      this.fail(s, `it did not become ready after starting: ${input.error ?? 'probe failed'}`, undefined, at, step);
      return;
    }
    if (this.blockers(s).length > 0) {
      // Its dependency is down: failing is expected and restarting it would not help.
      s.consecutiveProbeFailures = 0;
      s.nextProbeAt = at + this.options.probeIntervalMs;
      return;
    }
    if (s.recovery) {
      s.nextProbeAt = at + this.options.recoveryProbeIntervalMs;
      return;
    }
    if (input.hopeless) {
      // The container is gone or exited; the container observation will take it from here.
      s.nextProbeAt = at + this.options.unreadyProbeIntervalMs;
      return;
    }
    s.consecutiveProbeFailures += 1;
    step.events.push({ type: 'service.probe-failed', at, service: s.spec.name, consecutive: s.consecutiveProbeFailures, error: input.error });
    if (s.consecutiveProbeFailures >= this.options.failureThreshold) {
      const why = `its probe failed ${s.consecutiveProbeFailures} times in a row: ${input.error ?? 'probe failed'}`;
      s.consecutiveProbeFailures = 0;
      this.setPhase(s, 'running', why, at);
      this.fail(s, why, undefined, at, step);
      return;
    }
    this.setPhase(s, 'running', `probe failing (${s.consecutiveProbeFailures}/${this.options.failureThreshold}): ${input.error ?? 'probe failed'}`, at);
    if (wasReady || s.nextProbeAt === undefined || s.nextProbeAt <= at) s.nextProbeAt = at + this.options.unreadyProbeIntervalMs;
  }

  private onRestartDone(s: ServiceState, input: Extract<SupervisorInput, { type: 'restart.done' }>, step: Step): void {
    if (!s.restartInFlight) return;
    s.restartInFlight = false;
    const at = input.at;
    s.container = input.container;
    if (input.ok && input.container && isUp(input.container.status)) {
      this.startedFresh(s, at, step, 'restarted');
      return;
    }
    this.setReady(s, false, at);
    const why = `restart failed: ${input.error ?? describeExit(input.container?.exitCode, input.container?.oomKilled ?? false)}`;
    this.setPhase(s, input.container ? 'exited' : 'missing', why, at);
    this.fail(s, why, input.container?.exitCode, at, step);
  }

  // ---- decisions ------------------------------------------------------------------------------

  private startedFresh(s: ServiceState, at: number, step: Step, reason: string): void {
    s.epoch += 1;
    s.consecutiveProbeFailures = 0;
    s.nextRestartAt = undefined;
    s.retryWhileFailed = false;
    this.setReady(s, false, at);
    this.setPhase(s, 'starting', `${reason}; waiting for it to be ready`, at);
    s.nextProbeAt = undefined;
    s.probeInFlight = true;
    step.commands.push({ type: 'probe', service: s.spec.name, epoch: s.epoch, mode: 'until-ready' });
  }

  /** A failure the policy may answer with a restart: schedule it with backoff, or give up. */
  private fail(s: ServiceState, reason: string, exitCode: number | undefined, at: number, step: Step): void {
    s.recovery = undefined;
    if (!policyRestarts(s.spec.restart, exitCode)) {
      if (exitCode === 0) {
        this.setPhase(s, 'exited', reason, at);
        return;
      }
      this.giveUp(s, `${reason} (restart policy: ${describePolicy(s.spec.restart)})`, at, step);
      return;
    }
    if (this.overBudget(s)) {
      this.giveUp(s, `${reason}; gave up after ${s.streak} restarts in a row (${describePolicy(s.spec.restart)})`, at, step);
      return;
    }
    const delayMs = backoffDelay(s.streak, this.options);
    s.nextRestartAt = at + delayMs;
    s.nextProbeAt = undefined;
    if (s.streak >= this.options.failAfter) {
      // Unbounded policy, but clearly failing: say so (dependents degrade) while retrying at the cap.
      s.retryWhileFailed = true;
      if (s.phase !== 'failed') {
        this.setPhase(s, 'failed', `${reason}; still failing after ${s.streak} restarts, retrying every ${Math.round(delayMs / 1000)}s`, at);
        step.events.push({ type: 'service.gave-up', at, service: s.spec.name, reason, restarts: s.streak });
        step.commands.push({ type: 'diagnose', service: s.spec.name, reason });
      }
    } else {
      this.setPhase(s, 'backoff', reason, at);
    }
    step.events.push({ type: 'service.restart-scheduled', at, service: s.spec.name, attempt: s.streak + 1, delayMs, reason });
  }

  private overBudget(s: ServiceState): boolean {
    return s.streak >= restartBudget(s.spec.restart);
  }

  private giveUp(s: ServiceState, reason: string, at: number, step: Step): void {
    s.nextRestartAt = undefined;
    s.nextProbeAt = s.container && isUp(s.container.status) ? at + this.options.probeIntervalMs : undefined;
    s.recovery = undefined;
    s.retryWhileFailed = false;
    this.setReady(s, false, at);
    this.setPhase(s, 'failed', reason, at);
    step.events.push({ type: 'service.gave-up', at, service: s.spec.name, reason, restarts: s.streak });
    step.commands.push({ type: 'diagnose', service: s.spec.name, reason });
    if (s.container && (s.container.status === 'restarting' || (isUp(s.container.status) && s.spec.restart.name !== 'no'))) {
      // Stopping also ends any restart loop Docker runs under the container's own policy.
      s.stopInFlight = true;
      s.nextProbeAt = undefined;
      step.commands.push({ type: 'stop', service: s.spec.name, reason: 'given up: no restart storm', stopTimeoutSeconds: this.options.stopTimeoutSeconds });
    }
  }

  private issueRestart(s: ServiceState, reason: string, at: number, step: Step, opts: { ignoreBlockers?: boolean } = {}): void {
    if (!opts.ignoreBlockers && this.blockers(s).length > 0) return;
    s.restartInFlight = true;
    s.nextRestartAt = undefined;
    s.nextProbeAt = undefined;
    s.probeInFlight = false;
    s.epoch += 1;
    const created = s.container !== undefined || s.everReady || s.restarts > 0;
    if (created) {
      s.streak += 1;
      s.restarts += 1;
      s.lastRestartAt = at;
    }
    this.setReady(s, false, at);
    if (s.phase !== 'failed') this.setPhase(s, 'restarting', reason, at);
    step.events.push({ type: 'service.restarting', at, service: s.spec.name, attempt: s.streak, by: 'daemon', reason });
    step.commands.push({ type: 'restart', service: s.spec.name, reason, attempt: s.streak, stopTimeoutSeconds: this.options.stopTimeoutSeconds });
  }

  /** Everything whose time has come: restarts after backoff, probes, recovery deadlines, stable resets. */
  private runDue(at: number, step: Step): void {
    for (const s of this.services.values()) {
      if (s.streak > 0 && s.ready && s.readySince !== undefined && at - s.readySince >= this.options.stableAfterMs) {
        s.streak = 0;
      }
      if (s.recovery && at >= s.recovery.until && !s.restartInFlight) {
        const cause = s.recovery.cause;
        s.recovery = undefined;
        if (!this.isReady(s) && s.phase === 'running' && this.blockers(s).length === 0) {
          const causeSpec = this.services.get(cause)?.spec;
          if (causeSpec?.restartDependents) {
            this.fail(s, `it did not recover within ${Math.round(this.options.recoveryWindowMs / 1000)}s after ${cause} came back`, undefined, at, step);
          } else {
            s.nextProbeAt = at;
          }
        }
      }
      if (s.nextRestartAt !== undefined && s.nextRestartAt <= at && !s.restartInFlight && !s.stopInFlight) {
        if (this.blockers(s).length === 0) {
          const reason = s.phase === 'missing' && s.restarts === 0 && !s.everReady ? 'creating it: its dependencies are up' : `restart: ${s.reason}`;
          this.issueRestart(s, reason, at, step);
        }
      }
      if (s.nextProbeAt !== undefined && s.nextProbeAt <= at && !s.probeInFlight && !s.restartInFlight && !s.stopInFlight) {
        if (s.container && isUp(s.container.status) && (s.phase === 'running' || s.phase === 'failed')) {
          s.nextProbeAt = undefined;
          s.probeInFlight = true;
          step.commands.push({ type: 'probe', service: s.spec.name, epoch: s.epoch, mode: 'once' });
        } else {
          s.nextProbeAt = undefined;
        }
      }
    }
  }

  /** When a service comes back, its ready-dependents get a bounded chance to recover (re-probed at once). */
  private afterReadinessChanges(readyBefore: Map<string, boolean>, at: number, step: Step): void {
    for (const name of this.order) {
      const s = this.services.get(name) as ServiceState;
      const wasReady = readyBefore.get(name) ?? false;
      const nowReady = this.isReady(s);
      if (wasReady && !nowReady) {
        s.downSince ??= at;
        // Its ready-dependents' last probe predates this: they must answer again before they count as ready.
        for (const dependent of this.readyDependents(name)) {
          const d = this.services.get(dependent);
          if (d && d.ready) d.recheck = true;
        }
      }
      if (!wasReady && nowReady && s.downSince !== undefined) {
        step.events.push({ type: 'service.recovered', at, service: name, downMs: at - s.downSince });
        s.downSince = undefined;
      }
      if (!wasReady && nowReady) {
        for (const dependent of this.readyDependents(name)) {
          const d = this.services.get(dependent);
          if (!d || d.phase !== 'running' || d.restartInFlight || this.blockers(d).length > 0) continue;
          if (!d.everReady) continue;
          d.recovery = { cause: name, until: at + this.options.recoveryWindowMs };
          d.consecutiveProbeFailures = 0;
          if (d.recheck) d.reason = `re-checking: ${name} is back`;
          if (!d.probeInFlight) d.nextProbeAt = at;
        }
      }
    }
  }

  // ---- derived state --------------------------------------------------------------------------

  /** The services that wait for `name` to be ready (`condition: ready`). */
  private readyDependents(name: string): string[] {
    return (this.graph.dependents.get(name) ?? []).filter((dependent) =>
      this.services.get(dependent)?.spec.dependsOn.some((dep) => dep.service === name && dep.condition === 'ready'),
    );
  }

  /** Ready, and so is everything it needs: a service whose dependency is down is not available to its own dependents. */
  private isReady(s: ServiceState, depth = 0): boolean {
    if (!s.ready || s.recheck || s.phase !== 'running') return false;
    if (depth > this.services.size) return true; // a cycle (validation forbids them): stop here
    return s.spec.dependsOn.every((dep) => {
      const d = this.services.get(dep.service);
      return !d || this.available(d, dep.condition, depth + 1);
    });
  }

  private available(s: ServiceState, condition: DependencyCondition, depth = 0): boolean {
    switch (condition) {
      case 'ready':
        return this.isReady(s, depth);
      case 'started':
        return (s.phase === 'running' || s.phase === 'starting') && s.container !== undefined && isUp(s.container.status);
      case 'completed':
        return s.phase === 'exited' && s.lastExit?.exitCode === 0;
    }
  }

  /** Direct dependencies not meeting their condition. */
  private blockers(s: ServiceState): string[] {
    const out: string[] = [];
    for (const dep of s.spec.dependsOn) {
      const d = this.services.get(dep.service);
      if (d && !this.available(d, dep.condition)) out.push(dep.service);
    }
    return out;
  }

  /** The services at the root of this one's trouble: failed or unavailable dependencies, followed down to their cause. */
  private degradedBy(s: ServiceState, seen = new Set<string>()): string[] {
    const causes = new Set<string>();
    seen.add(s.spec.name);
    for (const name of this.blockers(s)) {
      const d = this.services.get(name);
      if (!d || seen.has(name)) continue;
      const deeper = d.phase === 'failed' ? [] : this.degradedBy(d, seen);
      if (deeper.length > 0) for (const c of deeper) causes.add(c);
      else causes.add(name);
    }
    // Failed services further up the graph degrade everything below them.
    for (const name of transitiveDependencies(this.graph, s.spec.name)) {
      if (this.services.get(name)?.phase === 'failed') causes.add(name);
    }
    return [...causes].sort();
  }

  private publicState(s: ServiceState): ServiceStateName {
    if (this.engineDown) return 'engine-down';
    const blocked = this.blockers(s).length > 0;
    const degraded = this.degradedBy(s).length > 0;
    switch (s.phase) {
      case 'running':
        if (degraded) return 'degraded';
        return s.ready && !s.recheck ? 'ready' : 'unready';
      case 'backoff':
        return blocked ? 'waiting' : 'backoff';
      case 'missing':
        if (blocked) return 'waiting';
        return s.nextRestartAt !== undefined ? 'backoff' : 'missing';
      default:
        return s.phase;
    }
  }

  private publicReason(s: ServiceState): string {
    if (this.engineDown) return `the container engine does not answer (${this.engineDown.reason}); waiting for it, then the stack is reconciled`;
    const state = this.publicState(s);
    const by = this.degradedBy(s);
    if (state === 'degraded') return `${by.join(', ')} ${by.length > 1 ? 'are' : 'is'} not available${s.ready ? '' : `; ${s.reason}`}`;
    if (state === 'waiting') return `waiting for ${this.blockers(s).join(', ')} (${s.reason})`;
    return s.reason;
  }

  private emitStateChanges(at: number, step: Step): void {
    for (const s of this.services.values()) {
      const state = this.publicState(s);
      const degradedBy = this.degradedBy(s);
      const key = degradedBy.join(',');
      if (state !== s.shown || key !== s.shownDegradedBy) {
        step.events.push({
          type: 'service.state',
          at,
          service: s.spec.name,
          state,
          previous: s.shown,
          reason: this.publicReason(s),
          degradedBy,
        });
        if (state !== s.shown) s.since = at;
        s.shown = state;
        s.shownDegradedBy = key;
      }
    }
  }

  // ---- small helpers --------------------------------------------------------------------------

  private setPhase(s: ServiceState, phase: Phase, reason: string, _at: number): void {
    s.phase = phase;
    s.reason = reason;
  }

  private setReady(s: ServiceState, ready: boolean, at: number): void {
    if (ready && !s.ready) {
      s.readySince = at;
      s.everReady = true;
    }
    if (!ready && s.ready) {
      // Ready long enough: this failure starts a new episode with the shortest backoff.
      if (s.readySince !== undefined && at - s.readySince >= this.options.stableAfterMs) s.streak = 0;
    }
    s.ready = ready;
  }

  private noteExit(s: ServiceState, c: ContainerSnapshot, at: number, by: 'self' | 'docker-restarting', step: Step): void {
    s.lastExit = { at: c.finishedAt ?? at, exitCode: c.exitCode, oomKilled: c.oomKilled };
    step.events.push({ type: 'service.died', at, service: s.spec.name, exitCode: c.exitCode, oomKilled: c.oomKilled, by });
  }

  private clearActivity(s: ServiceState): void {
    s.probeInFlight = false;
    s.restartInFlight = false;
    s.stopInFlight = false;
    s.nextProbeAt = undefined;
    s.nextRestartAt = undefined;
  }
}

function isUp(status: ContainerStatus): boolean {
  return status === 'running' || status === 'restarting' || status === 'paused';
}

export function describeExit(exitCode: number | undefined, oomKilled: boolean): string {
  if (oomKilled) return 'it was killed for running out of memory (OOM)';
  if (exitCode === undefined) return 'it stopped';
  if (exitCode === 137) return 'it was killed (exit code 137, SIGKILL)';
  if (exitCode === 143) return 'it was terminated (exit code 143, SIGTERM)';
  return `it exited with code ${exitCode}`;
}
