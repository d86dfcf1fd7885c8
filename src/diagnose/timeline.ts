/**
 * The failed start as the engine recorded it: what was created, started, became (un)healthy, died,
 * was OOM-killed or restarted — in order, with the time since the first event. A restart loop would
 * drown the rest, so after a service's second death its further start/die pairs fold into one entry.
 * Pure: events in, entries out.
 */
import type { EngineEventRecord } from '../runtime/runtime.js';

export interface TimelineEntry {
  at: string;
  /** Milliseconds since the first entry. */
  offsetMs: number;
  service: string;
  /** create, start, die, oom, kill, stop, restart, destroy, healthy, unhealthy, restarting (folded). */
  action: string;
  detail?: string;
}

const SHOWN = new Set(['create', 'start', 'restart', 'die', 'oom', 'kill', 'stop', 'pause', 'unpause', 'destroy']);
const SIGNALS: Record<string, string> = { '9': 'SIGKILL', '15': 'SIGTERM', '2': 'SIGINT' };

function entryOf(event: EngineEventRecord, service: string): Omit<TimelineEntry, 'offsetMs'> | undefined {
  const at = event.at.toISOString();
  const health = /^health_status: (\w+)/.exec(event.action);
  if (health) return { at, service, action: health[1]! };
  if (!SHOWN.has(event.action)) return undefined;
  const entry: Omit<TimelineEntry, 'offsetMs'> = { at, service, action: event.action };
  if (event.action === 'die' && event.exitCode !== undefined) entry.detail = `exit ${event.exitCode}`;
  if (event.action === 'kill' && event.labels.signal) entry.detail = SIGNALS[event.labels.signal] ?? `signal ${event.labels.signal}`;
  if (event.action === 'create' && event.image) entry.detail = event.image;
  return entry;
}

/** Ordered entries; `serviceOf` names the service of an event (labels, else container name). */
export function buildTimeline(events: readonly EngineEventRecord[], serviceOf: (event: EngineEventRecord) => string): TimelineEntry[] {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = sorted[0]?.at.getTime() ?? 0;
  const out: TimelineEntry[] = [];
  for (const event of sorted) {
    const entry = entryOf(event, serviceOf(event));
    if (entry) out.push({ ...entry, offsetMs: event.at.getTime() - first });
  }
  return out;
}

/**
 * Folds restart loops: a service's start/die/kill entries after its `keepDeaths`-th death become one
 * `restarting` entry (at the time of the last one) saying how many more deaths and with which exits.
 */
export function foldRestartLoops(entries: readonly TimelineEntry[], keepDeaths = 2): TimelineEntry[] {
  const deaths = new Map<string, number>();
  const folded = new Map<string, { entry: TimelineEntry; count: number; exits: Set<string> }>();
  const out: Array<TimelineEntry | { fold: string }> = [];
  for (const entry of entries) {
    const seen = deaths.get(entry.service) ?? 0;
    const looping = seen >= keepDeaths && (entry.action === 'start' || entry.action === 'die' || entry.action === 'restart');
    if (entry.action === 'die') deaths.set(entry.service, seen + 1);
    if (!looping) {
      out.push(entry);
      continue;
    }
    let fold = folded.get(entry.service);
    if (!fold) {
      fold = { entry: { ...entry, action: 'restarting' }, count: 0, exits: new Set() };
      folded.set(entry.service, fold);
      out.push({ fold: entry.service });
    }
    fold.entry.at = entry.at;
    fold.entry.offsetMs = entry.offsetMs;
    if (entry.action === 'die') {
      fold.count += 1;
      if (entry.detail) fold.exits.add(entry.detail);
    }
  }
  const result = out.map((item) => {
    if (!('fold' in item)) return item;
    const fold = folded.get(item.fold)!;
    const exits = fold.exits.size > 0 ? ` (${[...fold.exits].join(', ')})` : '';
    return { ...fold.entry, detail: `died ${fold.count} more time${fold.count === 1 ? '' : 's'}${exits}, the last at this time` };
  });
  // A fold stands where its last event happened (sort is stable for the rest).
  return result.sort((a, b) => a.offsetMs - b.offsetMs);
}
