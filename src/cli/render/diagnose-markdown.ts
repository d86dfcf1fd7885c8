/** `stackctl diagnose --format md`: the whole report as Markdown, for pasting into a ticket. */
import type { DiagnoseReport } from '../../diagnose/report.js';
import { stateText } from './diagnose-text.js';
import { formatMs } from './text.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const fence = (lines: string[]): string[] => (lines.length === 0 ? [] : ['```', ...lines.map((line) => line.replace(/```/g, "'''")), '```']);

export function renderDiagnoseMarkdown(report: DiagnoseReport): string {
  const out: string[] = [];
  const { services, failing, rootCauses } = report.summary;
  out.push(`# Diagnosis of stack \`${report.stack.name}\``, '');
  out.push(`Started by ${report.stack.source}${report.stack.file ? `, file \`${report.stack.file}\`` : ''}; ${services} services, ${failing} failing, ${rootCauses} root causes. Generated ${report.generatedAt} by \`stackctl diagnose\`.`, '');
  out.push('## Root causes', '');
  if (report.rootCauses.length === 0) out.push('None found.', '');
  report.rootCauses.forEach((cause, i) => {
    out.push(`### ${i + 1}. \`${cause.code}\` — ${cause.summary}`, '');
    out.push(`- **Services:** ${cause.services.join(', ')}`);
    for (const evidence of cause.evidence) out.push(`- **Evidence** (${evidence.service}): \`${evidence.line.replace(/`/g, "'")}\``);
    for (const finding of cause.findings) out.push(`- **In the file:** \`${finding.location}\` ${finding.code}: ${finding.message}`);
    out.push(`- **Fix:** ${cause.fix}`, '');
  });
  out.push('## Services', '', '| service | state | restarts | health | ports | cause |', '|---|---|---|---|---|---|');
  for (const s of report.services) {
    const ports = s.ports.map((port) => `${port.mapping}${port.answers === undefined ? '' : port.answers ? ' (answers)' : ' (silent)'}`).join(', ');
    out.push(`| ${cell(s.service)} | ${cell(stateText(s))} | ${s.restartCount}${s.restartLoop ? ' (loop)' : ''} | ${s.health ? cell(s.health.status) : '-'} | ${cell(ports) || '-'} | ${s.cause ? cell(s.cause.code) : 'ok'} |`);
  }
  out.push('');
  for (const s of report.services.filter((service) => service.failing)) {
    out.push(`### ${s.service}`, '');
    if (s.cause) out.push(`${s.cause.summary}. **Fix:** ${s.cause.hint}`, '');
    if (s.health && s.health.lastOutputs.length > 0) out.push('Last healthcheck outputs:', '', ...fence(s.health.lastOutputs.map((o) => o.split('\n')[0] ?? '')), '');
    if (s.lastLogLines.length > 0) out.push('Last log lines:', '', ...fence(s.lastLogLines), '');
    if (s.environment.length > 0) out.push('Environment (secrets redacted):', '', ...fence(s.environment.map((e) => `${e.name}=${e.value}`)), '');
  }
  out.push(`## Timeline (since ${report.timeline.since})`, '', '| +time | at (UTC) | service | event |', '|---|---|---|---|');
  for (const entry of report.timeline.entries) {
    out.push(`| +${formatMs(entry.offsetMs)} | ${entry.at.slice(11, 23)} | ${cell(entry.service)} | ${cell(entry.action)}${entry.detail ? ` ${cell(entry.detail)}` : ''} |`);
  }
  if (report.otherFindings.length > 0) {
    out.push('', '## Other findings of validate', '');
    for (const finding of report.otherFindings) out.push(`- \`${finding.location}\` ${finding.severity} ${finding.code}${finding.service ? ` [${finding.service}]` : ''}: ${finding.message}`);
  }
  if (report.notes.length > 0) out.push('', ...report.notes.map((note) => `> note: ${note}`));
  return `${out.join('\n')}\n`;
}
