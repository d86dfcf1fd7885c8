/**
 * `stackctl report`: the stored runs of `stackctl test`.
 *
 *   stackctl report show [RUN] [--format text|md|json|junit|html]   a run (default: the latest)
 *   stackctl report compare A B [--json] [--fail-on-regression]     B against A (A is the baseline)
 *   stackctl report history [--limit N] [--json]                    every stored run, oldest first
 *
 * RUN, A and B: a run id or an unambiguous prefix of one, `latest`, `previous`, a run directory, a
 * report.json, or (as A) a hand-written stackctl.baseline file. Runs are read from
 * `.stackctl/reports/` beside the stack file (the stack file is only located, not loaded, so the
 * reports stay readable while the stack file is broken) or from --reports-dir.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { compareReports } from '../../report/compare.js';
import { ms, pct, timestamp } from '../../report/format.js';
import { renderAll } from '../../report/publish.js';
import { renderComparison, renderTerminal } from '../../report/render-terminal.js';
import { defaultReportsDir, listRuns, loadBaselineFile, loadReport, resolveReportRef } from '../../report/store.js';
import { Redactor } from '../../secrets.js';
import { loadStack } from '../../load/load.js';
import { secretValuesOfEnv, stackRedactor } from '../../config/secret-values.js';
import type { CliContext } from '../context.js';
import { stdoutOf, stderrOf } from '../render/output.js';
import { addStackOptions, projectNameOverride, stackFileFor, type StackOptions } from '../stack-options.js';

interface ReportOptions extends StackOptions {
  reportsDir?: string;
  json?: boolean;
}

const FORMATS = ['text', 'md', 'json', 'junit', 'html'] as const;
type Format = (typeof FORMATS)[number];

function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** Where the runs are, and the stack name to filter on (when -p/STACKCTL_PROJECT_NAME names one). */
function reportsLocation(ctx: CliContext, options: ReportOptions): { dir: string; stack?: string } {
  const stack = projectNameOverride(ctx, options);
  if (options.reportsDir !== undefined) return { dir: path.resolve(ctx.cwd, options.reportsDir), ...(stack ? { stack } : {}) };
  const file = stackFileFor(ctx, options);
  return { dir: defaultReportsDir(file ? path.dirname(file) : ctx.cwd), ...(stack ? { stack } : {}) };
}

/** The stack's Redactor when a stack file is at hand (loaded quietly; a broken file still gives the secrets known), plus the environment's secrets. */
async function reportRedactor(ctx: CliContext, options: ReportOptions): Promise<Redactor> {
  const envSecrets = secretValuesOfEnv(ctx.env);
  let file: string | undefined;
  try {
    file = stackFileFor(ctx, options);
  } catch {
    file = undefined;
  }
  if (!file) return new Redactor(envSecrets, { keep: [ctx.cwd] });
  const loaded = await loadStack(file, { env: ctx.env, cwd: ctx.cwd });
  return loaded.stack ? stackRedactor(loaded.stack, envSecrets) : new Redactor([...(loaded.secretValues ?? []), ...envSecrets], { keep: [file, path.dirname(file), ctx.cwd] });
}

function withCommonOptions(command: Command): Command {
  return addStackOptions(command).option('--reports-dir <dir>', 'where runs are stored (default: .stackctl/reports beside the stack file)');
}

