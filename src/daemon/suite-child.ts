/**
 * Entry of the child process the daemon runs the integration suite in (see suite-process.ts).
 * Receives one SuiteChildRequest over IPC, runs the suite with its own Docker runtime, answers with
 * one SuiteChildReply and exits.
 */
import type { Diagnosis } from '../diagnose/model.js';
import { errorMessage } from '../errors.js';
import { DockerRuntime } from '../runtime/docker-runtime.js';
import { Redactor } from '../secrets.js';
import { stackRedactor } from '../config/secret-values.js';
import { publishRun, type PublishedRun } from '../report/publish.js';
import { defaultReportsDir, uniqueRunId } from '../report/store.js';
import { runSuite } from '../suite/run-suite.js';
import type { SuiteChildReply, SuiteChildRequest } from './suite-process.js';
import type { TestSummary } from './api-types.js';

export function summarizeSuiteRun(run: PublishedRun, began: number): TestSummary {
  const s = run.report.summary;
  const average = s.avgResponseMs === null ? '' : `, avg ${Math.round(s.avgResponseMs)} ms`;
  const comparison = run.report.comparison ? `; ${run.report.comparison.verdict} against ${run.report.comparison.baseline.id}` : '';
  return {
    at: new Date().toISOString(),
    ok: run.exitCode === 0,
    durationMs: Date.now() - began,
    summary: `${run.report.status}: ${s.passed}/${s.total} passed (${s.successRate.toFixed(1)}%), ${s.failed} failed, ${s.skipped} skipped${average}${comparison}`,
    reportPath: run.paths.markdown,
    files: { ...run.paths },
    ...(run.copies ? { copies: { ...run.copies } } : {}),
    exitCode: run.exitCode,
  };
}

async function answer(message: SuiteChildRequest): Promise<SuiteChildReply> {
  const { stack, request } = message;
  const began = Date.now();
  const redactor = stackRedactor(stack);
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort(new Error('the suite was stopped')));
  try {
    const diagnoses = new Map<string, Diagnosis>(message.diagnoses);
    const reportsDir = request.reportsDir ?? defaultReportsDir(stack.dir);
    const results = await runSuite(stack, {
      signal: controller.signal,
      runId: (started) => uniqueRunId(reportsDir, started),
      runtime: new DockerRuntime({ stack: stack.name, redactor }),
      // Only when the daemon knows of failures: otherwise the suite inspects the containers itself.
      ...(diagnoses.size > 0 ? { diagnoses } : {}),
      ...(request.suite !== undefined ? { suiteFile: request.suite } : {}),
    });
    const run = await publishRun(results, {
      reportsDir,
      cwd: stack.dir,
      redactor: results.redactor,
      ...(request.baseline !== undefined ? { baseline: request.baseline } : {}),
      ...(request.outDir !== undefined ? { outDir: request.outDir } : {}),
      ...(request.failOnRegression ? { failOnRegression: true } : {}),
    });
    return { ok: true, summary: summarizeSuiteRun(run, began) };
  } catch (error) {
    return { ok: false, error: redactor.redact(errorMessage(error)) };
  }
}

process.once('message', (message: SuiteChildRequest) => {
  void answer(message).then((reply) => process.send?.(reply, () => process.exit(0)));
});
