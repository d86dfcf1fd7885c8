/**
 * `stackctl diagnose` on a terminal: one screen — the root causes (evidence, the file's line, the
 * fix), one line per service, the timeline. Services named on the command line get their details
 * too (health outputs, last log lines, environment). Pure: report in, lines out.
 */
import type { DiagnoseReport, ServiceReport } from '../../diagnose/report.js';
import type { TimelineEntry } from '../../diagnose/timeline.js';
import type { StackSummary } from '../../diagnose/stacks.js';
import type { Paint } from '../../paint.js';
import { formatMs } from './text.js';

export interface DiagnoseTextOptions {
  /** Print each service's details (logs, env, health outputs). */
  details: boolean;
  /** Timeline entries shown at most (default 20). */
  timelineLimit?: number;
}

function pad(cells: string[][], p: Paint, header: string[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [p.bold(line(header)), ...cells.map(line)];
}

export function stateText(service: ServiceReport): string {
  if (service.state === 'exited') return `exited (${service.exitCode ?? '?'})${service.oomKilled ? ' OOM' : ''}`;
  if (service.oomKilled) return `${service.state} OOM`;
  return service.state;
}

function portsText(service: ServiceReport): string {
  return service.ports
    .map((port) => `${port.mapping.replace(/^0\.0\.0\.0:/, '')}${port.answers === undefined ? '' : port.answers ? ' answers' : ' silent'}`)
    .join(', ');
}

export function timelineLine(entry: TimelineEntry, width: number): string {
  const clock = entry.at.slice(11, 23);
  return `  +${formatMs(entry.offsetMs).padEnd(7)} ${clock}  ${entry.service.padEnd(width)}  ${entry.action}${entry.detail ? `  ${entry.detail}` : ''}`;
}

export function renderDiagnoseText(report: DiagnoseReport, p: Paint, options: DiagnoseTextOptions): string[] {
  const out: string[] = [];
  const where = report.stack.file ? `, file ${report.stack.file}` : '';
  const { services, failing, rootCauses } = report.summary;
  out.push(
    `${p.bold(`stack ${report.stack.name}`)} (${report.stack.source}${where}): ${services} service${services === 1 ? '' : 's'}, ${failing} failing, ${rootCauses} root cause${rootCauses === 1 ? '' : 's'}`,
  );
  if (report.rootCauses.length > 0) {
    out.push('', p.bold('ROOT CAUSES'));
    for (const cause of report.rootCauses) {
      out.push(`${p.red('✗')} ${p.bold(cause.code)} [${cause.services.join(', ')}]  ${cause.summary}`);
      // One of each on a screen; --json and --format md carry them all.
      const evidence = cause.evidence[0];
      if (evidence) out.push(`    evidence: ${cause.services.length > 1 ? `${evidence.service}: ` : ''}${evidence.line}`);
      const finding = cause.findings[0];
      if (finding) {
        const more = cause.findings.length > 1 ? ` (+${cause.findings.length - 1} more: ${cause.findings.slice(1).map((f) => f.location.replace(/^.*?:(\d+:\d+)$/, 'line $1')).join(', ')})` : '';
        out.push(`    file:     ${finding.location} ${finding.code}: ${finding.message}${more}`);
      }
      out.push(`    ${p.green('fix:')}      ${cause.fix}`);
    }
  } else if (failing === 0) {
    out.push('', p.green('✓ no failing service'));
  }

  out.push('', p.bold('SERVICES'));
  const rows = report.services.map((s) => [
    s.service,
    stateText(s),
    s.restartCount > 0 ? `${s.restartCount}${s.restartLoop ? ' loop' : ''}` : '0',
    s.health ? `${s.health.status}${s.health.failingStreak > 0 ? ` (${s.health.failingStreak} failed)` : ''}` : '-',
    portsText(s) || '-',
    s.cause ? s.cause.code : s.failing ? '?' : 'ok',
  ]);
  const table = pad(rows, p, ['SERVICE', 'STATE', 'RESTARTS', 'HEALTH', 'PORTS', 'CAUSE']);
  out.push(table[0]!, ...table.slice(1).map((line, i) => (report.services[i]!.failing ? p.yellow(line) : line)));

  if (options.details) {
    for (const service of report.services) out.push(...serviceDetails(service, p));
  }

  const entries = report.timeline.entries;
  out.push('', p.bold(`TIMELINE since ${report.timeline.since.slice(11, 19)} UTC`));
  if (entries.length === 0) out.push('  (no engine events in the window: widen it with --since)');
  const limit = options.timelineLimit ?? 20;
  const width = Math.max(0, ...entries.map((e) => e.service.length));
  const shown = entries.length > limit ? entries.slice(entries.length - limit) : entries;
  if (shown.length < entries.length) out.push(p.dim(`  … ${entries.length - shown.length} earlier events (--json or --format md shows all)`));
  for (const entry of shown) {
    const line = timelineLine(entry, width);
    out.push(entry.action === 'die' || entry.action === 'oom' || entry.action === 'unhealthy' || entry.action === 'restarting' ? p.yellow(line) : line);
  }

  if (report.otherFindings.length > 0) {
    const errors = report.otherFindings.filter((f) => f.severity === 'error').length;
    out.push('', `validate found ${errors} more error${errors === 1 ? '' : 's'} and ${report.otherFindings.length - errors} warning${report.otherFindings.length - errors === 1 ? '' : 's'} that explain no failure (stackctl validate -f ${report.stack.file ?? 'FILE'})`);
  }
  for (const note of report.notes) out.push(p.dim(`note: ${note}`));
  if (!options.details && failing > 0) out.push(p.dim(`details of a service (health, last log lines, environment): stackctl diagnose … SERVICE; all of it: --format md or --json`));
  return out;
}

function serviceDetails(service: ServiceReport, p: Paint): string[] {
  const out = ['', p.bold(`── ${service.service}`) + (service.container ? ` (container ${service.container}, image ${service.image ?? '?'})` : '')];
  out.push(`  state ${stateText(service)}, restarts ${service.restartCount}${service.restartLoop ? ' (restart loop)' : ''}, restart policy ${service.restartPolicy ?? '-'}${service.memoryLimitBytes ? `, memory limit ${Math.round(service.memoryLimitBytes / 1048576)} MiB` : ''}`);
  if (service.cause) out.push(`  cause: ${service.cause.summary}`, `  fix:   ${service.cause.hint}`);
  if (service.health) {
    out.push(`  health: ${service.health.status}, ${service.health.failingStreak} failed in a row; last outputs:`);
    for (const output of service.health.lastOutputs) out.push(`    ${output.split('\n')[0] ?? ''}`);
  }
  if (service.ports.length > 0) out.push(`  ports: ${portsText(service)}`);
  if (service.lastLogLines.length > 0) {
    out.push('  last log lines:');
    for (const line of service.lastLogLines) out.push(`    ${line}`);
  }
  if (service.environment.length > 0) out.push(`  environment: ${service.environment.map((e) => `${e.name}=${e.value}`).join(' ')}`);
  return out;
}

export function renderStackList(stacks: StackSummary[], p: Paint): string[] {
  if (stacks.length === 0) return ['no stacks on this engine (no container carries stackctl\'s or compose\'s labels); name containers with --containers NAME…'];
  const rows = stacks.map((s) => [s.name, s.source, s.state, `${s.running}/${s.containers}`, String(s.failing)]);
  const out = pad(rows, p, ['STACK', 'STARTED BY', 'STATE', 'RUNNING', 'FAILING']);
  return [...out, '', p.dim('diagnose one: stackctl diagnose -p STACK')];
}
