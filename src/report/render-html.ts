/**
 * The HTML report: the Markdown report's content as one self-contained page (inline CSS, inline SVG
 * charts, no script, no external resource), viewable offline and from a CI artifact.
 */
import {
  CHECK_STATUS_TEXT,
  METRIC_STATUS_TEXT,
  SERVICE_STATUS_TEXT,
  VERDICT_TEXT,
  criterionActual,
  criterionText,
  metricChange,
  metricValue,
  ms,
  pct,
  seconds,
  statusLine,
  timestamp,
} from './format.js';
import type { CheckResult, Report } from './model.js';
import { categoryChart, historyChart, type HistoryPoint } from './svg.js';
import { xmlEscape as esc } from './xml.js';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#212121;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #e0e0e0;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #e0e0e0;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#fafafa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.status{padding:.6rem .8rem;border-radius:6px;font-weight:600;margin:.8rem 0}
.passed{background:#e8f5e9;color:#1b5e20}.failed{background:#ffebee;color:#b71c1c}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #e0e0e0;border-radius:6px;padding:.6rem .9rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}
.meta{color:#616161;font-size:.9rem}
code{background:#f5f5f5;padding:0 .25rem;border-radius:3px;font-size:.88em}
tr.failed td{background:#fff8f8}tr.skipped td{color:#757575}
details{margin:.3rem 0}summary{cursor:pointer}
.chart{overflow-x:auto}
`;

function row(cells: string[], cls?: string): string {
  return `<tr${cls ? ` class="${cls}"` : ''}>${cells.join('')}</tr>`;
}
const td = (text: string | number | undefined, cls?: string): string =>
  `<td${cls ? ` class="${cls}"` : ''}>${text === undefined || text === '' ? '—' : esc(String(text))}</td>`;
const th = (text: string): string => `<th>${esc(text)}</th>`;

function checkDetail(check: CheckResult): string {
  const parts: string[] = [];
  if (check.status === 'passed') parts.push(check.latencyMs !== undefined ? `${ms(check.latencyMs)} response` : ms(check.durationMs));
  else parts.push(check.message ?? check.status);
  if (check.rootCause && check.rootCause.source !== 'check') parts.push(`root cause: ${check.rootCause.blockedBy ?? check.rootCause.service} — ${check.rootCause.summary}`);
  const hint = check.status === 'failed' ? (check.hint ?? check.rootCause?.hint) : undefined;
  if (hint) parts.push(`hint: ${hint}`);
  return parts.join(' · ');
}

/**
 * The status words without the Markdown report's emoji: a page may be opened where no emoji font is
 * installed (CI artifact viewers, this VM), and the row colours already carry the status.
 */
function words(text: string): string {
  return text.replace(/\p{Extended_Pictographic}\uFE0F?\s*/gu, '').trim();
}

export function renderHtml(report: Report, history: readonly HistoryPoint[] = []): string {
  const { run, summary } = report;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${esc(`stackctl report — ${run.stack.name} — ${pct(summary.successRate)} — ${run.id}`)}</title>`);
  out.push(`<style>${STYLE}</style></head><body>`);
  out.push(`<h1>Integration test report — ${esc(run.stack.name)}</h1>`);
  const meta = [`Test execution ${timestamp(run.startedAt)}`, `run ${run.id}`, `stack config ${run.stack.configHash.slice(0, 12)}`];
  if (run.git) meta.push(`commit ${run.git.commit.slice(0, 12)}${run.git.dirty ? ' + uncommitted changes' : ''}`);
  meta.push(`suite ${run.suite.name}`);
  out.push(`<p class="meta">${esc(meta.join(' · '))}</p>`);
  out.push(`<div class="status ${report.status === 'PASSED' ? 'passed' : 'failed'}">${esc(words(statusLine(report)))}</div>`);

  out.push('<div class="cards">');
  const card = (label: string, value: string): void => {
    out.push(`<div class="card">${esc(label)}<b>${esc(value)}</b></div>`);
  };
  card('Success rate', pct(summary.successRate));
  card('Checks', String(summary.total));
  card('Passed', String(summary.passed));
  card('Failed', String(summary.failed));
  card('Skipped', String(summary.skipped));
  card('Average response', ms(summary.avgResponseMs));
  card('Error rate', pct(summary.errorRate));
  card('Duration', seconds(run.durationMs));
  out.push('</div>');

  out.push('<h2>Success rate per category</h2>');
  out.push(`<div class="chart">${categoryChart(report.categories.map((c) => ({ label: c.name, value: c.successRate })), report.thresholds.successRate)}</div>`);
  const points: HistoryPoint[] = [...history.filter((p) => p.id !== run.id), { id: run.id, startedAt: run.startedAt, successRate: summary.successRate }];
  out.push(`<h2>Success rate over past runs</h2>`);
  out.push(`<div class="chart">${historyChart(points, report.thresholds.successRate)}</div>`);

  const comparison = report.comparison;
  if (comparison) {
    out.push(`<h2>Comparison with baseline — ${esc(words(VERDICT_TEXT[comparison.verdict]))}</h2>`);
    out.push(`<p class="meta">Baseline ${esc(comparison.baseline.id)} (${esc(comparison.baseline.file)})${comparison.configChanged ? ' · stack configuration changed since' : ''}${comparison.suiteChanged ? ' · suite changed since' : ''}</p>`);
    out.push(`<table><thead>${row(['Metric', 'Previous', 'Current', 'Change', 'Status'].map(th))}</thead><tbody>`);
    for (const metric of comparison.metrics) {
      out.push(row([td(metric.label), td(metricValue(metric, metric.previous), 'num'), td(metricValue(metric, metric.current), 'num'), td(metricChange(metric), 'num'), td(words(METRIC_STATUS_TEXT[metric.status]))]));
    }
    out.push('</tbody></table>');
    const list = (title: string, items: typeof comparison.newlyFailing): void => {
      if (items.length === 0) return;
      out.push(`<h3>${esc(`${title} (${items.length})`)}</h3><ul>`);
      for (const item of items) out.push(`<li><code>${esc(item.id)}</code> ${esc(item.name)}: ${esc(item.previous ?? 'absent')} → ${esc(item.current ?? 'absent')}${item.message ? ` — ${esc(item.message)}` : ''}</li>`);
      out.push('</ul>');
    };
    list('Newly failing', comparison.newlyFailing);
    list('Newly passing', comparison.newlyPassing);
    list('New checks', comparison.added);
    list('Removed checks', comparison.removed);
  } else {
    out.push('<p class="meta">No baseline: this run is the first, and the baseline for the next.</p>');
  }

  out.push('<h2>Category breakdown</h2>');
  out.push(`<table><thead>${row(['Category', 'Total', 'Passed', 'Failed', 'Skipped', 'Success rate'].map(th))}</thead><tbody>`);
  for (const category of report.categories) {
    out.push(row([td(category.name), td(category.total, 'num'), td(category.passed, 'num'), td(category.failed, 'num'), td(category.skipped, 'num'), td(pct(category.successRate), 'num')]));
  }
  out.push(row([td('Overall'), td(summary.total, 'num'), td(summary.passed, 'num'), td(summary.failed, 'num'), td(summary.skipped, 'num'), td(pct(summary.successRate), 'num')]));
  out.push('</tbody></table>');

  out.push('<h2>Services</h2>');
  out.push(`<table><thead>${row(['Service', 'Port', 'Status', 'Issue', 'Response time'].map(th))}</thead><tbody>`);
  for (const service of report.services) {
    out.push(row([td(service.name), td(service.port, 'num'), td(words(SERVICE_STATUS_TEXT[service.status])), td(service.issue), td(service.responseMs === undefined ? undefined : ms(service.responseMs), 'num')], service.status === 'down' ? 'failed' : undefined));
  }
  out.push('</tbody></table>');

  out.push('<h2>Checks</h2>');
  for (const category of report.categories) {
    const checks = report.checks.filter((c) => c.category === category.name);
    out.push(`<details${category.passed === category.total ? '' : ' open'}><summary><b>${esc(category.name)}</b> — ${esc(pct(category.successRate))} (${category.passed}/${category.total})</summary>`);
    out.push(`<table><thead>${row(['Check', 'Status', 'Service', 'Time', 'Detail'].map(th))}</thead><tbody>`);
    for (const check of checks) {
      out.push(row([`<td>${esc(check.name)}<br><code>${esc(check.id)}</code></td>`, td(words(CHECK_STATUS_TEXT[check.status])), td(check.service), td(ms(check.latencyMs ?? check.durationMs), 'num'), td(checkDetail(check))], check.status));
    }
    out.push('</tbody></table></details>');
  }

  const perf = report.performance;
  out.push('<h2>Performance</h2>');
  out.push(`<table><tbody>`);
  for (const [label, value] of [
    ['Average response time', ms(perf.avgResponseMs)],
    ['Median (p50)', ms(perf.p50ResponseMs)],
    ['p95 response time', ms(perf.p95ResponseMs)],
    ['Slowest response', ms(perf.maxResponseMs)],
    ['Error rate', pct(perf.errorRate)],
    ['Response times measured', String(perf.samples)],
  ] as const) {
    out.push(row([td(label), td(value, 'num')]));
  }
  out.push('</tbody></table>');
  if (perf.load.length > 0) {
    out.push(`<table><thead>${row(['Load check', 'Requests', 'Concurrency', 'Success rate', 'Average', 'p95', 'Max'].map(th))}</thead><tbody>`);
    for (const load of perf.load) {
      out.push(row([td(load.name), td(load.requests, 'num'), td(load.concurrency, 'num'), td(pct(load.successRate), 'num'), td(ms(load.avgMs), 'num'), td(ms(load.p95Ms), 'num'), td(ms(load.maxMs), 'num')]));
    }
    out.push('</tbody></table>');
  }

  out.push('<h2>Success criteria</h2>');
  out.push(`<table><thead>${row(['Criterion', 'Threshold', 'Actual', 'Met'].map(th))}</thead><tbody>`);
  for (const criterion of report.criteria) {
    out.push(row([td(criterion.label), td(criterionText(criterion)), td(criterionActual(criterion), 'num'), td(criterion.met ? 'yes' : 'no')], criterion.met ? undefined : 'failed'));
  }
  out.push('</tbody></table>');
  out.push(`<p class="meta">Generated by stackctl ${esc(run.stackctlVersion)} · report schema ${esc(report.schema)} v${report.schemaVersion}</p>`);
  out.push('</body></html>');
  return `${out.join('\n')}\n`;
}
