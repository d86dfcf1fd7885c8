/**
 * The other commands through a running daemon: ps, logs, down, test and up call these when a daemon
 * supervises the stack (daemonFor), so the daemon stays the one actor on the stack — a `down`
 * behind its back would be undone by it. The `daemon` command itself is commands/daemon.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DaemonEventRecord } from '../daemon/api-types.js';
import { findDaemon, type DaemonClient } from '../daemon/client.js';
import type { Report } from '../report/model.js';
import { renderTerminal } from '../report/render-terminal.js';
import type { CliContext } from './context.js';
import type { Output } from './render/output.js';
import type { PsRow } from './render/ps-row.js';

/** One plain line per event worth showing while the stack comes up. */
export function describeEvent(record: DaemonEventRecord): string | undefined {
  const e = record.event;
  const time = record.at.slice(11, 23);
  switch (e.type) {
    case 'engine': {
      const ev = e.event;
      if (ev.type === 'service.phase' && ev.phase !== 'waiting') return `${time} ${ev.service}: ${ev.phase}${ev.detail ? ` (${ev.detail})` : ''}`;
      if (ev.type === 'service.failed') return `${time} ${ev.service}: FAILED — ${ev.diagnosis.rootCause.summary}; hint: ${ev.diagnosis.rootCause.hint}`;
      if (ev.type === 'stack.waiting') return `${time} waiting: ${ev.reason}`;
      if (ev.type === 'service.repaired') return `${time} ${ev.service}: recreating ${ev.containerName} (volumes kept): the engine could not start it: ${ev.engineError}`;
      return undefined;
    }
    case 'engine.unavailable':
      return `${time} engine: does not answer (${e.reason}); supervision on hold, nothing is restarted until it is back`;
    case 'engine.available':
      return `${time} engine: answers again after ${Math.round(e.downMs / 100) / 10}s; reconciling the stack like up`;
    case 'engine.reconciled':
      return `${time} engine: stack reconciled in ${Math.round(e.durationMs / 100) / 10}s — ${e.ready}/${e.total} ready${e.detail ? ` (${e.detail})` : ''}`;
    case 'daemon.phase':
      return `${time} daemon: ${e.phase}${e.detail ? ` — ${e.detail}` : ''}`;
    case 'service.state':
      return `${time} ${e.service}: ${e.previous} → ${e.state} (${e.reason})`;
    case 'service.died':
      return `${time} ${e.service}: died (${e.oomKilled ? 'OOM-killed' : `exit ${e.exitCode ?? '?'}`})${e.by === 'docker-restarting' ? ', Docker is restarting it' : ''}`;
    case 'service.restart-scheduled':
      return `${time} ${e.service}: restart #${e.attempt} in ${e.delayMs} ms (${e.reason})`;
    case 'service.probe-failed':
      return `${time} ${e.service}: probe failed (${e.consecutive} in a row)${e.error ? `: ${e.error}` : ''}`;
    case 'service.restarting':
      return `${time} ${e.service}: restart #${e.attempt} by ${e.by} (${e.reason})`;
    case 'service.recovered':
      return `${time} ${e.service}: recovered after ${e.downMs} ms`;
    case 'service.gave-up':
      return `${time} ${e.service}: given up after ${e.restarts} restarts — ${e.reason}`;
    case 'service.diagnosed':
      return `${time} ${e.service}: diagnosis — ${e.diagnosis.rootCause.summary}; hint: ${e.diagnosis.rootCause.hint}`;
    case 'suite.finished':
      return `${time} suite: ${e.result.summary}${e.result.reportPath ? ` (report: ${e.result.reportPath})` : ''}`;
    case 'action.started':
      return `${time} action ${e.action}${e.service ? ` ${e.service}` : ''} started`;
    case 'action.finished':
      return `${time} action ${e.action}${e.service ? ` ${e.service}` : ''} ${e.ok ? 'done' : 'failed'}${e.detail ? ` — ${e.detail}` : ''}`;
    default:
      return undefined;
  }
}

/** The daemon supervising this stack, if one runs and answers; STACKCTL_NO_DAEMON=1 ignores it. */
export async function daemonFor(ctx: CliContext, stackDir: string, stackName: string): Promise<DaemonClient | undefined> {
  if (ctx.env.STACKCTL_NO_DAEMON === '1') return undefined;
  return findDaemon(stackDir, stackName);
}

function ago(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return seconds < 60 ? `${seconds}s` : seconds < 3600 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}

