/**
 * JUnit XML for CI: one <testsuite> per category, one <testcase> per check; a failure carries the
 * message, the root cause and the hint; a skipped check carries its reason. Times in seconds.
 */
import { slug } from '../slug.js';
import { oneLine } from './format.js';
import type { CheckResult, Report } from './model.js';
import { xmlEscape } from './xml.js';

function secondsAttr(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}

function failureText(check: CheckResult): string {
  const lines: string[] = [];
  if (check.request) lines.push(`request: ${check.request.method} ${check.request.url}${check.response ? ` → ${check.response.status}` : ''}`);
  lines.push(`failed: ${check.message ?? 'failed'}`);
  if (check.rootCause) {
    lines.push(`root cause: ${check.rootCause.service}: ${check.rootCause.summary} [${check.rootCause.code}, from ${check.rootCause.source}]`);
    if (check.rootCause.blockedBy) lines.push(`blocked by: ${check.rootCause.blockedBy}`);
    if (check.rootCause.evidence) lines.push(`evidence: ${check.rootCause.evidence}`);
  }
  const hint = check.hint ?? check.rootCause?.hint;
  if (hint) lines.push(`hint: ${hint}`);
  return lines.join('\n');
}

export function renderJunit(report: Report): string {
  const { run, summary } = report;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="${xmlEscape(`stackctl ${run.stack.name}: ${run.suite.name}`)}" tests="${summary.total}" failures="${summary.failed}" errors="0" skipped="${summary.skipped}" time="${secondsAttr(run.durationMs)}" timestamp="${xmlEscape(run.startedAt)}">`,
  );
  for (const category of report.categories) {
    const checks = report.checks.filter((c) => c.category === category.name);
    const time = checks.reduce((sum, c) => sum + c.durationMs, 0);
    const firstStart = checks[0]?.startedAt ?? run.startedAt;
    out.push(
      `  <testsuite name="${xmlEscape(category.name)}" tests="${category.total}" failures="${category.failed}" errors="0" skipped="${category.skipped}" time="${secondsAttr(time)}" timestamp="${xmlEscape(firstStart)}">`,
    );
    out.push('    <properties>');
    const properties: Array<[string, string]> = [
      ['stack', run.stack.name],
      ['run', run.id],
      ['configHash', run.stack.configHash],
      ['successRate', category.successRate.toFixed(1)],
    ];
    if (run.git) properties.push(['commit', run.git.commit]);
    for (const [name, value] of properties) out.push(`      <property name="${xmlEscape(name)}" value="${xmlEscape(value)}"/>`);
    out.push('    </properties>');
    for (const check of checks) {
      const attrs = `name="${xmlEscape(check.name)}" classname="${xmlEscape(`${slug(run.stack.name)}.${slug(category.name)}`)}" time="${secondsAttr(check.durationMs)}"`;
      if (check.status === 'passed') {
        out.push(`    <testcase ${attrs}/>`);
      } else if (check.status === 'skipped') {
        out.push(`    <testcase ${attrs}>`);
        out.push(`      <skipped message="${xmlEscape(oneLine(check.message ?? 'skipped', 500))}"/>`);
        out.push('    </testcase>');
      } else {
        out.push(`    <testcase ${attrs}>`);
        out.push(
          `      <failure message="${xmlEscape(oneLine(check.message ?? 'failed', 500))}" type="${xmlEscape(check.rootCause?.code ?? check.kind)}">${xmlEscape(failureText(check))}</failure>`,
        );
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
