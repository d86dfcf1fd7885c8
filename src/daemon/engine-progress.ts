/**
 * The engine's events as the daemon takes them during its `up`s and `down`s: each service's last
 * phase (what `status` shows while supervision is suspended), a log line for the notable ones, and
 * every event but the chatty probe and progress ticks into the journal.
 */
import type { EngineEvent } from '../engine/events.js';
import { engineEventLine, type Say } from './daemon-log.js';
import type { EventJournal } from './event-journal.js';

export interface ServiceProgress {
  phase: string;
  detail?: string;
}

const QUIET_ENGINE_EVENTS = new Set<EngineEvent['type']>(['service.probe', 'service.progress']);

export class EngineProgress {
  private readonly services = new Map<string, ServiceProgress>();

  constructor(
    private readonly journal: Pick<EventJournal, 'record'>,
    private readonly say: Say,
  ) {}

  /** An EventListener for the engine's `up` and `down`. */
  readonly onEvent = (event: EngineEvent): void => {
    if (event.type === 'service.phase') this.services.set(event.service, { phase: event.phase, detail: event.detail });
    const line = engineEventLine(event);
    if (line) this.say(line.level, line.message);
    if (QUIET_ENGINE_EVENTS.has(event.type)) return;
    this.journal.record({ type: 'engine', at: event.at, event });
  };

  /** The service's last phase in the current `up` or `down`, if the engine reported one. */
  of(service: string): ServiceProgress | undefined {
    return this.services.get(service);
  }

  /** Forgets every service's phase (before and after an `up`). */
  clear(): void {
    this.services.clear();
  }
}
