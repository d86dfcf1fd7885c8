/**
 * The `test` action: runs the stack's suite (or the one asked for) against the supervised stack,
 * with the daemon's diagnoses of the services in trouble, and keeps the last result for `status`.
 * One run at a time; the outcome is a suite.finished event and a log line.
 */
import type { Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import { errorMessage } from '../errors.js';
import type { ActionGate } from './action-gate.js';
import type { ActionResult, TestRequest, TestSummary } from './api-types.js';
import type { DaemonEngine } from './daemon-engine.js';
import type { Say } from './daemon-log.js';
import type { PhaseTracker } from './daemon-phase.js';
import { DaemonBusyError } from './errors.js';
import type { EventJournal } from './event-journal.js';
import type { Supervisor } from './supervisor.js';

export interface SuiteActionParts {
  engine: Pick<DaemonEngine, 'test'>;
  supervised: { readonly stack: Stack; readonly supervisor: Pick<Supervisor, 'views'> };
  gate: Pick<ActionGate, 'assertIdle'>;
  phase: Pick<PhaseTracker, 'current'>;
  journal: Pick<EventJournal, 'record'>;
  say: Say;
  clock: () => number;
  /** Aborts when the daemon stops. */
  signal: AbortSignal;
}

export class SuiteAction {
  private running = false;
  private last: TestSummary | undefined;

  constructor(private readonly parts: SuiteActionParts) {}

  get lastTest(): TestSummary | undefined {
    return this.last;
  }

  async run(request: TestRequest): Promise<ActionResult> {
    const { supervised, journal, clock } = this.parts;
    this.parts.gate.assertIdle();
    if (this.running) throw new DaemonBusyError('the suite is already running', { hint: 'wait for it; its result arrives on the event stream (suite.finished)' });
    const phase = this.parts.phase.current;
    if (phase !== 'supervising') throw new DaemonBusyError(`the daemon is ${phase}: the suite needs the stack up`);
    const began = clock();
    const test = this.parts.engine.test;
    const stack = supervised.stack;
    if (!test || (!stack.suite && !request.suite)) {
      return {
        action: 'test',
        ok: false,
        durationMs: 0,
        message: stack.suite ? 'this build of stackctl has no suite runner' : `stack ${stack.name} names no suite (add \`suite:\` to the stack file)`,
      };
    }
    this.running = true;
    journal.record({ type: 'action.started', at: began, action: 'test' });
    try {
      const diagnoses = new Map<string, Diagnosis>();
      for (const view of supervised.supervisor.views()) {
        if (view.lastDiagnosis && (view.state === 'failed' || !view.ready)) diagnoses.set(view.name, view.lastDiagnosis);
      }
      const summary = await test(stack, { signal: this.parts.signal, request, diagnoses });
      this.last = summary;
      journal.record({ type: 'suite.finished', at: clock(), result: summary });
      this.parts.say(summary.ok ? 'info' : 'warn', `suite: ${summary.summary}${summary.reportPath ? ` (report: ${summary.reportPath})` : ''}`);
      const result: ActionResult = { action: 'test', ok: summary.ok, durationMs: clock() - began, message: summary.summary, test: summary };
      journal.record({ type: 'action.finished', at: clock(), action: 'test', ok: summary.ok, durationMs: result.durationMs, detail: summary.summary });
      return result;
    } catch (error) {
      const summary: TestSummary = { at: new Date(clock()).toISOString(), ok: false, durationMs: clock() - began, summary: `the suite could not run: ${errorMessage(error)}`, error: errorMessage(error) };
      this.last = summary;
      journal.record({ type: 'suite.finished', at: clock(), result: summary });
      journal.record({ type: 'action.finished', at: clock(), action: 'test', ok: false, durationMs: summary.durationMs, detail: summary.summary });
      return { action: 'test', ok: false, durationMs: summary.durationMs, message: summary.summary, test: summary };
    } finally {
      this.running = false;
    }
  }
}
