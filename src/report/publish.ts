/**
 * From a finished run's results to files on disk: build the report (build-report.ts), pick the baseline (the previous run of the same
 * stack, or `--baseline FILE|NAME`), compare, redact every secret, render the four formats, store the
 * run under `.stackctl/reports/<run id>/` and, with `--out DIR`, copy the files there too.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Redactor } from '../secrets.js';
import { buildReport, type ReportInput } from './build-report.js';
import { compareReports, baselineFromReport, type BaselineData } from './compare.js';
import type { Report, ReportFiles } from './model.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderJunit } from './render-junit.js';
import { renderMarkdown } from './render-markdown.js';
import { filesFor, listRuns, loadBaselineFile, resolveReportRef, uniqueRunId, writeCopies, writeRun, type Renderings } from './store.js';
import type { HistoryPoint } from './svg.js';

/** How many past runs the HTML history chart shows. */
export const HISTORY_POINTS = 20;

/** Renders the four formats from an already redacted report; a last redaction pass guards each text. */
export function renderAll(report: Report, redactor: Redactor, history: readonly HistoryPoint[] = []): Renderings {
  const safe = redactor.redactValue(report);
  return {
    json: redactor.redact(renderJson(safe)),
    markdown: redactor.redact(renderMarkdown(safe)),
    html: redactor.redact(renderHtml(safe, history)),
    junit: redactor.redact(renderJunit(safe)),
  };
}

export interface PublishOptions {
  reportsDir: string;
  /** `--baseline`: a file, a run directory, a run id (or prefix), `latest` or `previous`. */
  baseline?: string;
  cwd: string;
  outDir?: string;
  redactor: Redactor;
}

export interface Published {
  /** The report as written (redacted, with comparison and files). */
  report: Report;
  /** The stored run's files. */
  files: ReportFiles;
  /** The `--out` copies, when asked for. */
  copies?: ReportFiles;
}

export async function resolveBaseline(
  report: Report,
  options: Pick<PublishOptions, 'reportsDir' | 'baseline' | 'cwd'>,
): Promise<{ baseline?: BaselineData; history: HistoryPoint[] }> {
  const { runs } = await listRuns(options.reportsDir, report.run.stack.name);
  const history = runs.slice(-HISTORY_POINTS).map((run) => ({ id: run.id, startedAt: run.report.run.startedAt, successRate: run.report.summary.successRate }));
  if (options.baseline !== undefined) {
    const file = await resolveReportRef(options.baseline, options.reportsDir, options.cwd, report.run.stack.name);
    return { baseline: await loadBaselineFile(file), history };
  }
  const previous = runs[runs.length - 1];
  return { baseline: previous ? baselineFromReport(previous.report, previous.file) : undefined, history };
}

export async function publishReport(input: Report, options: PublishOptions): Promise<Published> {
  const { baseline, history } = await resolveBaseline(input, options);
  // Keep the id the run was given (templates used it) unless another run took it meanwhile — also
  // between our check and our rename, when two runs of the stack finish in the same second.
  let id = existsSync(join(options.reportsDir, input.run.id)) ? uniqueRunId(options.reportsDir, new Date(input.run.startedAt)) : input.run.id;
  for (let attempt = 1; ; attempt++) {
    const report: Report = { ...input, run: { ...input.run, id } };
    if (baseline) report.comparison = compareReports(report, baseline);
    report.files = filesFor(join(options.reportsDir, id));
    const renderings = renderAll(report, options.redactor, history);
    let files: ReportFiles;
    try {
      files = await writeRun(report.files.dir, renderings);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 5) {
        id = uniqueRunId(options.reportsDir, new Date(input.run.startedAt));
        continue;
      }
      throw error;
    }
    return finish(report, files, renderings, options);
  }
}

async function finish(report: Report, files: ReportFiles, renderings: Renderings, options: PublishOptions): Promise<Published> {
  const published: Published = { report: options.redactor.redactValue(report), files };
  if (options.outDir !== undefined) published.copies = await writeCopies(resolve(options.cwd, options.outDir), renderings);
  return published;
}

export interface PublishRunOptions extends PublishOptions {
  /** `--fail-on-regression`: a REGRESSION verdict exits 1 even when every criterion holds. */
  failOnRegression?: boolean;
}

export interface PublishedRun {
  /** The report as written (redacted, with comparison and files). */
  report: Report;
  /** The stored run's files. */
  paths: ReportFiles;
  /** The `--out` copies. */
  copies?: ReportFiles;
  /** 0 when every success criterion holds (and, with failOnRegression, no REGRESSION), 1 otherwise, 130 when cancelled. */
  exitCode: number;
}

/**
 * A suite run's results made into the report, compared, stored and copied; with the exit code the
 * run calls for. What `stackctl test`, `up --test`, the daemon and the Node API all do with a run.
 */
export async function publishRun(results: ReportInput, options: PublishRunOptions): Promise<PublishedRun> {
  const report = buildReport(results);
  const published = await publishReport(report, options);
  let exitCode = published.report.status === 'PASSED' ? 0 : 1;
  if (options.failOnRegression && published.report.comparison?.verdict === 'REGRESSION') exitCode = 1;
  if (report.run.cancelled) exitCode = 130;
  return { report: published.report, paths: published.files, exitCode, ...(published.copies ? { copies: published.copies } : {}) };
}