/** `stackctl ps` from the daemon's status: its supervision state, last probe, restarts and diagnoses. */
export async function psViaDaemon(client: DaemonClient, out: Output, options: { json?: boolean }): Promise<number> {
  const status = await client.status();
  const now = Date.now();
  const rows = status.services.map((s) => {
    const c = s.container;
    const row: PsRow & { supervision: Record<string, unknown> } = {
      service: s.name,
      container: c?.name ?? `${status.stack}-${s.name}`,
      state: c?.status ?? 'missing',
      readiness: s.ready ? 'ready' : c?.status === 'running' ? 'not ready' : '-',
      ports: (c?.ports ?? []).filter((p) => p.hostPort > 0).map((p) => `${p.hostIp}:${p.hostPort}->${p.target}/${p.protocol}`).sort(),
      restarts: s.restarts,
      orphan: false,
      supervision: {
        state: s.state,
        reason: s.reason,
        since: s.since,
        degradedBy: s.degradedBy,
        restartPolicy: s.restartPolicy,
        failuresInARow: s.failuresInARow,
        ...(s.lastProbe ? { lastProbe: s.lastProbe } : {}),
        ...(s.nextRestartAt ? { nextRestartAt: s.nextRestartAt } : {}),
        ...(s.lastDiagnosis ? { lastDiagnosis: s.lastDiagnosis } : {}),
      },
    };
    if (c) row.containerId = c.id.slice(0, 12);
    if (c?.exitCode !== undefined) row.exitCode = c.exitCode;
    if (!s.ready && s.lastProbe && !s.lastProbe.ok && s.lastProbe.error) row.readinessError = s.lastProbe.error;
    if (c?.startedAt && c.status === 'running') row.uptimeSeconds = Math.max(0, Math.round((now - Date.parse(c.startedAt)) / 1000));
    return row;
  });
  if (options.json) {
    out.json(rows);
    return 0;
  }
  const p = out.paint;
  out.line(
    p.dim(
      `supervised by the daemon: pid ${status.pid}, up ${ago(status.startedAt, now)}, ${status.phase}${status.action ? ` (${status.action.name})` : ''}, ${Math.round(status.memory.rssBytes / 1048576)} MB`,
    ),
  );
  if (status.engine && !status.engine.answering) {
    out.line(p.yellow(`the container engine does not answer since ${status.engine.downSince ?? '?'} (${status.engine.reason ?? 'no answer'}); the daemon acts on nothing until it does, then reconciles the stack`));
  }
  const table = status.services.map((s, i) => {
    const row = rows[i]!;
    const restarted = s.lastRestartAt ? `restarted ${ago(s.lastRestartAt, now)} ago; ` : '';
    const detail =
      s.state === 'ready'
        ? s.lastProbe
          ? `${restarted}probed ${ago(s.lastProbe.at, now)} ago`
          : restarted.replace(/; $/, '')
        : s.state === 'backoff' && s.nextRestartAt
          ? `${s.reason}; next restart in ${Math.max(0, Math.round((Date.parse(s.nextRestartAt) - now) / 100) / 10)}s`
          : s.reason;
    return [
      s.name,
      s.state,
      row.state === 'exited' ? `exited (${row.exitCode ?? '?'})` : row.state,
      row.ports.join(', '),
      row.uptimeSeconds === undefined ? '' : `up ${ago(new Date(now - row.uptimeSeconds * 1000).toISOString(), now)}`,
      s.restarts > 0 ? `${s.restarts} restart${s.restarts === 1 ? '' : 's'}` : '',
      detail,
    ];
  });
  const headers = ['SERVICE', 'STATE', 'CONTAINER', 'PORTS', 'UPTIME', 'RESTARTS', 'DETAIL'];
  const widths = headers.map((h, i) => (i === headers.length - 1 ? 0 : Math.max(h.length, ...table.map((cells) => cells[i]!.length))));
  const fmt = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  out.line(p.bold(fmt(headers)));
  table.forEach((cells, i) => {
    const state = status.services[i]!.state;
    const line = fmt(cells);
    out.line(state === 'ready' ? line : state === 'failed' ? p.red(line) : p.yellow(line));
  });
  for (const s of status.services) {
    if (s.state !== 'failed' || !s.lastDiagnosis) continue;
    out.line(`${p.red(`${s.name}:`)} ${s.lastDiagnosis.rootCause.summary}`);
    out.line(`  hint: ${s.lastDiagnosis.rootCause.hint}`);
    for (const line of s.lastDiagnosis.lastLogLines.slice(-5)) out.line(p.dim(`  | ${line}`));
  }
  if (status.lastTest) out.line(p.dim(`last suite run ${ago(status.lastTest.at, now)} ago: ${status.lastTest.summary}`));
  return 0;
}

