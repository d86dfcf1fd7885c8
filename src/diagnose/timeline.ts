/**
 * The failed start as the engine recorded it: what was created, started, became (un)healthy, died,
 * was OOM-killed or restarted — in order, with the time since the first event. A restart loop would
 * drown the rest, so after a service's second death its further start/die pairs fold into one entry.
 * Pure: events in, entries out.
 */
import type { EngineEventRecord } from '../runtime/runtime.js';

/** Label carrying the service name on events made up from container state. */
export const STATE_SERVICE = 'io.stackctl.diagnose.service';
const FROM_STATE = '(from container state)';

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
  if (event.labels[STATE_SERVICE] !== undefined) entry.detail = `${entry.detail ? `${entry.detail} ` : ''}${FROM_STATE}`;
  return entry;
}

/** Ordered entries; `serviceOf` names the service of an event (labels, else container name). */
export function buildTimeline(events: readonly EngineEventRecord[], serviceOf: (event: EngineEventRecord) => string): TimelineEntry[] {
  // Same instant: the order things happen in (an OOM kill precedes the death it causes).
  const rank = (action: string): number => ['create', 'start', 'oom', 'kill', 'die', 'stop', 'destroy'].indexOf(action);
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || rank(a.action) - rank(b.action));
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

/**
 * What each container's state recorded (created, last started, last finished with its exit code and
 * OOM), as events — the engine keeps only its last 256 events, so a busy engine (healthchecks are
 * events too) has forgotten the start of a failure minutes later.
 */
/** What recordedState reads of a service's report (report.ts's ServiceReport has these fields). */
export interface RecordedContainerState {
  service: string;
  containerId?: string;
  container?: string;
  image?: string;
  state: string;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  oomKilled?: boolean;
  exitCode?: number;
}

export function recordedState(services: readonly RecordedContainerState[], since: Date): EngineEventRecord[] {
  const out: EngineEventRecord[] = [];
  for (const s of services) {
    if (!s.containerId) continue;
    const base = { containerId: s.containerId, name: s.container ?? s.service, labels: { [STATE_SERVICE]: s.service } };
    const add = (iso: string | undefined, action: string, extra: Partial<EngineEventRecord> = {}): void => {
      if (!iso) return;
      const at = new Date(iso);
      if (at.getTime() >= since.getTime()) out.push({ ...base, at, action, ...extra });
    };
    add(s.createdAt, 'create', s.image ? { image: s.image } : {});
    add(s.startedAt, 'start');
    if (s.finishedAt && s.state !== 'running' && s.state !== 'created') {
      if (s.oomKilled) add(s.finishedAt, 'oom');
      add(s.finishedAt, 'die', s.exitCode === undefined ? {} : { exitCode: s.exitCode });
    }
  }
  return out;
}

/** State times and event times of one happening differ by up to a few seconds (an OOM-killed container's teardown). */
const SAME_EVENT_MS = 5000;

/** Adds the recorded-state events the engine no longer has (same container and action within SAME_EVENT_MS). */
export function fillFromState(
  events: readonly EngineEventRecord[],
  recorded: readonly EngineEventRecord[],
  serviceOf: (event: EngineEventRecord) => string,
): { merged: EngineEventRecord[]; filled: number } {
  const merged = [...events];
  let filled = 0;
  for (const state of recorded) {
    const known = events.some(
      (event) => (event.containerId.startsWith(state.containerId) || serviceOf(event) === state.labels[STATE_SERVICE]) && event.action === state.action && Math.abs(event.at.getTime() - state.at.getTime()) < SAME_EVENT_MS,
    );
    if (!known) {
      merged.push(state);
      filled += 1;
    }
  }
  return { merged, filled };
}
