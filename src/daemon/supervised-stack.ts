/**
 * The stack the daemon supervises and what is made for it: its Supervisor (supervisor.ts) and the
 * collector of its services' output (log-collector.ts). The `up` action replaces all three together
 * when the stack file has been edited; everyone else reads the current ones from here.
 */
import type { Stack } from '../config/model.js';
import type { EventListener } from '../engine/events.js';
import { UsageError } from '../errors.js';
import type { DaemonEngine } from './daemon-engine.js';
import { LogCollector, type LogCollectorOptions } from './log-collector.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-machine.js';

export interface SupervisedStackOptions {
  engine: DaemonEngine;
  supervision: SupervisorOptions;
  logs: LogCollectorOptions;
  clock: () => number;
}

/** What each supervisor reports to the daemon. */
export interface SupervisionHooks {
  /** The supervisor's events (state changes, deaths, restarts, …). */
  onEvent(event: SupervisorEvent): void;
  /** The engine stopped answering: supervision is on hold until the stack is reconciled. */
  onEngineDown(reason: string): void;
  /** Events of the engine's `up` when the supervisor recreates a service's missing container. */
  onEngineEvent: EventListener;
  warn(message: string): void;
}

export class SupervisedStack {
  private current: Stack;
  private currentSupervisor: Supervisor;
  private currentCollector: LogCollector;

  constructor(
    stack: Stack,
    private readonly options: SupervisedStackOptions,
    private readonly hooks: SupervisionHooks,
  ) {
    this.current = stack;
    this.currentSupervisor = this.newSupervisor(stack);
    this.currentCollector = this.newCollector(stack);
  }

  get stack(): Stack {
    return this.current;
  }

  get supervisor(): Supervisor {
    return this.currentSupervisor;
  }

  get collector(): LogCollector {
    return this.currentCollector;
  }

  /** Stops supervising (work in flight finishes) and following the services' output. */
  async stop(): Promise<void> {
    await this.currentSupervisor.stop();
    await this.currentCollector.close();
  }

  /** A (possibly edited) stack: a fresh supervisor and collector for its graph; the supervisor starts watching. */
  async replace(stack: Stack): Promise<void> {
    await this.stop();
    this.current = stack;
    this.currentSupervisor = this.newSupervisor(stack);
    this.currentCollector = this.newCollector(stack);
    this.currentSupervisor.start();
  }

  /** Throws a UsageError naming the services the stack does not have. */
  assertKnown(services: string[]): void {
    const known = this.current.services.map((s) => s.name);
    const unknown = services.filter((s) => !known.includes(s));
    if (unknown.length > 0) {
      throw new UsageError(`unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `"${s}"`).join(', ')}`, {
        hint: `services of ${this.current.name}: ${known.join(', ')}`,
      });
    }
  }

  private newSupervisor(stack: Stack): Supervisor {
    const { engine, supervision, clock } = this.options;
    return new Supervisor(
      stack,
      {
        runtime: engine.runtime,
        probeFactory: engine.probeFactory,
        waitReady: engine.waitReady,
        diagnose: engine.diagnose,
        onEngineDown: (reason) => this.hooks.onEngineDown(reason),
        recreate: async (service, signal) => {
          const result = await engine.upService(this.current, service, { signal, onEvent: (event) => this.hooks.onEngineEvent(event) });
          const outcome = result.services.find((s) => s.service === service);
          if (!outcome?.containerId) throw new Error(outcome?.diagnosis?.rootCause.summary ?? `${service} could not be created`);
        },
      },
      supervision,
      (event) => this.hooks.onEvent(event),
      clock,
      (message) => this.hooks.warn(message),
    );
  }

  private newCollector(stack: Stack): LogCollector {
    return new LogCollector(this.options.engine.runtime, stack.services.map((s) => s.name), this.options.logs, this.options.clock);
  }
}
