/**
 * Baselines on disk. Every run is stored in its own directory under `.stackctl/reports/` beside the
 * stack file:
 *
 *   .stackctl/reports/2025-08-07T18-19-42Z/{report.json, report.md, report.html, junit.xml}
 *
 * A run directory is written under a temporary name and renamed into place, so a crash never leaves
 * a half-written run that a later comparison would read. Runs are found by listing the directory and
 * reading each report.json; one that cannot be read is reported and skipped, never deleted.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readInputFile } from '../config/read-input.js';
import { basename, join, resolve } from 'node:path';
import { ConfigError, UsageError, errorMessage } from '../errors.js';
import { baselineFromReport, type BaselineData } from './compare.js';
import type { Report, ReportFiles } from './model.js';
import { asReport, baselineFromDocument, baselineSchema, BASELINE_SCHEMA, reportSchema } from './schema.js';

export const REPORT_FILES = {
  json: 'report.json',
  markdown: 'report.md',
  html: 'report.html',
  junit: 'junit.xml',
} as const;

export function defaultReportsDir(stackDir: string): string {
  return join(stackDir, '.stackctl', 'reports');
}

/** `2025-08-07T18-19-42Z`: sortable, and valid as a directory name everywhere. */
export function runIdFor(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** A run id not yet taken in `reportsDir` (`…Z`, then `…Z-2`, `…Z-3`). */
export function uniqueRunId(reportsDir: string, date: Date): string {
  const base = runIdFor(date);
  let id = base;
  for (let n = 2; existsSync(join(reportsDir, id)); n++) id = `${base}-${n}`;
  return id;
}

export function filesFor(dir: string): ReportFiles {
  return {
    dir,
    json: join(dir, REPORT_FILES.json),
    markdown: join(dir, REPORT_FILES.markdown),
    html: join(dir, REPORT_FILES.html),
    junit: join(dir, REPORT_FILES.junit),
  };
}

export interface Renderings {
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

/** Writes the four files into `dir` atomically (temporary directory, then rename). */
export async function writeRun(dir: string, renderings: Renderings): Promise<ReportFiles> {
  const files = filesFor(dir);
  const parent = resolve(dir, '..');
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, REPORT_FILES.json), renderings.json);
  await writeFile(join(tmp, REPORT_FILES.markdown), renderings.markdown);
  await writeFile(join(tmp, REPORT_FILES.html), renderings.html);
  await writeFile(join(tmp, REPORT_FILES.junit), renderings.junit);
  try {
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return files;
}

/** Writes copies into an existing or new directory (`--out DIR`); files there are replaced. */
export async function writeCopies(dir: string, renderings: Renderings): Promise<ReportFiles> {
  const files = filesFor(resolve(dir));
  await mkdir(files.dir, { recursive: true });
  await writeFile(files.json, renderings.json);
  await writeFile(files.markdown, renderings.markdown);
  await writeFile(files.html, renderings.html);
  await writeFile(files.junit, renderings.junit);
  return files;
}

/** `Unexpected token … in JSON at position 123` → line:col of that position. */
function jsonErrorLocation(text: string, error: unknown): { line: number; col: number } {
  const match = /position (\d+)/.exec(errorMessage(error));
  if (!match) return { line: 0, col: 0 };
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

async function readJson(file: string): Promise<unknown> {
  const read = await readInputFile(file);
  if (!read.ok) {
    throw new UsageError(`cannot read ${file}: ${read.reason}`, {
      hint: 'pass a report.json, a run directory, or a run id listed by `stackctl report history`',
    });
  }
  const text = read.text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8 quotes the start of the text in its message ("…, "root:$y$…" is not valid JSON"): never echo a file that is not a report.
    const reason = errorMessage(error).replace(/,?\s*".*"\s*is not valid JSON$/s, '').replace(/^Unexpected token '(.)'$/, 'unexpected character').slice(0, 120);
    throw new ConfigError(`not valid JSON (${reason}); its content is not shown`, {
      location: { file, ...jsonErrorLocation(text, error) },
      hint: 'a report.json written by stackctl, or a stackctl.baseline document (docs/suite-report.md)',
    });
  }
}

function schemaProblem(file: string, issues: ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string }>): ConfigError {
  const first = issues[0];
  // Only the key path and the kind of problem: a file that is not a report is never echoed.
  const where = first && first.path.length > 0 ? ` at ${first.path.slice(0, 4).map((p) => String(p).slice(0, 16)).join('.')}` : '';
  return new ConfigError(`not a stackctl report${where}: ${(first?.message ?? 'unexpected shape').replace(/,? received .*$/s, '').replace(/'[^']{12,}'/g, "'…'")}`, {
    location: { file, line: 0, col: 0 },
    hint: 'a report.json written by stackctl (schema "stackctl.report", version ≤ 1) or a "stackctl.baseline" document',
  });
}

