/**
 * The API's actions: `up` (reload the stack file, bring the stack up, supervise the new graph),
 * `down` (optionally ending the daemon), `restart <service>` (through the supervisor, waiting for
 * the outcome) and `test` (suite-action.ts). Up and down go through the ActionGate, one at a time.
 */
import type { Stack } from '../config/model.js';
import type { ServiceResult } from '../engine/results.js';
import { errorMessage, isStackctlError } from '../errors.js';
import type { Redactor } from '../secrets.js';
import type { ActionGate } from './action-gate.js';
import type { ActionRequest } from './api-server.js';
import type { ActionResult } from './api-types.js';
import type { BringUp } from './bring-up.js';
import type { DaemonEngine } from './daemon-engine.js';
import type { PhaseTracker } from './daemon-phase.js';
import type { EngineProgress } from './engine-progress.js';
import { DaemonBusyError } from './errors.js';
import type { EventJournal } from './event-journal.js';
import type { SuiteAction } from './suite-action.js';
import type { SupervisedStack } from './supervised-stack.js';

export interface DaemonActionParts {
  engine: Pick<DaemonEngine, 'reload' | 'down'>;
  supervised: SupervisedStack;
  bringUp: BringUp;
  gate: ActionGate;
  suite: Pick<SuiteAction, 'run'>;
  phase: PhaseTracker;
  journal: EventJournal;
  progress: Pick<EngineProgress, 'onEvent'>;
  redactor: Pick<Redactor, 'redactValue'>;
  clock: () => number;
  /** Aborts when the daemon stops. */
  signal: AbortSignal;
  /** Ends the daemon (`down` with `exit`). */
  exit: () => void;
}

/** How long `down --exit` leaves the answer to reach the client before the daemon ends. */
const EXIT_DELAY_MS = 50;

export class DaemonActions {
  constructor(private readonly parts: DaemonActionParts) {}

  async act(request: ActionRequest): Promise<ActionResult> {
    const { gate } = this.parts;
    switch (request.action) {
      case 'up':
        return gate.exclusive('up', () => this.up());
      case 'down':
        return gate.exclusive('down', () => this.down(request.volumes, request.exit));
      case 'restart':
        return this.restart(request.service);
      case 'test':
        return this.parts.suite.run(request.options);
    }
  }

  private async up(): Promise<ActionResult> {
    const { supervised, clock } = this.parts;
    const began = clock();
    let stack: Stack;
    try {
      stack = await this.parts.engine.reload();
    } catch (error) {
      return { action: 'up', ok: false, durationMs: clock() - began, message: `the stack file cannot be loaded: ${isStackctlError(error) ? error.shortMessage : errorMessage(error)}` };
    }
    if (stack.name !== supervised.stack.name) {
      return { action: 'up', ok: false, durationMs: clock() - began, message: `the stack file now names stack "${stack.name}", but this daemon supervises "${supervised.stack.name}"; stop it and start a daemon for the new stack` };
    }
    // A fresh supervisor for the (possibly edited) graph.
    await supervised.replace(stack);
    this.parts.phase.set('busy', 'up');
    const up = await this.parts.bringUp(this.parts.signal);
    if (!up) return { action: 'up', ok: false, durationMs: clock() - began, message: 'interrupted' };
    return {
      action: 'up',
      ok: up.ok,
      durationMs: clock() - began,
      message: up.error
        ? `up failed: ${up.error}`
        : up.ok
          ? `${stack.name} is up and supervised`
          : `${stack.name} is up with failures; failed services are supervised under their restart policy`,
      services: outcomes(up.result?.services ?? []),
    };
  }

  private async down(volumes: boolean, exit: boolean): Promise<ActionResult> {
    const { supervised, phase, clock } = this.parts;
    const began = clock();
    supervised.supervisor.suspend('down');
    phase.set('busy', 'down');
    try {
      const result = await this.parts.engine.down(supervised.stack, { removeVolumes: volumes, onEvent: this.parts.progress.onEvent });
      supervised.supervisor.markStopped();
      const removed = `${count(result.containers.length, 'container')}${volumes ? `, ${count(result.volumes.length, 'volume')}` : ''} removed`;
      phase.set('down', removed);
      if (exit) setTimeout(this.parts.exit, EXIT_DELAY_MS).unref?.();
      return {
        action: 'down',
        ok: true,
        durationMs: clock() - began,
        message: `${supervised.stack.name} is down (${removed})${exit ? '; the daemon stops' : '; the daemon waits for "up"'}`,
        services: result.containers.map((name) => ({ name, outcome: 'removed' })),
      };
    } catch (error) {
      // Part of the stack may still run: look again and supervise what is there.
      phase.set('supervising', 'down failed; supervising what is left');
      supervised.supervisor.init(await supervised.supervisor.observeAll().catch(() => []));
      throw error;
    }
  }

  /** Asks the supervisor to restart the service, and answers once its new state is settled (or after its start timeout). */
  private async restart(service: string): Promise<ActionResult> {
    const { supervised, journal, clock } = this.parts;
    this.parts.gate.assertIdle();
    const phase = this.parts.phase.current;
    if (phase !== 'supervising') throw new DaemonBusyError(`the daemon is ${phase}: there is nothing to restart right now`, { hint: phase === 'down' ? 'bring the stack up first ("up" action)' : 'wait for it' });
    supervised.assertKnown([service]);
    const began = clock();
    journal.record({ type: 'action.started', at: began, action: 'restart', service });
    const definition = supervised.stack.services.find((s) => s.name === service);
    const limitMs = (definition?.readiness?.timeoutMs ?? definition?.startTimeoutMs ?? 120_000) + 30_000;
    const done = this.parts.signal;
    await new Promise<void>((resolve) => {
      let seenRestart = false;
      const timer = setTimeout(() => finish(), limitMs);
      const unsubscribe = journal.subscribe((record) => {
        const event = record.event;
        if (!('service' in event) || event.service !== service) return;
        if (event.type === 'service.restarting') seenRestart = true;
        if (event.type === 'service.state' && seenRestart && ['ready', 'failed', 'degraded', 'unready', 'exited', 'waiting'].includes(event.state)) finish();
      });
      done.addEventListener('abort', finish, { once: true });
      function finish(): void {
        clearTimeout(timer);
        unsubscribe();
        done.removeEventListener('abort', finish);
        resolve();
      }
      supervised.supervisor.requestRestart(service);
    });
    const view = supervised.supervisor.views().find((v) => v.name === service);
    const ok = view?.state === 'ready';
    const result: ActionResult = {
      action: 'restart',
      service,
      ok,
      durationMs: clock() - began,
      message: `${service} restarted: ${view?.state ?? 'unknown'}${view && !ok ? ` (${view.reason})` : ''}`,
    };
    journal.record({ type: 'action.finished', at: clock(), action: 'restart', service, ok, durationMs: result.durationMs, detail: result.message });
    return this.parts.redactor.redactValue(result);
  }
}

function outcomes(results: ServiceResult[]): Array<{ name: string; outcome: string; detail?: string }> {
  return results.map((r) => {
    const detail = r.diagnosis?.rootCause.summary ?? (r.blockedBy ? `blocked by ${r.blockedBy}` : undefined);
    return detail ? { name: r.service, outcome: r.state, detail } : { name: r.service, outcome: r.state };
  });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
