/**
 * One stack-wide action (up, down) at a time: refused while another one runs, and while the daemon
 * is starting, stopping, without an engine or reconciling after an outage. Each one is an
 * action.started and an action.finished event. The other actions (restart, test) only ask that
 * none runs (`assertIdle`).
 */
import { errorMessage } from '../errors.js';
import type { ActionResult } from './api-types.js';
import type { PhaseTracker } from './daemon-phase.js';
import { DaemonBusyError } from './errors.js';
import type { EventJournal } from './event-journal.js';

export interface RunningAction {
  name: string;
  startedAt: number;
}

export class ActionGate {
  private running: RunningAction | undefined;

  constructor(
    private readonly phase: Pick<PhaseTracker, 'current'>,
    private readonly journal: Pick<EventJournal, 'record'>,
    private readonly clock: () => number,
  ) {}

  /** The stack-wide action in progress, if any. */
  get current(): RunningAction | undefined {
    return this.running;
  }

  /** Throws DaemonBusyError while a stack-wide action runs. */
  assertIdle(): void {
    if (this.running) throw this.busy();
  }

  async exclusive(name: string, run: () => Promise<ActionResult>): Promise<ActionResult> {
    this.assertIdle();
    const phase = this.phase.current;
    if (phase === 'engine-down' || phase === 'reconciling') {
      throw new DaemonBusyError(
        phase === 'engine-down' ? 'the container engine does not answer; the daemon reconciles the stack as soon as it does' : 'the daemon is reconciling the stack after an engine outage',
        { hint: 'wait for it ("stackctl ps" or "stackctl daemon --events" show the progress); start the engine if it is stopped' },
      );
    }
    if (phase === 'starting') throw new DaemonBusyError('the daemon is still bringing the stack up', { hint: 'wait for it; "stackctl ps" shows the progress' });
    if (phase === 'stopping') throw new DaemonBusyError('the daemon is stopping');
    this.running = { name, startedAt: this.clock() };
    const began = this.clock();
    this.journal.record({ type: 'action.started', at: began, action: name });
    try {
      const result = await run();
      this.journal.record({ type: 'action.finished', at: this.clock(), action: name, ok: result.ok, durationMs: result.durationMs, detail: result.message });
      return result;
    } catch (error) {
      this.journal.record({ type: 'action.finished', at: this.clock(), action: name, ok: false, durationMs: this.clock() - began, detail: errorMessage(error) });
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  private busy(): DaemonBusyError {
    const since = this.running ? ` since ${new Date(this.running.startedAt).toISOString()}` : '';
    return new DaemonBusyError(`the daemon is busy with "${this.running?.name ?? 'another action'}"${since}`, {
      hint: 'wait for it to finish ("stackctl ps" or the event stream show the progress), then try again',
    });
  }
}