/** `stackctl logs` through the daemon: `-f` carries on across restarts (the daemon re-attaches). */
export async function logsViaDaemon(
  ctx: CliContext,
  client: DaemonClient,
  out: Output,
  services: string[],
  options: { follow?: boolean; tail?: number },
): Promise<number> {
  const names = services.length > 0 ? services : (await client.status()).services.map((s) => s.name);
  const width = Math.max(...names.map((s) => s.length), 1);
  const prefix = (service: string): string => `${out.paint.pick(Math.max(0, names.indexOf(service)), `${service.padEnd(width)} |`)} `;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.logs(
      { services, tail: options.tail ?? 'all', follow: options.follow === true },
      (line) => out.line(`${prefix(line.service)}${line.line}`),
      { signal: controller.signal },
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  return 0;
}

/** `stackctl down` through the daemon: it stops supervising, brings the stack down and exits. */
export async function downViaDaemon(client: DaemonClient, out: Output, stackName: string, options: { volumes?: boolean; json?: boolean }): Promise<number> {
  const result = await client.down({ volumes: options.volumes === true, exit: true });
  if (options.json) {
    out.json({ type: 'down.result', stack: stackName, viaDaemon: true, ...result });
    return result.ok ? 0 : 1;
  }
  out.line(`stack ${stackName}: ${result.message}`);
  return result.ok ? 0 : 1;
}

/**
 * `stackctl test` through the daemon: the suite runs there (with the daemon's diagnoses of the
 * services it gave up on), and the report it stored is printed here the way `stackctl test` does.
 */
export async function testViaDaemon(
  ctx: CliContext,
  client: DaemonClient,
  out: Output,
  options: { suite?: string; baseline?: string; failOnRegression?: boolean; out?: string; reportsDir?: string; json?: boolean; progress?: boolean },
): Promise<number> {
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(ctx.cwd, p));
  // A baseline given as a path is resolved here; a run id or `latest`/`previous` is passed as is.
  const baseline = options.baseline !== undefined && /[\\/]|\.json$/.test(options.baseline) ? abs(options.baseline) : options.baseline;
  if (options.progress !== false && !options.json) ctx.stderr.write(`stackctl: the suite runs in the daemon (pid ${(await client.ping()).pid})…\n`);
  const result = await client.test({
    ...(options.suite !== undefined ? { suite: abs(options.suite) } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(options.failOnRegression ? { failOnRegression: true } : {}),
    ...(options.out !== undefined ? { outDir: abs(options.out) } : {}),
    ...(options.reportsDir !== undefined ? { reportsDir: abs(options.reportsDir) } : {}),
  });
  const files = result.test?.files;
  if (!files) {
    ctx.stderr.write(`stackctl: ${out.redactor.redact(result.message)}\n`);
    return 1;
  }
  const report = JSON.parse(readFileSync(files.json, 'utf8')) as Report;
  if (options.json) out.json(report);
  else out.write(renderTerminal(report, { color: out.color, files: result.test?.copies ?? files }));
  return result.test?.exitCode ?? (result.ok ? 0 : 1);
}

/**
 * `stackctl up` through the daemon (for the up command to call when a daemon supervises the stack):
 * the daemon reloads the file and applies it, so the running supervisor and a separate `up` never
 * race on the same containers. Progress comes from the event stream; exit 0 when every service ends
 * ready, 1 otherwise.
 */
export async function upViaDaemon(ctx: CliContext, client: DaemonClient, out: Output, options: { json?: boolean } = {}): Promise<number> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let finished: () => void = () => {};
  const streamedToEnd = new Promise<void>((resolve) => (finished = resolve));
  let subscribed: () => void = () => {};
  const subscription = new Promise<void>((resolve) => (subscribed = resolve));
  // What printing an event throws (a closed stdout, a renderer's bug) is this command's failure, not
  // the stream's: it ends the command with that error. A stream the daemon cannot serve only costs
  // the progress lines.
  let printFailed: (error: unknown) => void = () => {};
  const printing = new Promise<never>((_resolve, reject) => (printFailed = reject));
  printing.catch(() => undefined);
  const stream = client
    .events(
      (record) => {
        if (record.event.type === 'action.finished' && record.event.action === 'up') finished();
        try {
          if (options.json) out.json(record);
          else {
            const line = describeEvent(record);
            if (line) out.line(line);
          }
        } catch (error) {
          printFailed(error);
          throw error;
        }
      },
      { signal: controller.signal, onSubscribed: subscribed },
    )
    .catch(() => undefined);
  try {
    await Promise.race([subscription, stream, printing]); // subscribed before the action starts (or no stream at all)
    const result = await Promise.race([client.up(), printing]);
    // Let the stream catch up with the end of the action before closing it.
    await Promise.race([streamedToEnd, new Promise((r) => setTimeout(r, 2_000)), printing]);
    if (options.json) out.json({ type: 'up.result', viaDaemon: true, ...result });
    else {
      for (const service of result.services ?? []) out.line(`  ${service.name.padEnd(22)} ${service.outcome}${service.detail ? ` — ${service.detail}` : ''}`);
      out.line(result.message);
    }
    return result.ok ? 0 : 1;
  } finally {
    controller.abort();
    ctx.signal.removeEventListener('abort', onAbort);
    await stream;
  }
}