export function registerReport(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('show, compare and list the stored runs of `stackctl test`');
  // Reports stackctl writes are redacted already; a report it did not write (copied in, hand-made) is
  // shown through the current stack's secrets and the process's secret-named variables too.
  const out = async (options: ReportOptions) => stdoutOf(ctx, await reportRedactor(ctx, options));

  withCommonOptions(report.command('show').argument('[run]', 'run id or prefix, latest, previous, a run directory or a report.json', 'latest'))
    .description('print a stored run: the summary, or one of its renderings')
    .option('--format <format>', `text (summary), md, json, junit or html`, parseFormat, 'text')
    .option('--json', 'same as --format json')
    .action(async (ref: string, options: ReportOptions & { format: Format }) => {
      const where = reportsLocation(ctx, options);
      const file = await resolveReportRef(ref, where.dir, ctx.cwd, where.stack);
      const stored = await loadReport(file);
      const format: Format = options.json ? 'json' : options.format;
      const o = await out(options);
      if (format === 'text') {
        o.write(renderTerminal(stored, { color: o.color }));
      } else {
        const { runs } = await listRuns(where.dir, stored.run.stack.name);
        const history = runs
          .filter((r) => r.report.run.startedAt <= stored.run.startedAt)
          .slice(-20)
          .map((r) => ({ id: r.id, startedAt: r.report.run.startedAt, successRate: r.report.summary.successRate }));
        const rendered = renderAll(stored, o.redactor, history);
        o.write(format === 'md' ? rendered.markdown : format === 'json' ? rendered.json : format === 'junit' ? rendered.junit : rendered.html);
      }
      ctx.exitCode = 0;
    });

  withCommonOptions(report.command('compare').argument('<a>', 'the baseline: run, report.json or stackctl.baseline file').argument('<b>', 'the run to judge'))
    .description('compare run B with baseline A: per-metric table, newly failing/passing checks, verdict')
    .option('--json', 'print the comparison as JSON')
    .option('--fail-on-regression', 'exit 1 when the verdict is REGRESSION')
    .action(async (a: string, b: string, options: ReportOptions & { failOnRegression?: boolean }) => {
      const where = reportsLocation(ctx, options);
      const baselineFile = await resolveReportRef(a, where.dir, ctx.cwd, where.stack);
      const currentFile = await resolveReportRef(b, where.dir, ctx.cwd, where.stack);
      const baseline = await loadBaselineFile(baselineFile);
      const current = await loadReport(currentFile);
      const comparison = compareReports(current, baseline);
      const o = await out(options);
      if (options.json) o.json({ baseline: baselineFile, current: currentFile, comparison });
      else o.write(renderComparison(comparison, current.run.id, { color: o.color }));
      ctx.exitCode = options.failOnRegression && comparison.verdict === 'REGRESSION' ? 1 : 0;
    });

  withCommonOptions(report.command('history'))
    .description('list the stored runs, oldest first: success rate, counts, verdict, commit')
    .option('--limit <n>', 'only the last N runs', parseLimit)
    .option('--json', 'print the list as JSON')
    .action(async (options: ReportOptions & { limit?: number }) => {
      const where = reportsLocation(ctx, options);
      const listing = await listRuns(where.dir, where.stack);
      const runs = options.limit ? listing.runs.slice(-options.limit) : listing.runs;
      const rows = runs.map(({ id, dir, report: r }) => ({
        id,
        dir,
        stack: r.run.stack.name,
        startedAt: r.run.startedAt,
        status: r.status,
        total: r.summary.total,
        passed: r.summary.passed,
        failed: r.summary.failed,
        skipped: r.summary.skipped,
        successRate: r.summary.successRate,
        avgResponseMs: r.summary.avgResponseMs,
        verdict: r.comparison?.verdict ?? null,
        baseline: r.comparison?.baseline.id ?? null,
        commit: r.run.git?.commit ?? null,
        configHash: r.run.stack.configHash,
      }));
      const o = await out(options);
      const err = stderrOf(ctx, o.redactor);
      for (const bad of listing.unreadable) err.line(`stackctl: note: skipped ${bad.dir}: ${bad.reason}`);
      if (options.json) {
        o.json({ reportsDir: where.dir, runs: rows });
      } else if (rows.length === 0) {
        o.line(`no stored runs in ${where.dir} (run \`stackctl test\`)`);
      } else {
        const table = rows.map((r) => [r.id, timestamp(r.startedAt), `${r.passed}/${r.total}`, String(r.failed), String(r.skipped), pct(r.successRate), ms(r.avgResponseMs), r.status, r.verdict ?? '—', r.commit ? r.commit.slice(0, 10) : '—']);
        const header = ['Run', 'Started', 'Passed', 'Failed', 'Skipped', 'Success', 'Avg', 'Criteria', 'Verdict', 'Commit'];
        const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
        const fmt = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
        o.line(o.paint.dim(fmt(header)));
        for (const row of table) o.line(fmt(row));
        o.line(o.paint.dim(`${rows.length} run${rows.length === 1 ? '' : 's'} in ${where.dir}`));
      }
      ctx.exitCode = 0;
    });

  report.action(() => {
    throw new UsageError('stackctl report needs a subcommand: show, compare or history', { hint: 'stackctl report --help' });
  });
}