export async function loadReport(file: string): Promise<Report> {
  const value = await readJson(file);
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success) throw schemaProblem(file, parsed.error.issues);
  return asReport(parsed.data);
}

/** A report.json, or a hand-written `stackctl.baseline` document. */
export async function loadBaselineFile(file: string): Promise<BaselineData> {
  const value = await readJson(file);
  if (value && typeof value === 'object' && (value as { schema?: unknown }).schema === BASELINE_SCHEMA) {
    const parsed = baselineSchema.safeParse(value);
    if (!parsed.success) throw schemaProblem(file, parsed.error.issues);
    return baselineFromDocument(parsed.data, file);
  }
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success) throw schemaProblem(file, parsed.error.issues);
  return baselineFromReport(asReport(parsed.data), file);
}

export interface StoredRun {
  id: string;
  dir: string;
  file: string;
  report: Report;
}

export interface RunListing {
  runs: StoredRun[];
  /** Run directories that could not be read, with the reason. */
  unreadable: Array<{ dir: string; reason: string }>;
}

/** Every stored run (of `stackName` when given), oldest first. */
export async function listRuns(reportsDir: string, stackName?: string): Promise<RunListing> {
  const listing: RunListing = { runs: [], unreadable: [] };
  let names: string[];
  try {
    names = await readdir(reportsDir);
  } catch {
    return listing;
  }
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(reportsDir, name);
    const file = join(dir, REPORT_FILES.json);
    try {
      if (!(await stat(dir)).isDirectory()) continue;
      const report = await loadReport(file);
      if (stackName !== undefined && report.run.stack.name !== stackName) continue;
      listing.runs.push({ id: name, dir, file, report });
    } catch (error) {
      listing.unreadable.push({ dir, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  listing.runs.sort((a, b) => a.report.run.startedAt.localeCompare(b.report.run.startedAt) || a.id.localeCompare(b.id));
  return listing;
}

/**
 * Finds a stored run: `latest`, `previous` (the one before latest), a run id, or an unambiguous
 * prefix of one (`2025-08-07`).
 */
export function findRun(runs: readonly StoredRun[], ref: string): StoredRun {
  if (runs.length === 0) {
    throw new UsageError(`no stored runs to find "${ref}" in`, { hint: 'run `stackctl test` first; runs are kept in .stackctl/reports/' });
  }
  if (ref === 'latest') return runs[runs.length - 1] as StoredRun;
  if (ref === 'previous') {
    const run = runs[runs.length - 2];
    if (!run) throw new UsageError('there is only one stored run, so no "previous" one');
    return run;
  }
  const exact = runs.find((run) => run.id === ref);
  if (exact) return exact;
  const matches = runs.filter((run) => run.id.startsWith(ref));
  if (matches.length === 1) return matches[0] as StoredRun;
  if (matches.length > 1) {
    throw new UsageError(`"${ref}" matches ${matches.length} runs: ${matches.map((r) => r.id).join(', ')}`, {
      hint: 'give more of the run id',
    });
  }
  throw new UsageError(`no stored run "${ref}"`, { hint: 'see `stackctl report history` for the run ids' });
}

/** A path to a report.json / baseline file / run directory, else a run reference. */
export async function resolveReportRef(ref: string, reportsDir: string, cwd: string, stackName?: string): Promise<string> {
  const asPath = resolve(cwd, ref);
  if (existsSync(asPath)) {
    const info = await stat(asPath);
    return info.isDirectory() ? join(asPath, REPORT_FILES.json) : asPath;
  }
  // `latest`/`previous` mean this stack's; a run id names a run whatever stack it was of.
  const { runs } = await listRuns(reportsDir, stackName);
  if (stackName === undefined || ref === 'latest' || ref === 'previous' || runs.some((run) => run.id.startsWith(ref))) return findRun(runs, ref).file;
  const all = await listRuns(reportsDir);
  return findRun(all.runs, ref).file;
}
