/**
 * The supervisor's driver: it watches the stack through the engine's event stream (plus a periodic
 * sweep, for anything the stream missed), feeds what it sees to the SupervisorMachine, and carries
 * out its commands — restart (stop + start the same container, or recreate a missing one through the
 * engine), probe, stop, diagnose — feeding their outcomes back. All decisions are the machine's.
 *
 * Ordering: observations of one service run one after another (an engine event only triggers a fresh
 * inspect), so the machine always sees snapshots in the order they were taken. One wake-up timer
 * follows the machine's `nextWakeAt()`. State is bounded: per service, a snapshot and a handful of
 * flags; events go to the caller.
 */
import type { Service, Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import { EngineUnavailableError, errorMessage, ProbeTimeoutError } from '../errors.js';
import { HopelessProbeError, type Probe } from '../probes/probe.js';
import { ProbeDeadlineError, ProbeGaveUpError } from '../probes/errors.js';
import { probeFailureOf, type ProbeFailure } from '../probes/probe-failure.js';
import { serviceContainer } from '../plan/observed.js';
import { StaleContainerError } from '../runtime/errors.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import type { FailureContext } from '../engine/failure.js';
import { probeTarget, type ProbeFactory, type WaitReadyFn } from '../engine/readiness.js';
import { sleep } from '../engine/signals.js';
import type { SupervisionOptions } from './policy.js';
import {
  SupervisorMachine,
  type ContainerSnapshot,
  type SupervisedService,
  type SupervisorCommand,
  type SupervisorEvent,
  type SupervisorInput,
  type ServiceView,
} from './supervisor-machine.js';

export interface SupervisorDependencies {
  runtime: Runtime;
  probeFactory: ProbeFactory;
  waitReady: WaitReadyFn;
  diagnose: (context: FailureContext, runtime: Runtime) => Promise<Diagnosis>;
  /** Creates (and starts) the missing container of one service, the way `up` would. */
  recreate: (service: string, signal: AbortSignal) => Promise<void>;
  /** The engine stopped answering (supervision is on hold): the caller waits for it and reconciles. */
  onEngineDown?: (reason: string) => void;
}

export interface SupervisorOptions extends SupervisionOptions {
  /** Period of the full sweep (list the stack's containers) that backs up the event stream. */
  sweepIntervalMs: number;
}

export type InitEntry = Extract<SupervisorInput, { type: 'init' }>['services'][number];

export function supervisedServices(stack: Stack): SupervisedService[] {
  return stack.services.map((service) => ({
    name: service.name,
    dependsOn: service.dependsOn.filter((dep) => dep.required || stack.services.some((s) => s.name === dep.service)),
    restart: service.restart,
    restartDependents: service.restartDependents,
  }));
}

export function snapshot(info: ContainerInfo): ContainerSnapshot {
  const out: ContainerSnapshot = { id: info.id, status: info.status, oomKilled: info.oomKilled, restartCount: info.restartCount };
  if (info.startedAt) out.startedAt = info.startedAt.getTime();
  if (info.finishedAt) out.finishedAt = info.finishedAt.getTime();
  if (info.exitCode !== undefined) out.exitCode = info.exitCode;
  return out;
}

export class Supervisor {
  private readonly machine: SupervisorMachine;
  private readonly services: Map<string, Service>;
  private readonly containers = new Map<string, ContainerInfo | undefined>();
  private readonly observeChains = new Map<string, Promise<void>>();
  private readonly observePending = new Set<string>();
  private readonly probeAborts = new Map<string, AbortController>();
  /** Each service's last probe failure as data, for its diagnosis (src/probes/probe-failure.ts). */
  private readonly probeFailures = new Map<string, ProbeFailure>();
  private readonly lifetime = new AbortController();
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeAt: number | undefined;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private eventsLoop: Promise<void> | undefined;
  /** Cuts the event stream's reconnect backoff short (the engine is back). */
  private reconnectNow: AbortController | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly stack: Stack,
    private readonly deps: SupervisorDependencies,
    private readonly options: SupervisorOptions,
    private readonly onEvent: (event: SupervisorEvent) => void,
    private readonly clock: () => number = Date.now,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.services = new Map(stack.services.map((service) => [service.name, service]));
    this.machine = new SupervisorMachine(supervisedServices(stack), options, clock());
  }

  /** Starts watching: subscribes to engine events and the sweep. Call `init` with the picture after `up`. */
  start(): void {
    this.eventsLoop = this.followEvents();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref?.();
  }

  /** The picture after `up` (or adoption): resumes supervision. */
  init(entries: InitEntry[]): void {
    for (const entry of entries) {
      if (entry.container === undefined) this.containers.set(entry.service, undefined);
    }
    this.feed({ type: 'init', at: this.clock(), services: entries });
  }

  /** Builds the init entries from what runs now (adoption without `up`'s results). */
  async observeAll(): Promise<InitEntry[]> {
    const all = await this.deps.runtime.listContainers(this.stack.name);
    return this.stack.services.map((service) => {
      const info = serviceContainer(this.stack.name, service.name, all);
      this.containers.set(service.name, info);
      return info ? { service: service.name, container: snapshot(info) } : { service: service.name };
    });
  }

  /** Stops deciding (an action is bringing the stack up or down); in-flight work finishes quietly. */
  suspend(reason: string): void {
    this.feed({ type: 'suspend', at: this.clock(), reason });
    for (const controller of this.probeAborts.values()) controller.abort();
  }

  /** The stack was brought down. */
  markStopped(): void {
    this.feed({ type: 'stopped', at: this.clock() });
  }

  requestRestart(service: string): void {
    this.feed({ type: 'restart.request', at: this.clock(), service });
  }

  get suspended(): boolean {
    return this.machine.isSuspended;
  }

  /** Since when (epoch ms) and why the engine does not answer; undefined while it does. */
  get engineOutage(): { since: number; reason: string } | undefined {
    return this.machine.engineOutage;
  }

  /**
   * The engine does not answer: put supervision on hold (the machine's engine-down state) and tell
   * the owner, once per outage. Nothing is acted on until the owner reconciles and calls `init`.
   */
  engineLost(reason: string): void {
    if (this.stopped || this.machine.engineOutage) return;
    reason = reason.replace(/^the container engine does not answer at /, '');
    this.feed({ type: 'engine.down', at: this.clock(), reason });
    for (const controller of this.probeAborts.values()) controller.abort();
    this.deps.onEngineDown?.(reason);
  }

  /** The engine answers again: follow its event stream at once instead of after the backoff. */
  engineBack(): void {
    this.reconnectNow?.abort();
  }

  views(): ServiceView[] {
    return this.machine.views();
  }

  container(service: string): ContainerInfo | undefined {
    return this.containers.get(service);
  }

  /** Stops watching; waits for work in flight (restarts are not interrupted half-way). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.suspend('daemon stopping');
    this.lifetime.abort();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.eventsLoop?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  // ---- feeding the machine --------------------------------------------------------------------

  private feed(input: SupervisorInput): void {
    const step = this.machine.handle(input);
    for (const event of step.events) {
      try {
        this.onEvent(event);
      } catch (error) {
        this.onError(`event listener failed: ${errorMessage(error)}`);
      }
    }
    for (const command of step.commands) this.track(this.execute(command));
    this.scheduleWake();
  }

  private scheduleWake(): void {
    if (this.stopped) return;
    const next = this.machine.nextWakeAt();
    if (next === this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = next;
    if (next === undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = undefined;
      this.feed({ type: 'tick', at: Math.max(this.clock(), next) });
    }, Math.max(0, next - this.clock()));
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  // ---- observation ----------------------------------------------------------------------------

  private async followEvents(): Promise<void> {
    let failures = 0;
    while (!this.lifetime.signal.aborted) {
      try {
        await this.deps.runtime.events(
          this.stack.name,
          (event) => {
            failures = 0;
            if (this.services.has(event.service)) this.observe(event.service);
          },
          this.lifetime.signal,
        );
      } catch (error) {
        if (this.lifetime.signal.aborted) return;
        failures += 1;
        if (!this.machine.engineOutage) this.onError(`engine event stream: ${errorMessage(error)}; reconnecting`);
      }
      if (this.lifetime.signal.aborted) return;
      // The stream ends when the engine goes away: find out at once whether it did.
      if (!this.machine.engineOutage) await this.engineAnswers();
      // Reconnect with backoff, and catch up on whatever happened meanwhile.
      // One controller woken by either stop or engineBack (not AbortSignal.any: on Node 20 a
      // composite signal nobody else references can be collected and then never fires).
      const wake = new AbortController();
      const onStop = (): void => wake.abort();
      this.lifetime.signal.addEventListener('abort', onStop, { once: true });
      this.reconnectNow = wake;
      if (!this.lifetime.signal.aborted) await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), wake.signal);
      this.lifetime.signal.removeEventListener('abort', onStop);
      if (this.reconnectNow === wake && wake.signal.aborted) failures = 0; // the engine is back: no backoff
      this.reconnectNow = undefined;
      void this.sweep();
    }
  }

  /**
   * Whether the engine answers a fresh connection; when it does not, supervision goes on hold. Asked
   * before every action on a container: an engine that is shutting down still answers on connections
   * it had, and a container started then is left broken (endpoint or task that already exists).
   */
  private async engineAnswers(): Promise<boolean> {
    try {
      await this.deps.runtime.ping(this.lifetime.signal);
      return true;
    } catch (error) {
      if (this.lifetime.signal.aborted) return false;
      this.engineLost(errorMessage(error));
      return false;
    }
  }

  private noteFailure(what: string, error: unknown): void {
    if (error instanceof EngineUnavailableError) this.engineLost(errorMessage(error));
    else if (!this.machine.engineOutage) this.onError(`${what}: ${errorMessage(error)}`);
  }

  /** Inspect the service's container again and tell the machine; serialized per service, coalesced. */
  observe(service: string): void {
    if (this.observePending.has(service)) return;
    this.observePending.add(service);
    const previous = this.observeChains.get(service) ?? Promise.resolve();
    const next = previous.then(async () => {
      this.observePending.delete(service);
      if (this.stopped) return;
      try {
        const known = this.containers.get(service);
        let info = known ? await this.deps.runtime.inspectContainer(known.id) : undefined;
        if (!info || info.stack !== this.stack.name) {
          info = serviceContainer(this.stack.name, service, await this.deps.runtime.listContainers(this.stack.name));
        }
        this.containers.set(service, info);
        this.feed({ type: 'observed', at: this.clock(), service, container: info ? snapshot(info) : undefined });
      } catch (error) {
        this.noteFailure(`inspecting ${service}`, error);
      }
    });
    this.observeChains.set(service, next);
    this.track(next);
  }

  /** Looks at every service (backs up the event stream). */
  async sweep(): Promise<void> {
    if (this.stopped || this.machine.isSuspended) return;
    for (const service of this.services.keys()) this.observe(service);
  }

  // ---- commands -------------------------------------------------------------------------------

  private async execute(command: SupervisorCommand): Promise<void> {
    try {
      if ((command.type === 'restart' || command.type === 'stop') && !(await this.engineAnswers())) return;
      switch (command.type) {
        case 'probe':
          return await this.probe(command.service, command.epoch, command.mode);
        case 'restart':
          return await this.restart(command.service, command.stopTimeoutSeconds);
        case 'stop':
          return await this.stopService(command.service, command.stopTimeoutSeconds);
        case 'diagnose':
          return await this.diagnose(command.service, command.reason);
      }
    } catch (error) {
      this.noteFailure(`${command.type} ${command.service}`, error);
    }
  }

  private async restart(service: string, stopTimeoutSeconds: number): Promise<void> {
    this.probeAborts.get(service)?.abort();
    const known = this.containers.get(service);
    let info = known ? await this.deps.runtime.inspectContainer(known.id).catch(() => undefined) : undefined;
    if (!info) info = serviceContainer(this.stack.name, service, await this.deps.runtime.listContainers(this.stack.name));
    try {
      if (info && (info.status === 'running' || info.status === 'restarting' || info.status === 'paused')) {
        await this.deps.runtime.stopContainer(info.id, stopTimeoutSeconds);
      }
      if (info && info.status !== 'dead' && info.status !== 'removing') {
        try {
          await this.deps.runtime.startContainer(info.id);
        } catch (error) {
          if (!(error instanceof StaleContainerError)) throw error;
          // Left broken by an engine restart: the engine's up recreates it (volumes kept).
          await this.deps.recreate(service, this.lifetime.signal);
          info = undefined;
        }
      } else {
        // Gone (or unusable): let the engine create it the way `up` does.
        await this.deps.recreate(service, this.lifetime.signal);
        info = undefined;
      }
      const after = info
        ? await this.deps.runtime.inspectContainer(info.id)
        : serviceContainer(this.stack.name, service, await this.deps.runtime.listContainers(this.stack.name));
      this.containers.set(service, after);
      this.feed({ type: 'restart.done', at: this.clock(), service, ok: after !== undefined, container: after ? snapshot(after) : undefined, error: after ? undefined : 'no container after the restart' });
    } catch (error) {
      // The engine went away under the restart: not the service's failure (supervision is on hold now).
      if (error instanceof EngineUnavailableError || !(await this.engineAnswers())) {
        if (error instanceof EngineUnavailableError) this.engineLost(errorMessage(error));
        return;
      }
      const after = info ? await this.deps.runtime.inspectContainer(info.id).catch(() => undefined) : undefined;
      this.containers.set(service, after);
      this.feed({ type: 'restart.done', at: this.clock(), service, ok: false, container: after ? snapshot(after) : undefined, error: errorMessage(error) });
    }
  }

  private async stopService(service: string, stopTimeoutSeconds: number): Promise<void> {
    const known = this.containers.get(service);
    if (known) await this.deps.runtime.stopContainer(known.id, stopTimeoutSeconds).catch((error: unknown) => this.onError(`stopping ${service}: ${errorMessage(error)}`));
    const after = known ? await this.deps.runtime.inspectContainer(known.id).catch(() => undefined) : undefined;
    this.containers.set(service, after);
    this.feed({ type: 'stop.done', at: this.clock(), service, container: after ? snapshot(after) : undefined });
  }

  private async probe(service: string, epoch: number, mode: 'once' | 'until-ready'): Promise<void> {
    const definition = this.services.get(service);
    const controller = new AbortController();
    this.probeAborts.get(service)?.abort();
    this.probeAborts.set(service, controller);
    const abortOnStop = (): void => controller.abort();
    this.lifetime.signal.addEventListener('abort', abortOnStop, { once: true });
    let timedOut = false;
    const report = (ok: boolean, error?: string, attempts?: number, hopeless?: boolean): void => {
      if (controller.signal.aborted && !ok) return; // superseded (restart, suspend): nothing to say
      this.feed({ type: 'probe.result', at: this.clock(), service, epoch, ok, error, attempts, hopeless });
    };
    try {
      const known = this.containers.get(service);
      const info = known ? await this.deps.runtime.inspectContainer(known.id) : undefined;
      if (!info || (info.status !== 'running' && info.status !== 'restarting')) {
        report(false, info ? `container is ${info.status}` : 'container not found', undefined, true);
        return;
      }
      this.containers.set(service, info);
      if (!definition?.readiness) {
        report(info.status === 'running', info.status === 'running' ? undefined : `container is ${info.status}`);
        return;
      }
      const probe: Probe = this.deps.probeFactory(definition.readiness.probe);
      const target = probeTarget(this.deps.runtime, service, info);
      if (mode === 'until-ready') {
        const { attempts } = await this.deps.waitReady(probe, target, { timeoutMs: definition.readiness.timeoutMs, signal: controller.signal });
        report(true, undefined, attempts);
        return;
      }
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.options.probeTimeoutMs);
      try {
        await probe.check(target, controller.signal);
        report(true, undefined, 1);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      const failure = error instanceof ProbeDeadlineError || error instanceof ProbeGaveUpError ? error.lastFailure : probeFailureOf(error);
      if (failure && !timedOut) this.probeFailures.set(service, failure);
      else this.probeFailures.delete(service);
      if (timedOut) this.feed({ type: 'probe.result', at: this.clock(), service, epoch, ok: false, error: `no answer within ${this.options.probeTimeoutMs} ms` });
      else if (error instanceof ProbeTimeoutError) report(false, error.lastError ?? error.message, error.attempts);
      else if (error instanceof HopelessProbeError) report(false, error.message, undefined, true);
      else report(false, errorMessage(error));
    } finally {
      this.lifetime.signal.removeEventListener('abort', abortOnStop);
      if (this.probeAborts.get(service) === controller) this.probeAborts.delete(service);
    }
  }

  private async diagnose(service: string, reason: string): Promise<void> {
    const view = this.machine.view(service);
    const info = this.containers.get(service);
    const exited = info && (info.status === 'exited' || info.status === 'dead');
    const context: FailureContext = {
      service,
      phase: exited ? 'exit' : view?.lastProbe && !view.lastProbe.ok ? 'probe' : 'start',
      error: new Error(reason),
    };
    if (info) context.containerId = info.id;
    if (exited && info?.exitCode !== undefined) context.exitCode = info.exitCode;
    if (view?.lastProbe && !view.lastProbe.ok) {
      context.probe = { attempts: view.lastProbe.attempts ?? 1 };
      if (view.lastProbe.error !== undefined) context.probe.lastError = view.lastProbe.error;
      const failure = this.probeFailures.get(service);
      if (failure) context.probe.lastFailure = failure;
    }
    const diagnosis = await this.deps.diagnose(context, this.deps.runtime);
    this.feed({ type: 'diagnosis', at: this.clock(), service, diagnosis });
  }
}
