/** The action gate alone: the real journal and phase, actions that are plain promises. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/secrets.js';
import { ActionGate } from '../../../src/daemon/action-gate.js';
import type { ActionResult, DaemonPhase } from '../../../src/daemon/api-types.js';
import { PhaseTracker } from '../../../src/daemon/daemon-phase.js';
import { DaemonBusyError } from '../../../src/daemon/errors.js';
import { EventJournal } from '../../../src/daemon/event-journal.js';

function gate(phase: DaemonPhase = 'supervising') {
  let now = Date.UTC(2026, 0, 1);
  const clock = (): number => (now += 10);
  const journal = new EventJournal(100, new Redactor(), clock);
  const phases = new PhaseTracker(journal, () => {}, clock);
  phases.set(phase);
  const actions = (): unknown[] => journal.since(0).filter((r) => r.event.type.startsWith('action.')).map((r) => r.event);
  return { gate: new ActionGate(phases, journal, clock), phases, actions };
}

const done = (action: string, ok = true): ActionResult => ({ action, ok, durationMs: 7, message: `${action} done` });

describe('ActionGate', () => {
  it('runs an action between an action.started and an action.finished event, and is free again after it', async () => {
    const { gate: g, actions } = gate();
    expect(await g.exclusive('up', async () => done('up'))).toEqual(done('up'));
    expect(actions()).toEqual([
      { type: 'action.started', at: expect.any(Number), action: 'up' },
      { type: 'action.finished', at: expect.any(Number), action: 'up', ok: true, durationMs: 7, detail: 'up done' },
    ]);
    expect(g.current).toBeUndefined();
    expect(() => g.assertIdle()).not.toThrow();
  });

  it('refuses a second action, and restart/test (assertIdle), while one runs, naming it', async () => {
    const { gate: g } = gate();
    let finish!: () => void;
    const running = g.exclusive('down', () => new Promise<ActionResult>((resolve) => (finish = () => resolve(done('down')))));
    expect(g.current?.name).toBe('down');
    await expect(g.exclusive('up', async () => done('up'))).rejects.toThrow(/^the daemon is busy with "down" since 2026-01-01T/);
    expect(() => g.assertIdle()).toThrow(DaemonBusyError);
    finish();
    await running;
    expect(await g.exclusive('up', async () => done('up'))).toMatchObject({ ok: true });
  });

  it('an action that throws is recorded as failed with its message, rethrown, and frees the gate', async () => {
    const { gate: g, actions } = gate();
    await expect(g.exclusive('down', async () => Promise.reject(new Error('engine went away')))).rejects.toThrow('engine went away');
    expect(actions().at(-1)).toMatchObject({ type: 'action.finished', action: 'down', ok: false, detail: 'engine went away' });
    expect(g.current).toBeUndefined();
  });

  it.each([
    ['starting', /still bringing the stack up/],
    ['stopping', /the daemon is stopping/],
    ['engine-down', /container engine does not answer/],
    ['reconciling', /reconciling the stack after an engine outage/],
  ] as const)('refuses a stack-wide action while the daemon is %s, recording nothing', async (phase, message) => {
    const { gate: g, actions } = gate(phase);
    let ran = false;
    await expect(g.exclusive('up', async () => ((ran = true), done('up')))).rejects.toThrow(message);
    expect(ran).toBe(false);
    expect(actions()).toEqual([]);
  });

  it.each(['supervising', 'down', 'busy'] as const)('lets an action run while the daemon is %s', async (phase) => {
    const { gate: g } = gate(phase);
    expect(await g.exclusive('up', async () => done('up'))).toMatchObject({ ok: true });
  });
});
