/**
 * When the supervisor finds the container engine gone: record it, wait for the engine (acting on
 * nothing meanwhile), and once it answers bring the whole stack back like `up` — waiting again if it
 * goes away during that. One watch at a time; it ends with the daemon's work signal.
 */
import { EngineUnavailableError, errorMessage } from '../errors.js';
import { sleep } from '../engine/signals.js';
import type { Runtime } from '../runtime/runtime.js';
import type { BringUp } from './bring-up.js';
import type { Say } from './daemon-log.js';
import type { PhaseTracker } from './daemon-phase.js';
import type { EventJournal } from './event-journal.js';
import type { Supervisor } from './supervisor.js';

export interface EngineWatchParts {
  runtime: Pick<Runtime, 'ping'>;
  supervised: { readonly supervisor: Pick<Supervisor, 'engineBack' | 'views'> };
  bringUp: BringUp;
  journal: Pick<EventJournal, 'record'>;
  phase: Pick<PhaseTracker, 'set'>;
  say: Say;
  clock: () => number;
  /** Aborts when the daemon stops. */
  signal: AbortSignal;
  /** How often to ask an engine that does not answer whether it is back (default 500 ms). */
  pollMs?: number;
}

export class EngineWatch {
  private watching: Promise<void> | undefined;

  constructor(private readonly parts: EngineWatchParts) {}

  /** The supervisor found the engine gone (`reason`): wait for it, then reconcile. A no-op while already waiting. */
  engineDown(reason: string): void {
    const { journal, phase, signal } = this.parts;
    if (this.watching || signal.aborted) return;
    const since = this.parts.clock();
    journal.record({ type: 'engine.unavailable', at: since, reason });
    phase.set('engine-down', `the container engine does not answer (${reason}); waiting for it`);
    this.watching = this.awaitEngine(since)
      .catch((error: unknown) => this.parts.say('error', `after the engine outage: ${errorMessage(error)}`))
      .finally(() => {
        this.watching = undefined;
      });
  }

  private async awaitEngine(since: number): Promise<void> {
    const { runtime, supervised, journal, phase, clock, signal } = this.parts;
    const pollMs = this.parts.pollMs ?? ENGINE_POLL_MS;
    while (!signal.aborted) {
      while (!signal.aborted && !(await runtime.ping(signal).then(() => true, () => false))) await sleep(pollMs, signal);
      if (signal.aborted) return;
      const back = clock();
      journal.record({ type: 'engine.available', at: back, downMs: back - since });
      phase.set('reconciling', `the engine answers again after ${Math.round((back - since) / 100) / 10}s: bringing the stack back like up`);
      try {
        const up = await this.parts.bringUp(signal);
        supervised.supervisor.engineBack();
        if (!up) return;
        const views = supervised.supervisor.views();
        const ready = views.filter((view) => view.ready).length;
        journal.record({
          type: 'engine.reconciled',
          at: clock(),
          ok: up.ok,
          ready,
          total: views.length,
          durationMs: clock() - back,
          ...(up.error ? { detail: up.error } : {}),
        });
        return;
      } catch (error) {
        if (!(error instanceof EngineUnavailableError)) throw error;
        // Gone again while reconciling: wait again.
        phase.set('engine-down', `${error.shortMessage}; waiting for it`);
      }
    }
  }
}

const ENGINE_POLL_MS = 500;
