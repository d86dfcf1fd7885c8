/**
 * The Markdown report, in the spirit of the post-mortem reports people used to write by hand — status
 * line, baseline comparison, category and service tables, failures with root cause and hint,
 * performance, success criteria — but computed, so two runs print comparable figures in the same
 * places. Deterministic: the same report value always renders the same text.
 */
import {
  CHECK_STATUS_TEXT,
  METRIC_STATUS_TEXT,
  SERVICE_STATUS_TEXT,
  VERDICT_TEXT,
  categoryMark,
  criterionActual,
  criterionText,
  metricChange,
  metricValue,
  ms,
  oneLine,
  pct,
  seconds,
  statusLine,
  timestamp,
} from './format.js';
import type { CheckResult, CheckRootCause, Report } from './model.js';

/** Free text from checks and services: one line, and no raw HTML reaches a Markdown viewer. */
function txt(text: string, max = 160): string {
  return oneLine(text, max).replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a table cell: pipes and HTML, newlines collapsed. */
function cell(text: string | number | undefined): string {
  if (text === undefined || text === '') return '—';
  return txt(String(text), 200).replace(/\|/g, '\\|');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.includes('`') ? ` ${text} ` : text}${fence}`;
}

function checkOutcome(check: CheckResult): string {
  const parts: string[] = [];
  if (check.status === 'passed') {
    if (check.latencyMs !== undefined) parts.push(`${ms(check.latencyMs)} response`);
    else parts.push(`${ms(check.durationMs)}`);
  } else if (check.status === 'skipped') {
    parts.push(txt(check.message ?? 'skipped'));
  } else {
    if (check.message) parts.push(txt(check.message));
    if (check.rootCause && check.rootCause.source !== 'check') parts.push(`root cause: ${check.rootCause.blockedBy ?? check.rootCause.service} — ${txt(check.rootCause.summary, 120)}`);
  }
  return parts.join(' — ');
}

/** Failures explained by the same service's same failure are one root cause, however many services it blocked. */
function rootCauseKey(cause: CheckRootCause): string {
  return `${cause.blockedBy ?? cause.service}\u0000${cause.code}\u0000${cause.summary}`;
}

function rootCauseSource(cause: CheckRootCause): string {
  if (cause.source === 'up') return 'diagnosis by `stackctl up`';
  if (cause.source === 'runtime') return 'container inspected by `stackctl test`';
  return 'observed by the check';
}

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const { run, summary } = report;
  const line = (text = ''): void => {
    out.push(text);
  };

  line(`# 📊 Integration test report — ${run.stack.name}`);
  line();
  line(`**Test Execution:** ${timestamp(run.startedAt)}  `);
  const provenance = [`run \`${run.id}\``, `stack config \`${run.stack.configHash.slice(0, 12)}\``];
  if (run.git) provenance.push(`commit \`${run.git.commit.slice(0, 12)}\`${run.git.branch ? ` (${run.git.branch})` : ''}${run.git.dirty ? ' + uncommitted changes' : ''}`);
  line(`**Run:** ${provenance.join(' · ')}  `);
  line(`**Suite:** ${run.suite.name} (\`${run.suite.file}\`)  `);
  if (report.comparison) {
    const baseline = report.comparison.baseline;
    const previous = report.comparison.metrics.find((m) => m.id === 'success_rate')?.previous ?? null;
    line(`**Previous Baseline:** ${previous === null ? 'unknown' : pct(previous)} success rate (\`${baseline.id}\`${baseline.startedAt ? `, ${timestamp(baseline.startedAt)}` : ''})  `);
  } else {
    line('**Previous Baseline:** none — this run is the first, and the baseline for the next  ');
  }
  line(`**Current Results:** ${pct(summary.successRate)} success rate  `);
  line(`**Status:** ${statusLine(report)}`);
  line();
  line('---');
  line();

  line('## 📋 Summary');
  line();
  line(`- **Overall Success Rate:** ${pct(summary.successRate)} (${summary.passed} of ${summary.total} passed; skipped checks count as not passed)`);
  line(`- **Test Duration:** ${seconds(run.durationMs)}`);
  line(`- **Total Tests:** ${summary.total}`);
  line(`- **Passed:** ${summary.passed}`);
  line(`- **Failed:** ${summary.failed}`);
  line(`- **Skipped:** ${summary.skipped}`);
  line(`- **Average Response Time:** ${ms(summary.avgResponseMs)} · **p95:** ${ms(summary.p95ResponseMs)}`);
  line(`- **Error Rate:** ${pct(summary.errorRate)} (${summary.failed} of ${summary.passed + summary.failed} executed checks failed)`);
  line();

  const comparison = report.comparison;
  if (comparison) {
    line(`## 📈 Comparison with baseline — ${VERDICT_TEXT[comparison.verdict]}`);
    line();
    line(`Baseline: \`${comparison.baseline.id}\` (${cell(comparison.baseline.file)})${comparison.baseline.commit ? `, commit \`${comparison.baseline.commit.slice(0, 12)}\`` : ''}.`);
    if (comparison.configChanged) line('The stack configuration changed since the baseline (config hash differs).');
    if (comparison.suiteChanged) line('The suite changed since the baseline: compare check by check with care.');
    line();
    line('| Metric | Previous | Current | Change | Status |');
    line('|--------|----------|---------|--------|--------|');
    for (const metric of comparison.metrics) {
      line(`| **${cell(metric.label)}** | ${metricValue(metric, metric.previous)} | ${metricValue(metric, metric.current)} | ${metricChange(metric)} | ${METRIC_STATUS_TEXT[metric.status]} |`);
    }
    line();
    const changeList = (title: string, items: typeof comparison.newlyFailing): void => {
      if (items.length === 0) return;
      line(`### ${title} (${items.length})`);
      line();
      for (const item of items) {
        const from = item.previous ?? 'absent';
        const to = item.current ?? 'absent';
        line(`- ${code(item.id)} ${item.name} (${item.category || 'uncategorised'}): ${from} → ${to}${item.message ? ` — ${txt(item.message)}` : ''}`);
      }
      line();
    };
    changeList('🔻 Newly failing', comparison.newlyFailing);
    changeList('🔺 Newly passing', comparison.newlyPassing);
    changeList('➕ New checks', comparison.added);
    changeList('➖ Removed checks', comparison.removed);
    if (comparison.newlyFailing.length + comparison.newlyPassing.length === 0) {
      line('No check changed outcome since the baseline.');
      line();
    }
  }

  line('## 📊 Category breakdown');
  line();
  line('| Category | Total | Passed | Failed | Skipped | Success rate |');
  line('|----------|-------|--------|--------|---------|--------------|');
  for (const category of report.categories) {
    line(`| ${cell(category.name)} | ${category.total} | ${category.passed} | ${category.failed} | ${category.skipped} | ${categoryMark(category)} ${pct(category.successRate)} |`);
  }
  line(`| **Overall** | **${summary.total}** | **${summary.passed}** | **${summary.failed}** | **${summary.skipped}** | **${pct(summary.successRate)}** |`);
  line();

  line('## 🖥️ Services');
  line();
  line('| Service | Port | Status | Issue | Response time |');
  line('|---------|------|--------|-------|---------------|');
  for (const service of report.services) {
    line(`| ${cell(service.name)} | ${service.port ?? '—'} | ${SERVICE_STATUS_TEXT[service.status]} | ${cell(service.issue)} | ${service.responseMs === undefined ? '—' : ms(service.responseMs)} |`);
  }
  line();

  line('## 🧪 Checks');
  line();
  report.categories.forEach((category, index) => {
    line(`### ${index + 1}. ${category.name}: ${pct(category.successRate)} success rate ${categoryMark(category)}`);
    line();
    for (const check of report.checks.filter((c) => c.category === category.name)) {
      line(`- ${CHECK_STATUS_TEXT[check.status]} **${check.name}** (${code(check.id)}) — ${checkOutcome(check)}`);
    }
    line();
  });

  const failures = report.checks.filter((c) => c.status === 'failed');
  line('## 🔍 Failures and root causes');
  line();
  if (failures.length === 0) {
    line('No check failed.');
    line();
  } else {
    const groups = new Map<string, { cause: CheckRootCause; root: string; blocked: Set<string>; checks: CheckResult[] }>();
    for (const check of failures) {
      if (!check.rootCause || check.rootCause.source === 'check') continue;
      const key = rootCauseKey(check.rootCause);
      const root = check.rootCause.blockedBy ?? check.rootCause.service;
      const group = groups.get(key) ?? { cause: check.rootCause, root, blocked: new Set<string>(), checks: [] };
      if (check.rootCause.blockedBy && check.rootCause.service !== root) group.blocked.add(check.rootCause.service);
      group.checks.push(check);
      groups.set(key, group);
    }
    if (groups.size > 0) {
      line('### Root causes');
      line();
      let n = 0;
      for (const { cause, root, blocked, checks } of groups.values()) {
        n++;
        line(`${n}. **${root}** — ${txt(cause.summary, 300)} (${code(cause.code)}, ${rootCauseSource(cause)})`);
        if (blocked.size > 0) line(`   - Not started because of it: ${[...blocked].sort().map((s) => `**${s}**`).join(', ')}`);
        if (cause.evidence) line(`   - Evidence: ${code(oneLine(cause.evidence, 240))}`);
        line(`   - Hint: ${txt(cause.hint, 400)}`);
        line(`   - Explains ${checks.length} failing check${checks.length === 1 ? '' : 's'}: ${checks.map((c) => code(c.id)).join(', ')}`);
      }
      line();
    }
    line('### Failing checks');
    line();
    for (const check of failures) {
      line(`#### ❌ ${check.name} (${code(check.id)}, ${check.category})`);
      line();
      if (check.request) line(`- Request: ${code(`${check.request.method} ${check.request.url}`)}${check.response ? ` → ${check.response.status}` : ''}`);
      line(`- What failed: ${txt(check.message ?? 'failed', 400)}`);
      if (check.rootCause) {
        const via = check.rootCause.blockedBy && check.rootCause.blockedBy !== check.rootCause.service ? ` (${check.rootCause.service} was not started: blocked by ${check.rootCause.blockedBy})` : '';
        line(`- Root cause: **${check.rootCause.blockedBy ?? check.rootCause.service}** — ${txt(check.rootCause.summary, 300)}${via} (${rootCauseSource(check.rootCause)})`);
      }
      const hint = check.hint ?? check.rootCause?.hint;
      if (hint) line(`- Hint: ${txt(hint, 400)}`);
      line();
    }
  }

  const skipped = report.checks.filter((c) => c.status === 'skipped');
  if (skipped.length > 0) {
    line('## ⏭️ Skipped checks');
    line();
    const reasons = new Map<string, CheckResult[]>();
    for (const check of skipped) {
      const reason = check.message ?? 'skipped';
      reasons.set(reason, [...(reasons.get(reason) ?? []), check]);
    }
    for (const [reason, checks] of reasons) {
      line(`- SKIPPED – ${txt(reason)}: ${checks.map((c) => txt(c.name)).join(', ')}`);
    }
    line();
  }

  const perf = report.performance;
  line('## ⚡ Performance');
  line();
  line('| Metric | Value |');
  line('|--------|-------|');
  line(`| Average response time | ${ms(perf.avgResponseMs)} |`);
  line(`| Median (p50) | ${ms(perf.p50ResponseMs)} |`);
  line(`| p95 response time | ${ms(perf.p95ResponseMs)} |`);
  line(`| Slowest response | ${ms(perf.maxResponseMs)} |`);
  line(`| Error rate | ${pct(perf.errorRate)} |`);
  line(`| Response times measured | ${perf.samples} |`);
  line();
  if (perf.load.length > 0) {
    line('| Load check | Requests | Concurrency | Success rate | Average | p95 | Max |');
    line('|------------|----------|-------------|--------------|---------|-----|-----|');
    for (const load of perf.load) {
      line(`| ${cell(load.name)} | ${load.requests} | ${load.concurrency} | ${pct(load.successRate)} | ${ms(load.avgMs)} | ${ms(load.p95Ms)} | ${ms(load.maxMs)} |`);
    }
    line();
  }
  if (perf.slowest.length > 0) {
    line(`Slowest checks: ${perf.slowest.map((s) => `${s.name} ${ms(s.latencyMs)}`).join(', ')}.`);
    line();
  }

  line('## 🎯 Success criteria');
  line();
  line('| Criterion | Threshold | Actual | Met |');
  line('|-----------|-----------|--------|-----|');
  for (const criterion of report.criteria) {
    line(`| ${cell(criterion.label)} | ${criterionText(criterion)} | ${criterionActual(criterion)} | ${criterion.met ? '✅ yes' : '❌ no'} |`);
  }
  line();
  line('---');
  line();
  line(`**Status:** ${statusLine(report)}  `);
  line(`Generated by stackctl ${run.stackctlVersion} · report schema \`${report.schema}\` v${report.schemaVersion}`);
  return `${out.join('\n')}\n`;
}
