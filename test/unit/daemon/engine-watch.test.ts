/**
 * The engine watch alone: a scripted ping, a fake bring-up and a fake supervisor; the real journal
 * and phase. No Docker, no daemon.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineUnavailableError } from '../../../src/errors.js';
import { Redactor } from '../../../src/secrets.js';
import type { BringUpOutcome } from '../../../src/daemon/bring-up.js';
import type { DaemonLogLevel } from '../../../src/daemon/daemon-log.js';
import { PhaseTracker } from '../../../src/daemon/daemon-phase.js';
import { EngineWatch } from '../../../src/daemon/engine-watch.js';
import { EventJournal } from '../../../src/daemon/event-journal.js';
import type { ServiceView } from '../../../src/daemon/supervisor-machine.js';

const view = (name: string, ready: boolean): ServiceView => ({ name, state: ready ? 'ready' : 'starting', reason: '', since: 0, ready, degradedBy: [], restartPolicy: 'no', restarts: 0, failuresInARow: 0 });

const stops: AbortController[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop.abort();
});

/** `refusals` pings fail before the engine answers; each bring-up takes the next of `ups` (a value or an error to throw). */
function watch(refusals: number, ups: Array<BringUpOutcome | undefined | Error>) {
  const journal = new EventJournal(100, new Redactor(), () => 0);
  const said: string[] = [];
  const say = (level: DaemonLogLevel, message: string): void => void said.push(`${level} ${message}`);
  const phase = new PhaseTracker(journal, say, () => 0);
  let pings = 0;
  const runtime = {
    ping: async (): Promise<void> => {
      pings += 1;
      if (pings <= refusals) throw new EngineUnavailableError('the container engine does not answer at memory://');
    },
  };
  const supervisor = { engineBack: vi.fn(), views: () => [view('db', true), view('api', false)] };
  const bringUp = vi.fn(async (): Promise<BringUpOutcome | undefined> => {
    const next = ups.shift();
    if (next instanceof Error) throw next;
    return next;
  });
  const stop = new AbortController();
  stops.push(stop);
  const engineWatch = new EngineWatch({ runtime, supervised: { supervisor }, bringUp, journal, phase, say, clock: Date.now, signal: stop.signal, pollMs: 1 });
  const types = (): string[] => journal.since(0).map((r) => (r.event.type === 'daemon.phase' ? `phase:${r.event.phase}` : r.event.type));
  return { engineWatch, journal, phase, said, supervisor, bringUp, stop, types, pings: () => pings };
}

describe('EngineWatch', () => {
  it('waits while the engine does not answer, then brings the stack back once and records the outcome', async () => {
    const w = watch(3, [{ ok: true }]);
    w.engineWatch.engineDown('memory://: connect ENOENT');
    w.engineWatch.engineDown('memory://: connect ENOENT'); // the same outage, reported again: one watch
    await vi.waitFor(() => expect(w.types()).toContain('engine.reconciled'));
    expect(w.types()).toEqual(['engine.unavailable', 'phase:engine-down', 'engine.available', 'phase:reconciling', 'engine.reconciled']);
    expect(w.pings()).toBe(4);
    expect(w.bringUp).toHaveBeenCalledTimes(1);
    expect(w.supervisor.engineBack).toHaveBeenCalledTimes(1);
    const events = w.journal.since(0).map((r) => r.event);
    expect(events[0]).toMatchObject({ type: 'engine.unavailable', reason: 'memory://: connect ENOENT' });
    expect(events.at(-1)).toMatchObject({ type: 'engine.reconciled', ok: true, ready: 1, total: 2 });
    expect(w.phase.current).toBe('reconciling'); // the bring-up sets 'supervising'; this one is a fake
  });

  it('an engine gone again while the stack is brought back is waited for again', async () => {
    const w = watch(0, [new EngineUnavailableError('the container engine does not answer at memory://'), { ok: false, error: 'db failed' }]);
    w.engineWatch.engineDown('memory://');
    await vi.waitFor(() => expect(w.types()).toContain('engine.reconciled'));
    expect(w.types()).toEqual(['engine.unavailable', 'phase:engine-down', 'engine.available', 'phase:reconciling', 'phase:engine-down', 'engine.available', 'phase:reconciling', 'engine.reconciled']);
    expect(w.journal.since(0).at(-1)?.event).toMatchObject({ type: 'engine.reconciled', ok: false, detail: 'db failed' });
    expect(w.supervisor.engineBack).toHaveBeenCalledTimes(1);
  });

  it('another failure ends the watch with a log line, and the next outage starts a new one', async () => {
    const w = watch(0, [new Error('observe failed'), { ok: true }]);
    w.engineWatch.engineDown('memory://');
    await vi.waitFor(() => expect(w.said).toContain('error after the engine outage: observe failed'));
    expect(w.types()).not.toContain('engine.reconciled');
    w.engineWatch.engineDown('memory://');
    await vi.waitFor(() => expect(w.types()).toContain('engine.reconciled'));
    expect(w.bringUp).toHaveBeenCalledTimes(2);
  });

  it('an interrupted bring-up (the daemon stops) records no reconciliation', async () => {
    const w = watch(0, [undefined]);
    w.engineWatch.engineDown('memory://');
    await vi.waitFor(() => expect(w.bringUp).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(w.types()).toEqual(['engine.unavailable', 'phase:engine-down', 'engine.available', 'phase:reconciling']);
  });

  it('does nothing once the daemon is stopping', () => {
    const w = watch(0, [{ ok: true }]);
    w.stop.abort();
    w.engineWatch.engineDown('memory://');
    expect(w.types()).toEqual([]);
    expect(w.pings()).toBe(0);
  });
});
