/**
 * Where the daemon is in its life (`DaemonPhase` in api-types.ts: starting, supervising, busy, down,
 * engine-down, reconciling, stopping). Each change is an event in the journal and a line in the log.
 */
import type { DaemonPhase } from './api-types.js';
import type { Say } from './daemon-log.js';
import type { EventJournal } from './event-journal.js';

export class PhaseTracker {
  private phase: DaemonPhase = 'starting';

  constructor(
    private readonly journal: Pick<EventJournal, 'record'>,
    private readonly say: Say,
    private readonly clock: () => number,
  ) {}

  get current(): DaemonPhase {
    return this.phase;
  }

  set(phase: DaemonPhase, detail?: string): void {
    this.phase = phase;
    this.journal.record({ type: 'daemon.phase', at: this.clock(), phase, ...(detail ? { detail } : {}) });
    this.say('info', `daemon: ${phase}${detail ? ` — ${detail}` : ''}`);
  }
}
