/**
 * Runs a suite's checks in file order, one at a time (so captures flow forward and the report is the
 * same from run to run). A check whose prerequisite did not pass is SKIPPED with the reason; a failed
 * check carries its root cause; an external step's JUnit cases become checks of its category.
 * Cancellation: the check in flight is aborted and every later one is skipped as "run cancelled".
 */
import { isSecretName } from '../config/secret-values.js';
import type { CheckResult } from '../report/model.js';
import type { RunContext } from './context.js';
import { browserCheck } from './checks/browser.js';
import { externalCheck } from './checks/external.js';
import { httpCheck } from './checks/http.js';
import { loadCheck } from './checks/load.js';
import { metricCheck } from './checks/metric.js';
import type { CaseOutcome, CheckExecutor, Outcome } from './checks/outcome.js';
import { postgresCheck } from './checks/postgres.js';
import { redisCheck } from './checks/redis.js';
import { tcpCheck } from './checks/tcp.js';
import type { CheckSpec, Suite, SuiteCheck } from './model.js';
import { rootCauseFor, type Diagnoses } from './root-cause.js';
import { TemplateError } from './template.js';

const EXECUTORS: { [K in CheckSpec['kind']]: CheckExecutor<Extract<CheckSpec, { kind: K }>> } = {
  http: httpCheck,
  tcp: tcpCheck,
  postgres: postgresCheck,
  redis: redisCheck,
  load: loadCheck,
  metric: metricCheck,
  external: externalCheck,
  browser: browserCheck,
};

export interface RunChecksOptions {
  diagnoses?: Diagnoses;
  /** Called after each result (progress output). */
  onResult?: (result: CheckResult) => void;
}

/** Resolves the suite's vars and registers every secret the run knows of with the Redactor. */
export function prepareContext(suite: Suite, ctx: RunContext): void {
  for (const [name, value] of Object.entries(ctx.env)) {
    if (value && (suite.secrets.includes(name) || isSecretName(name))) ctx.redactor.add(value);
  }
  for (const v of suite.vars) {
    try {
      const value = ctx.render(v.value);
      ctx.vars.set(v.name, value);
      if (v.secret || isSecretName(v.name)) ctx.redactor.add(value);
    } catch (error) {
      // Left unset: a check that uses it fails saying why, the others run.
      if (!(error instanceof TemplateError)) throw error;
      ctx.varErrors.set(v.name, error.message);
    }
  }
}

function skipMessage(check: SuiteCheck, blocker: CheckResult): string {
  const detail = `requires ${blocker.id}, which ${blocker.status === 'failed' ? 'failed' : 'was skipped'}`;
  return check.skipReason ? `${check.skipReason} (${detail})` : detail;
}

function baseResult(check: SuiteCheck, startedAt: Date): CheckResult {
  const result: CheckResult = {
    id: check.id,
    name: check.name,
    category: check.category,
    kind: check.kind,
    status: 'skipped',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
  };
  if (check.service !== undefined) result.service = check.service;
  if (check.requires.length > 0) result.requires = [...check.requires];
  if (check.health) result.health = true;
  return result;
}

function applyOutcome(result: CheckResult, outcome: Outcome): void {
  result.status = outcome.status;
  if (outcome.message !== undefined) result.message = outcome.message;
  if (outcome.latencyMs !== undefined) result.latencyMs = outcome.latencyMs;
  if (outcome.request) result.request = outcome.request;
  if (outcome.response) result.response = outcome.response;
  if (outcome.measurements) result.measurements = outcome.measurements;
}

export async function runChecks(suite: Suite, ctx: RunContext, options: RunChecksOptions = {}): Promise<CheckResult[]> {
  const diagnoses: Diagnoses = options.diagnoses ?? new Map();
  const byId = new Map<string, CheckResult>();
  const emit = (result: CheckResult): void => {
    ctx.results.push(result);
    byId.set(result.id, result);
    options.onResult?.(result);
  };
  try {
    for (const check of suite.checks) {
      const startedAt = new Date();
      const result = baseResult(check, startedAt);
      if (ctx.signal.aborted) {
        result.message = 'run cancelled';
        emit(result);
        continue;
      }
      const blocker = check.requires.map((id) => byId.get(id)).find((r) => r !== undefined && r.status !== 'passed');
      if (blocker) {
        result.message = skipMessage(check, blocker);
        emit(result);
        continue;
      }
      const started = performance.now();
      let outcome: Outcome | CaseOutcome[];
      try {
        const executor = EXECUTORS[check.spec.kind] as CheckExecutor;
        outcome = await executor.run(check, ctx, ctx.signal);
      } catch (error) {
        if (error instanceof TemplateError) {
          outcome = { status: 'failed', message: error.message };
          if (!check.hint && error.reference && !error.reference.includes('.')) {
            result.hint = `set ${error.reference} in the environment or in the stack's .env`;
          }
        } else {
          outcome = { status: 'failed', message: `check could not run: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      if (ctx.signal.aborted && !Array.isArray(outcome) && outcome.status === 'failed') {
        result.message = 'run cancelled';
        result.durationMs = durationMs;
        emit(result);
        continue;
      }
      if (Array.isArray(outcome)) {
        for (const item of outcome) {
          const caseResult = baseResult(check, startedAt);
          caseResult.id = item.id;
          caseResult.name = item.name;
          caseResult.durationMs = item.durationMs;
          if (item.skippedReason !== undefined) {
            caseResult.message = item.skippedReason;
          } else {
            applyOutcome(caseResult, item);
            if (item.status === 'failed' && check.hint) caseResult.hint = check.hint;
          }
          emit(caseResult);
        }
        // Later checks may require the step itself: it passed when none of its cases failed.
        if (!byId.has(check.id)) byId.set(check.id, { ...result, status: outcome.some((o) => o.status === 'failed') ? 'failed' : 'passed' });
        continue;
      }
      applyOutcome(result, outcome);
      result.durationMs = durationMs;
      if (outcome.status === 'failed') {
        if (check.hint) result.hint = check.hint;
        const target = outcome.target ? ctx.serviceForPort(outcome.target.port) : undefined;
        const cause = rootCauseFor(check, outcome, target, diagnoses);
        if (cause) result.rootCause = cause;
      }
      emit(result);
    }
  } finally {
    await ctx.close();
  }
  return ctx.results;
}
