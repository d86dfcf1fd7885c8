/**
 * Human text shared by the tty and plain renderers and by the commands: durations, the end-of-run
 * summary, a failed service's diagnosis.
 */
import type { Diagnosis } from '../../diagnose/model.js';
import type { ServiceResult, UpResult } from '../../engine/results.js';
import type { Paint } from '../../paint.js';

/**
 * `850ms`, `12.3s`, `2m05s`, `1h02m`. Rounded to the unit it is printed in before it is split, so a
 * value just under a boundary carries over (59.96 s is `1m00s`, 119.6 s is `2m00s`), never `60.0s`/`1m60s`.
 */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(ms / 60_000);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}

export function stateMark(state: string, p: Paint): string {
  switch (state) {
    case 'ready':
    case 'started':
    case 'completed':
    case 'unchanged':
    case 'removed':
    case 'stopped':
      return p.green('✔');
    case 'failed':
      return p.red('✖');
    case 'blocked':
      return p.yellow('⊘');
    case 'cancelled':
      return p.yellow('■');
    default:
      return p.dim('·');
  }
}

const PAST: Record<ServiceResult['action'], string> = {
  create: 'created',
  recreate: 'recreated',
  start: 'started',
  keep: 'unchanged',
  skip: 'skipped',
};

function timingText(result: ServiceResult): string {
  const t = result.timings;
  if (result.action === 'keep') return t.readyMs !== undefined && result.attempts > 0 ? `unchanged, re-probed` : 'unchanged';
  const parts: string[] = [];
  if (t.buildMs !== undefined && t.buildMs >= 1000) parts.push(`image ready in ${formatMs(t.buildMs)}`);
  if (t.waitMs !== undefined && t.waitMs >= 50) parts.push(`waited ${formatMs(t.waitMs)}`);
  if (t.startMs !== undefined) parts.push(`start ${formatMs((t.createMs ?? 0) + t.startMs)}`);
  if (t.readyMs !== undefined && result.state === 'ready') parts.push(`ready after ${formatMs(t.readyMs)}`);
  if (t.readyMs !== undefined && result.state === 'completed') parts.push(`completed after ${formatMs(t.readyMs)}`);
  const verb = PAST[result.action];
  return parts.length > 0 ? `${verb}: ${parts.join(', ')}` : verb;
}

function portsText(result: ServiceResult): string {
  const published = result.ports.filter((port) => port.hostPort > 0).map((port) => `${port.hostIp}:${port.hostPort}`);
  return published.length > 0 ? published.join(', ') : '';
}

/** The per-service table and headline at the end of `up`. */
export function upSummary(result: UpResult, p: Paint): string[] {
  const width = Math.max(...result.services.map((s) => s.service.length), 7);
  const counts = new Map<string, number>();
  for (const service of result.services) counts.set(service.state, (counts.get(service.state) ?? 0) + 1);
  const good = (counts.get('ready') ?? 0) + (counts.get('started') ?? 0) + (counts.get('completed') ?? 0);
  const lines: string[] = [];
  const total = result.services.length;
  if (result.ok && result.noop) {
    lines.push(p.green(`stack ${result.stack}: up to date — ${good} of ${total} services ready, nothing changed (${formatMs(result.durationMs)})`));
  } else if (result.ok) {
    lines.push(p.green(`stack ${result.stack}: ${good} of ${total} services ready in ${formatMs(result.durationMs)}`));
  } else {
    const parts = [`${good} ready`];
    for (const state of ['failed', 'blocked', 'cancelled'] as const) {
      const n = counts.get(state) ?? 0;
      if (n > 0) parts.push(`${n} ${state === 'cancelled' ? 'not started (interrupted)' : state}`);
    }
    const headline = `stack ${result.stack}: ${parts.join(', ')} of ${total} (${formatMs(result.durationMs)})`;
    lines.push(result.cancelled ? p.yellow(headline) : p.red(headline));
  }
  const stateOf = (service: ServiceResult): string => (service.state === 'blocked' ? `blocked by ${service.blockedBy}` : service.state);
  const stateWidth = Math.max(...result.services.map((service) => stateOf(service).length), 7);
  for (const service of result.services) {
    const detail =
      service.state === 'failed'
        ? (service.diagnosis?.rootCause.summary ?? '')
        : service.state === 'blocked'
          ? 'not started'
          : service.state === 'cancelled'
            ? 'not started or not ready when interrupted'
            : timingText(service);
    const ports = service.state === 'blocked' || service.state === 'cancelled' ? '' : portsText(service);
    lines.push(
      `  ${stateMark(service.state, p)} ${service.service.padEnd(width)}  ${stateOf(service).padEnd(stateWidth)}  ${p.dim(detail)}${ports ? p.dim(`  ${ports}`) : ''}`,
    );
  }
  return lines;
}

/** A failed service, explained (what the container did, what it said, the classified cause, the fix). */
export function diagnosisText(diagnosis: Diagnosis, p: Paint): string[] {
  const lines: string[] = [];
  const cause = diagnosis.rootCause;
  if (diagnosis.state === 'blocked') {
    lines.push(`${p.yellow('⊘')} ${p.bold(diagnosis.service)} blocked by ${p.bold(diagnosis.blockedBy ?? '?')}`);
    return lines;
  }
  lines.push(`${p.red('✖')} ${p.bold(diagnosis.service)} failed — ${p.bold(cause.code)}: ${cause.summary}`);
  if (diagnosis.container) {
    const c = diagnosis.container;
    const facts = [c.status];
    if (c.exitCode !== undefined) facts.push(`exit code ${c.exitCode}`);
    facts.push(c.oomKilled ? p.red('OOM-killed') : 'not OOM-killed');
    facts.push(`${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}`);
    lines.push(`    container: ${facts.join(', ')}`);
  }
  if (diagnosis.probe) {
    const last = diagnosis.probe.lastError ? `, last error: ${diagnosis.probe.lastError}` : '';
    lines.push(`    probe: ${diagnosis.probe.attempts} attempt${diagnosis.probe.attempts === 1 ? '' : 's'}${last}`);
  }
  if (cause.evidence) lines.push(`    evidence: ${cause.evidence}`);
  if (diagnosis.lastLogLines.length > 0) {
    lines.push(`    last log lines:`);
    for (const line of diagnosis.lastLogLines.slice(-10)) lines.push(p.dim(`      | ${line}`));
  }
  lines.push(`    ${p.cyan('hint:')} ${cause.hint}`);
  return lines;
}

/** Diagnoses of every failed service, then one line per blocked service. */
export function failureReport(result: UpResult, p: Paint): string[] {
  const lines: string[] = [];
  for (const service of result.services) {
    if (service.state === 'failed' && service.diagnosis) lines.push('', ...diagnosisText(service.diagnosis, p));
  }
  const blocked = result.services.filter((service) => service.state === 'blocked');
  if (blocked.length > 0) lines.push('');
  for (const service of blocked) {
    lines.push(`${p.yellow('⊘')} ${p.bold(service.service)} blocked by ${p.bold(service.blockedBy ?? '?')} (not started)`);
  }
  return lines;
}
