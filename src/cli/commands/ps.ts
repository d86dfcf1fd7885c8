/**
 * `stackctl ps`: each service's container state, readiness (re-probed now, one quick attempt),
 * published ports and uptime; `--json` for scripts. Containers are found by the stack's labels;
 * services of the file without a container show as `missing`, labelled containers of services no
 * longer in the file as orphans.
 */
import type { Command } from 'commander';
import { awaitedJobs, type Service, type Stack } from '../../config/model.js';
import { errorMessage } from '../../errors.js';
import { probeTarget } from '../../engine/readiness.js';
import { containerName } from '../../plan/names.js';
import { ownedContainers } from '../../plan/observed.js';
import type { ContainerInfo, Runtime } from '../../runtime/runtime.js';
import type { Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { daemonFor, psViaDaemon } from '../via-daemon.js';
import type { PsRow } from '../render/ps-row.js';
import { formatMs } from '../render/text.js';
import { addStackOptions, createRuntime, loadStackFor, loadStackOrName, projectNameOverride, redactorFor, type StackOptions } from '../stack-options.js';
import { addTargetOption, type Target } from './target-option.js';

interface PsCommandOptions extends StackOptions {
  json?: boolean;
  probe: boolean;
}

/** One probe attempt per service, at most this long (ps must stay quick). */
const PS_PROBE_TIMEOUT_MS = 2000;

export function registerPs(program: Command, ctx: CliContext): void {
  const command = program
    .command('ps')
    .description("list the stack's services: state, readiness (probed now), ports, uptime")
    .option('--json', 'print a JSON array')
    .option('--no-probe', 'do not re-probe readiness (faster)');
  addTargetOption(command);
  addStackOptions(command).action(async (options: PsCommandOptions & { target?: Target }) => {
    if (options.target === 'swarm') {
      const name = projectNameOverride(ctx, options) ?? (await loadStackFor(ctx, options)).name;
      return void (ctx.exitCode = await (await import('./swarm-target.js')).runSwarmPs(ctx, name, options.json === true));
    }
    ctx.exitCode = await runPs(ctx, options);
  });
}

function portsOf(container: ContainerInfo): string[] {
  return container.ports
    .filter((port) => port.hostPort > 0)
    .map((port) => `${port.hostIp}:${port.hostPort}->${port.target}/${port.protocol}`)
    .sort();
}

async function probeOnce(runtime: Runtime, service: Service, container: ContainerInfo, redactor: Redactor): Promise<Pick<PsRow, 'readiness' | 'readinessError'>> {
  if (!service.readiness) return { readiness: 'no probe' };
  const [{ createProbe }, { inTurn }] = await Promise.all([import('../../probes/create-probe.js'), import('../../probes/engine-turn.js')]);
  const probe = createProbe(service.readiness.probe, { redactor });
  const target = probeTarget(runtime, service.name, container);
  // Exec probes take turns (engine-turn.ts): one whose turn does not come soon is left unprobed —
  // said so — rather than a ps of 200 services waiting half a minute, or calling them not ready.
  let started = false;
  const attempt = (): Promise<void> => {
    started = true;
    return probe.check(target, AbortSignal.timeout(PS_PROBE_TIMEOUT_MS));
  };
  try {
    await inTurn(probe, attempt, AbortSignal.timeout(PS_PROBE_TIMEOUT_MS));
    return { readiness: 'ready' };
  } catch (error) {
    if (!started) return { readiness: 'not probed', readinessError: `the engine was busy with other exec probes for ${PS_PROBE_TIMEOUT_MS / 1000}s: run ps again, or ps --no-probe` };
    return { readiness: 'not ready', readinessError: redactor.redact(errorMessage(error)) };
  }
}

export async function collectRows(runtime: Runtime, stack: Stack | undefined, name: string, options: { probe: boolean; redactor: Redactor }): Promise<PsRow[]> {
  const containers = ownedContainers(await runtime.listContainers(name));
  const now = Date.now();
  const byService = new Map<string, ContainerInfo>();
  for (const container of containers) {
    const current = byService.get(container.service);
    // The canonical container first when a service has several.
    if (!current || container.name.replace(/^\//, '') === containerName(name, container.service)) byService.set(container.service, container);
  }
  const services = stack?.services ?? [];
  const known = new Set(services.map((service) => service.name));
  const jobs = awaitedJobs({ services });
  const rows = await Promise.all(
    services.map(async (service): Promise<PsRow> => {
      const container = byService.get(service.name);
      if (!container) {
        return { service: service.name, container: containerName(name, service.name), state: 'missing', readiness: '-', ports: [], restarts: 0, orphan: false };
      }
      const row = rowOf(container, now, false);
      if (container.status === 'running') {
        Object.assign(row, options.probe ? await probeOnce(runtime, service, container, options.redactor) : { readiness: service.readiness ? 'not probed' : 'no probe' });
      } else if (jobs.has(service.name) && container.status === 'exited' && container.exitCode === 0) {
        row.readiness = 'completed';
      }
      return row;
    }),
  );
  for (const container of containers) {
    if (!known.has(container.service)) rows.push(rowOf(container, now, true));
  }
  return rows;
}

function rowOf(container: ContainerInfo, now: number, orphan: boolean): PsRow {
  const since = container.status === 'running' ? container.startedAt : container.finishedAt;
  const row: PsRow = {
    service: container.service,
    container: container.name.replace(/^\//, ''),
    containerId: container.id.slice(0, 12),
    state: container.status,
    readiness: '-',
    ports: portsOf(container),
    restarts: container.restartCount,
    orphan,
  };
  if (container.exitCode !== undefined && container.status !== 'running') row.exitCode = container.exitCode;
  if (since) row.uptimeSeconds = Math.max(0, Math.round((now - since.getTime()) / 1000));
  return row;
}

async function runPs(ctx: CliContext, options: PsCommandOptions): Promise<number> {
  const { stack, name } = await loadStackOrName(ctx, options);
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  // A daemon supervising the stack knows more (supervision state, restarts, diagnoses): ask it.
  const daemon = await daemonFor(ctx, stack?.dir ?? ctx.cwd, name);
  if (daemon) return psViaDaemon(daemon, out, { json: options.json });
  const runtime = createRuntime(name, redactor);
  const rows = await collectRows(runtime, stack, name, { probe: options.probe, redactor });
  if (options.json) {
    out.json(rows);
    return 0;
  }
  const p = out.paint;
  if (rows.length === 0) {
    out.line(`stack ${name}: no services`);
    return 0;
  }
  const table = rows.map((row) => {
    const state = row.state === 'exited' ? `exited (${row.exitCode ?? '?'})` : row.state;
    const uptime =
      row.uptimeSeconds === undefined ? '' : row.state === 'running' ? `up ${formatMs(row.uptimeSeconds * 1000)}` : `${formatMs(row.uptimeSeconds * 1000)} ago`;
    return [
      row.orphan ? `${row.service} (orphan)` : row.service,
      state,
      row.readiness === 'not ready' && row.readinessError ? `not ready: ${row.readinessError}` : row.readiness,
      row.ports.join(', '),
      uptime,
      row.restarts > 0 ? `${row.restarts} restarts` : '',
    ];
  });
  const headers = ['SERVICE', 'STATE', 'READINESS', 'PORTS', 'UPTIME', ''];
  const widths = headers.map((header, i) => Math.max(header.length, ...table.map((cells) => Math.min(cells[i]!.length, i === 2 ? 60 : 80))));
  const fmt = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 2 && cell.length > 60 ? `${cell.slice(0, 59)}…` : cell).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out.line(p.bold(fmt(headers)));
  table.forEach((cells, index) => {
    const row = rows[index]!;
    const line = fmt(cells);
    out.line(row.state === 'running' && row.readiness !== 'not ready' ? line : row.state === 'missing' ? p.dim(line) : p.yellow(line));
  });
  return 0;
}
