/**
 * The terminal summary `stackctl test` prints: status, category table, failures with root cause and
 * hint (the first few), criteria, the verdict against the baseline, and — last — where the full
 * reports are. Colour only when asked (a TTY without NO_COLOR).
 */
import { criterionActual, criterionText, metricChange, metricValue, ms, oneLine, pct, seconds } from './format.js';
import type { Comparison, Report, ReportFiles } from './model.js';
import { paint } from '../paint.js';

export interface TerminalOptions {
  color?: boolean;
  /** How many failures to detail before "…and N more". */
  maxFailures?: number;
  /** The files to point at (the `--out` copies when there are some). */
  files?: ReportFiles;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

export function renderTerminal(report: Report, options: TerminalOptions = {}): string {
  const c = paint(options.color ?? false);
  const maxFailures = options.maxFailures ?? 10;
  const { run, summary } = report;
  const out: string[] = [];

  out.push(c.bold(`stackctl test · ${run.stack.name} · ${run.suite.name} · run ${run.id}`));
  const status = report.status === 'PASSED' ? c.green('✔ PASSED — every success criterion holds') : c.red('✖ FAILED — success criteria not met');
  out.push(`${status}${run.cancelled ? c.yellow(' (run cancelled)') : ''}`);
  out.push(
    `${summary.total} checks in ${seconds(run.durationMs)}: ${c.green(`${summary.passed} passed`)}, ${summary.failed > 0 ? c.red(`${summary.failed} failed`) : '0 failed'}, ${summary.skipped > 0 ? c.yellow(`${summary.skipped} skipped`) : '0 skipped'} — success rate ${c.bold(pct(summary.successRate))}`,
  );
  out.push('');

  const width = Math.max(8, ...report.categories.map((cat) => cat.name.length)) + 2;
  out.push(c.dim(`  ${pad('Category', width)}${padStart('Passed', 8)}${padStart('Failed', 8)}${padStart('Skipped', 9)}${padStart('Success', 9)}`));
  for (const category of report.categories) {
    const rateText = padStart(pct(category.successRate), 9);
    const painted = category.passed === category.total ? c.green(rateText) : category.failed > 0 ? c.red(rateText) : c.yellow(rateText);
    out.push(
      `  ${pad(category.name, width)}${padStart(`${category.passed}/${category.total}`, 8)}${padStart(String(category.failed), 8)}${padStart(String(category.skipped), 9)}${painted}`,
    );
  }
  out.push(`  ${pad('Overall', width)}${padStart(`${summary.passed}/${summary.total}`, 8)}${padStart(String(summary.failed), 8)}${padStart(String(summary.skipped), 9)}${padStart(pct(summary.successRate), 9)}`);
  out.push('');

  const down = report.services.filter((s) => s.status === 'down');
  if (down.length > 0) {
    out.push(c.bold(`Services down (${down.length}):`));
    for (const service of down) out.push(`  ${c.red('✖')} ${service.name}${service.port ? ` :${service.port}` : ''} — ${oneLine(service.issue ?? 'down', 140)}`);
    out.push('');
  }

  const failures = report.checks.filter((check) => check.status === 'failed');
  if (failures.length > 0) {
    out.push(c.bold(`Failures (${failures.length}):`));
    for (const check of failures.slice(0, maxFailures)) {
      out.push(`  ${c.red('✖')} ${check.category} › ${check.name} — ${oneLine(check.message ?? 'failed', 140)}`);
      if (check.rootCause && check.rootCause.source !== 'check') {
        out.push(`      root cause: ${check.rootCause.blockedBy ?? check.rootCause.service}: ${oneLine(check.rootCause.summary, 140)}`);
      }
      const hint = check.hint ?? check.rootCause?.hint;
      if (hint) out.push(c.dim(`      hint: ${oneLine(hint, 160)}`));
    }
    if (failures.length > maxFailures) out.push(c.dim(`  …and ${failures.length - maxFailures} more (see the Markdown report)`));
    out.push('');
  }
  const skipped = report.checks.filter((check) => check.status === 'skipped');
  if (skipped.length > 0) {
    const reasons = new Map<string, number>();
    for (const check of skipped) reasons.set(check.message ?? 'skipped', (reasons.get(check.message ?? 'skipped') ?? 0) + 1);
    out.push(c.bold(`Skipped (${skipped.length}):`));
    for (const [reason, count] of reasons) out.push(`  ${c.yellow('–')} ${count} × ${oneLine(reason, 140)}`);
    out.push('');
  }

  out.push(c.bold('Success criteria:'));
  for (const criterion of report.criteria) {
    out.push(`  ${criterion.met ? c.green('✔') : c.red('✖')} ${criterion.label} ${criterionActual(criterion)} (needs ${criterionText(criterion)})`);
  }
  out.push(`  Response times: average ${ms(report.performance.avgResponseMs)}, p95 ${ms(report.performance.p95ResponseMs)}`);
  out.push('');

  const comparison = report.comparison;
  if (comparison) {
    const verdict =
      comparison.verdict === 'REGRESSION' ? c.red('REGRESSION') : comparison.verdict === 'IMPROVEMENT' ? c.green('IMPROVEMENT') : 'UNCHANGED';
    out.push(c.bold(`Against baseline ${comparison.baseline.id}: ${verdict}`));
    for (const metric of comparison.metrics) {
      if (metric.status === 'same' || metric.status === 'n/a') continue;
      out.push(`  ${metric.label}: ${metricValue(metric, metric.previous)} → ${metricValue(metric, metric.current)} (${metricChange(metric)}, ${metric.status})`);
    }
    if (comparison.newlyFailing.length > 0) out.push(`  newly failing: ${listSome(comparison.newlyFailing.map((x) => x.id))}`);
    if (comparison.newlyPassing.length > 0) out.push(`  newly passing: ${listSome(comparison.newlyPassing.map((x) => x.id))}`);
    if (comparison.verdict === 'UNCHANGED') out.push('  every metric and every check as in the baseline');
  } else {
    out.push(c.dim('No baseline: this run is the first, and the baseline for the next.'));
  }
  out.push('');

  const files = options.files ?? report.files;
  if (files) {
    out.push(`Markdown: ${files.markdown}`);
    out.push(`HTML:     ${files.html}`);
    out.push(`JUnit:    ${files.junit}`);
    out.push(`JSON:     ${files.json}`);
  }
  return `${out.join('\n')}\n`;
}

/** `stackctl report compare`: the per-metric table, the changed checks and the verdict. */
export function renderComparison(comparison: Comparison, currentId: string, options: { color?: boolean } = {}): string {
  const c = paint(options.color ?? false);
  const rows = comparison.metrics.map((m) => [m.label, metricValue(m, m.previous), metricValue(m, m.current), metricChange(m), m.status.toUpperCase()]);
  const header = ['Metric', 'Previous', 'Current', 'Change', 'Status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (cells: string[]): string => `  ${cells.map((cell, i) => (i === 0 ? pad(cell, widths[i] ?? 0) : padStart(cell, widths[i] ?? 0))).join('  ')}`;
  const out: string[] = [c.bold(`${comparison.baseline.id} → ${currentId}`)];
  if (comparison.configChanged) out.push(c.dim('  the stack configuration changed between the two runs'));
  if (comparison.suiteChanged) out.push(c.dim('  the suite changed between the two runs'));
  out.push('', c.dim(fmt(header)));
  for (const [i, row] of rows.entries()) {
    const status = comparison.metrics[i]?.status;
    const line = fmt(row);
    out.push(status === 'regression' ? c.red(line) : status === 'improvement' ? c.green(line) : line);
  }
  const list = (title: string, items: Comparison['newlyFailing']): void => {
    if (items.length === 0) return;
    out.push('', c.bold(`${title} (${items.length}):`));
    for (const item of items) out.push(`  ${item.id} — ${item.previous ?? 'absent'} → ${item.current ?? 'absent'}${item.message ? `: ${oneLine(item.message, 120)}` : ''}`);
  };
  list('Newly failing', comparison.newlyFailing);
  list('Newly passing', comparison.newlyPassing);
  list('New checks', comparison.added);
  list('Removed checks', comparison.removed);
  const verdict = comparison.verdict === 'REGRESSION' ? c.red('REGRESSION') : comparison.verdict === 'IMPROVEMENT' ? c.green('IMPROVEMENT') : 'UNCHANGED';
  out.push('', `Verdict: ${verdict}`);
  return `${out.join('\n')}\n`;
}

/** The terminal shows the first few; report.md lists them all. */
const LISTED = 8;

function listSome(ids: string[]): string {
  return ids.length <= LISTED ? ids.join(', ') : `${ids.slice(0, LISTED).join(', ')} and ${ids.length - LISTED} more (all in report.md)`;
}
