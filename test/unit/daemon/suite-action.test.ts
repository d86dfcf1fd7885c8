/** The `test` action alone: a fake suite runner and supervisor; the real gate, journal and phase. */
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../../src/diagnose/model.js';
import { Redactor } from '../../../src/secrets.js';
import { ActionGate } from '../../../src/daemon/action-gate.js';
import type { ActionResult, TestSummary } from '../../../src/daemon/api-types.js';
import type { DaemonEngine } from '../../../src/daemon/daemon-engine.js';
import { PhaseTracker } from '../../../src/daemon/daemon-phase.js';
import { EventJournal } from '../../../src/daemon/event-journal.js';
import { SuiteAction } from '../../../src/daemon/suite-action.js';
import type { ServiceView } from '../../../src/daemon/supervisor-machine.js';
import { makeStack } from '../../support/stack-builder.js';

const diagnosis = (service: string): Diagnosis => ({ service, state: 'failed', lastLogLines: [], rootCause: { code: 'unknown', summary: `${service} broke`, hint: 'look' } });
const view = (name: string, state: ServiceView['state'], ready: boolean, diagnosed = true): ServiceView => ({
  name,
  state,
  reason: '',
  since: 0,
  ready,
  degradedBy: [],
  restartPolicy: 'no',
  restarts: 0,
  failuresInARow: 0,
  ...(diagnosed ? { lastDiagnosis: diagnosis(name) } : {}),
});

function suiteAction(test: DaemonEngine['test'], options: { suite?: string } = { suite: '/x/suite.yaml' }) {
  const clock = (): number => Date.UTC(2026, 0, 1);
  const journal = new EventJournal(100, new Redactor(), clock);
  const said: string[] = [];
  const phase = new PhaseTracker(journal, () => {}, clock);
  phase.set('supervising');
  const gate = new ActionGate(phase, journal, clock);
  const stack = makeStack('demo', { db: {}, api: {}, web: {} }, options.suite ? { suite: options.suite } : {});
  // db recovered (its old diagnosis stays), api gave up, web is not ready yet.
  const supervisor = { views: () => [view('db', 'ready', true), view('api', 'failed', false), view('web', 'unready', false)] };
  const action = new SuiteAction({
    engine: { test },
    supervised: { stack, supervisor },
    gate,
    phase,
    journal,
    say: (level, message) => void said.push(`${level} ${message}`),
    clock,
    signal: new AbortController().signal,
  });
  const types = (): string[] => journal.since(0).map((r) => r.event.type).filter((t) => t !== 'daemon.phase');
  return { action, gate, phase, said, types };
}

const passed: TestSummary = { at: '2026-01-01T00:00:00.000Z', ok: true, durationMs: 5, summary: 'PASSED: 3/3 passed', exitCode: 0 };

describe('SuiteAction', () => {
  it('runs the suite with the diagnoses of the services in trouble, records its result and keeps it for status', async () => {
    const seen: string[][] = [];
    const s = suiteAction(async (_stack, o) => {
      seen.push([...o.diagnoses.keys()]);
      return passed;
    });
    expect(await s.action.run({})).toMatchObject({ action: 'test', ok: true, message: 'PASSED: 3/3 passed', test: passed });
    expect(seen).toEqual([['api', 'web']]);
    expect(s.action.lastTest).toEqual(passed);
    expect(s.types()).toEqual(['action.started', 'suite.finished', 'action.finished']);
    expect(s.said).toEqual(['info suite: PASSED: 3/3 passed']);
  });

  it('a suite that cannot run is a failed result with the reason, not an error', async () => {
    const s = suiteAction(async () => Promise.reject(new Error('suite.yaml:3: unknown check kind')));
    const result = await s.action.run({});
    expect(result).toMatchObject({ ok: false, message: 'the suite could not run: suite.yaml:3: unknown check kind' });
    expect(s.action.lastTest).toMatchObject({ ok: false, error: 'suite.yaml:3: unknown check kind' });
    expect(s.types()).toEqual(['action.started', 'suite.finished', 'action.finished']);
  });

  it('says why nothing ran when the stack names no suite or the build has no runner', async () => {
    expect((await suiteAction(async () => passed, {}).action.run({})).message).toBe('stack demo names no suite (add `suite:` to the stack file)');
    expect((await suiteAction(undefined).action.run({})).message).toBe('this build of stackctl has no suite runner');
  });

  it('refuses a second run while one runs, and any run while the daemon is not supervising or busy with up/down', async () => {
    let finish!: () => void;
    const s = suiteAction(() => new Promise<TestSummary>((resolve) => (finish = () => resolve(passed))));
    const first = s.action.run({});
    await expect(s.action.run({})).rejects.toThrow('the suite is already running');
    finish();
    await first;

    let release!: () => void;
    const up = s.gate.exclusive('up', () => new Promise<ActionResult>((resolve) => (release = () => resolve({ action: 'up', ok: true, durationMs: 1, message: 'up' }))));
    await expect(s.action.run({})).rejects.toThrow(/busy with "up"/);
    release();
    await up;

    s.phase.set('down');
    await expect(s.action.run({})).rejects.toThrow('the daemon is down: the suite needs the stack up');
  });
});
