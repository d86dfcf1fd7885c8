/**
 * `stackctl daemon [-f FILE] [--detach] [--down-on-exit] [--listen 127.0.0.1:PORT] [--token-file F]`:
 * bring the stack up (adopting what already runs), run its suite once, then supervise it and serve
 * its status on `.stackctl/<stack>.sock` (and on loopback TCP with a bearer token, with --listen).
 *
 * In the foreground it logs what it does to stderr and stops on Ctrl-C / SIGTERM, leaving the stack
 * running (unless --down-on-exit). With --detach it starts itself in the background, shows the
 * stack coming up, and returns once it is supervised (exit 0 when every service is ready, 1 when
 * some are not — the daemon keeps supervising them either way).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packagePath } from '../../package-root.js';
import { InvalidArgumentError, type Command } from 'commander';
import type { Stack } from '../../config/model.js';
import { UsageError, errorMessage } from '../../errors.js';
import { createStackLog } from '../../log.js';
import type { DaemonEventRecord, DaemonStatus } from '../../daemon/api-types.js';
import { findDaemon, type DaemonClient } from '../../daemon/client.js';
import { Daemon, type DaemonLogLevel } from '../../daemon/daemon.js';
import { createDaemonEngine } from '../../daemon/daemon-engine.js';
import { DaemonAlreadyRunningError } from '../../daemon/errors.js';
import { readDaemonInfo } from '../../daemon/lock.js';
import { daemonPaths } from '../../daemon/paths.js';
import { supervisionOptions } from '../../daemon/policy.js';
import type { CliContext } from '../context.js';
import { VERSION } from '../../version.js';
import { stdoutOf, type Output } from '../render/output.js';
import type { Report } from '../../report/model.js';
import { renderTerminal } from '../../report/render-terminal.js';
import type { PsRow } from './ps.js';
import { addStackOptions, createRuntime, loadStackFor, parseDurationOption, parsePositiveInt, redactorFor, type StackOptions } from '../stack-options.js';

interface DaemonCommandOptions extends StackOptions {
  detach?: boolean;
  downOnExit?: boolean;
  listen?: { host: string; port: number };
  tokenFile?: string;
  test: boolean;
  events?: boolean;
  stop?: boolean;
  probeInterval?: number;
  failureThreshold?: number;
  startTimeout?: number;
}

/**
 * V8 flags of the background daemon, for a small flat footprint (measured in docs/bench-daemon.md):
 * a 1 MB young generation instead of 16 MB, no optimizing compiler (the daemon's code is not hot:
 * it mostly waits), one V8 helper thread. With MALLOC_ARENA_MAX=2, about 78 MB RSS instead of 95.
 * STACKCTL_DAEMON_NODE_FLAGS replaces them.
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1', '--no-opt', '--v8-pool-size=1'];

/** Set in the environment of the background process --detach starts. */
const CHILD_ENV = 'STACKCTL_DAEMON_DETACHED';

export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected 127.0.0.1:PORT (or just PORT)');
  const host = (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  if (port > 65_535) throw new InvalidArgumentError(`port ${port} is out of range (0-65535)`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new InvalidArgumentError(`the API only listens on loopback (127.0.0.1 or ::1), not ${host}: it can restart and stop containers`);
  }
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

export function registerDaemon(program: Command, ctx: CliContext): void {
  const command = program
    .command('daemon')
    .description('bring the stack up, then supervise it: restart what fails, recover its dependents, serve its status')
    .option('--detach', 'run in the background; return once the stack is up and supervised')
    .option('--down-on-exit', 'bring the stack down when the daemon stops (default: leave it running)')
    .option('--listen <addr>', 'also serve the API on loopback TCP, e.g. 127.0.0.1:7070 (requires the bearer token)', parseListen)
    .option('--token-file <file>', 'bearer token for --listen (created with a random token when absent; default .stackctl/<stack>.token)')
    .option('--no-test', 'do not run the integration suite once the stack is up')
    .option('--probe-interval <duration>', 'how often each ready service is probed (default 5s)', parseDurationOption('--probe-interval'))
    .option('--failure-threshold <n>', 'failed probes in a row before a running service is restarted (default 3)', parsePositiveInt('--failure-threshold'))
    .option('--events', "don't start a daemon: follow the event stream of the one running for the stack (Ctrl-C to stop)")
    .option('--stop', "don't start a daemon: stop the one running for the stack, leaving the stack running");
  addStackOptions(command).action(async (options: DaemonCommandOptions) => {
    if (options.events || options.stop) ctx.exitCode = await talkToRunning(ctx, options);
    else ctx.exitCode = options.detach && ctx.env[CHILD_ENV] !== '1' ? await detach(ctx, options) : await foreground(ctx, options);
  });
}

/** The token for --listen: from the file (created with a random one when absent), mode 0600. */
export function resolveToken(file: string, stderr: NodeJS.WritableStream): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) {
    throw new UsageError(`the token in ${file} is too short (${token.length} characters)`, { hint: 'use at least 16 random characters, or delete the file to get a generated token' });
  }
  if ((statSync(file).mode & 0o077) !== 0) stderr.write(`stackctl: warning: ${file} is readable by other users; chmod 600 it\n`);
  return token;
}

async function foreground(ctx: CliContext, options: DaemonCommandOptions): Promise<number> {
  if (options.tokenFile && !options.listen) throw new UsageError('--token-file only makes sense with --listen', { hint: 'add --listen 127.0.0.1:PORT' });
  const stack = await loadStackFor(ctx, options);
  const redactor = redactorFor(stack);
  const paths = daemonPaths(stack.dir, stack.name);
  const tcp = options.listen
    ? { ...options.listen, token: resolveToken(path.resolve(ctx.cwd, options.tokenFile ?? paths.token), ctx.stderr) }
    : undefined;
  const stackLog = createStackLog({ stackDir: stack.dir, stack: stack.name, secrets: stack.secretValues });
  const logger = stackLog.logger.child({ component: 'daemon' });
  const say = (level: DaemonLogLevel, message: string): void => {
    logger[level](message);
    ctx.stderr.write(redactor.redact(`${new Date().toISOString().slice(11, 23)} ${level === 'info' ? '' : `${level}: `}${message}\n`));
  };
  const runtime = createRuntime(stack.name, redactor);
  const engine = createDaemonEngine({
    runtime,
    stack,
    reload: () => loadStackFor({ ...ctx, stderr: nullStream() }, options),
  });
  // A supervisor must outlive a bug in one of its callbacks: log it and carry on.
  const onUnexpected = (error: unknown): void => say('error', `unexpected error (a bug in stackctl, please report it): ${errorMessage(error)}`);
  process.on('unhandledRejection', onUnexpected);
  process.on('uncaughtException', onUnexpected);
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      stack,
      engine,
      paths,
      version: VERSION,
      redactor,
      supervision: {
        ...supervisionOptions({
          ...(options.probeInterval ? { probeIntervalMs: options.probeInterval } : {}),
          ...(options.failureThreshold ? { failureThreshold: options.failureThreshold } : {}),
        }),
        sweepIntervalMs: 10_000,
      },
      ...(tcp ? { tcp } : {}),
      downOnExit: options.downOnExit === true,
      runSuite: options.test,
      log: say,
    });
  } catch (error) {
    process.off('unhandledRejection', onUnexpected);
    process.off('uncaughtException', onUnexpected);
    stackLog.close();
    throw error;
  }
  say('info', `daemon for ${stack.name}: pid ${process.pid}, socket ${path.relative(ctx.cwd, daemon.socketPath) || daemon.socketPath}${daemon.tcpAddress ? `, http://${daemon.tcpAddress} (token in ${path.relative(ctx.cwd, path.resolve(ctx.cwd, options.tokenFile ?? paths.token))})` : ''}`);
  try {
    await daemon.run(ctx.signal);
  } finally {
    process.off('unhandledRejection', onUnexpected);
    process.off('uncaughtException', onUnexpected);
    stackLog.close();
  }
  return 0;
}

/** --events / --stop: talk to the daemon already running for the stack. */
async function talkToRunning(ctx: CliContext, options: DaemonCommandOptions): Promise<number> {
  if (options.events && options.stop) throw new UsageError('--events and --stop do not go together');
  const stack = await loadStackFor(ctx, options);
  const out = stdoutOf(ctx, redactorFor(stack));
  const client = await findDaemon(stack.dir, stack.name);
  if (!client) {
    ctx.stderr.write(`stackctl: no daemon is running for stack ${stack.name}\n`);
    return 1;
  }
  if (options.stop) {
    const { pid } = await client.ping();
    process.kill(pid, 'SIGTERM');
    const gone = await waitFor(async () => ((await findDaemon(stack.dir, stack.name, { timeoutMs: 500 })) ? undefined : true), () => false, 30_000);
    out.line(gone ? `daemon ${pid} stopped; the stack keeps running` : `daemon ${pid} did not stop within 30 s`);
    return gone ? 0 : 1;
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The recent history first (what the daemon still holds), then live.
    await client.events(
      (record) => {
        const line = describeEvent(record);
        if (line) out.line(line);
      },
      { signal: controller.signal, since: 0 },
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  return 0;
}

/** Starts the daemon in the background and shows the stack coming up; returns once it is supervised. */
async function detach(ctx: CliContext, options: DaemonCommandOptions): Promise<number> {
  if (options.tokenFile && !options.listen) throw new UsageError('--token-file only makes sense with --listen', { hint: 'add --listen 127.0.0.1:PORT' });
  // Load here too, so a broken file is reported on this terminal, not in a log file.
  const stack = await loadStackFor(ctx, options);
  const out = stdoutOf(ctx, redactorFor(stack));
  const paths = daemonPaths(stack.dir, stack.name);
  if (await findDaemon(stack.dir, stack.name)) throw alreadyRunning(stack, paths.info);
  mkdirSync(paths.stateDir, { recursive: true });
  const logFd = openSync(paths.log, 'a', 0o600);
  const bin = packagePath('bin', 'stackctl.js');
  // A small young generation keeps the long-running process's memory low and flat (see docs/daemon.md).
  const flags = ctx.env.STACKCTL_DAEMON_NODE_FLAGS !== undefined ? ctx.env.STACKCTL_DAEMON_NODE_FLAGS.split(/\s+/).filter(Boolean) : DAEMON_NODE_FLAGS;
  const child = spawn(process.execPath, [...flags, bin, 'daemon', ...daemonArgs(options)], {
    cwd: ctx.cwd,
    env: { MALLOC_ARENA_MAX: '2', ...ctx.env, [CHILD_ENV]: '1' },
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();

  const client = await waitFor(() => findDaemon(stack.dir, stack.name, { timeoutMs: 500 }), () => exited !== undefined, 60_000);
  if (!client) {
    out.line(`the daemon did not start${exited !== undefined ? ` (it exited with code ${exited})` : ''}; the end of ${path.relative(ctx.cwd, paths.log)}:`);
    out.line(tailOf(paths.log, 15));
    return 1;
  }
  out.line(`daemon started: pid ${readDaemonInfo(paths.info)?.pid ?? child.pid}, log ${path.relative(ctx.cwd, paths.log)}`);
  const status = await followUntilSupervising(client, (line) => out.line(line), ctx.signal);
  if (!status) {
    out.line('stopped watching (the daemon keeps running); `stackctl ps` shows its progress');
    return 130;
  }
  for (const service of status.services) {
    out.line(`  ${service.name.padEnd(22)} ${service.state.padEnd(10)} ${service.state === 'ready' ? '' : service.reason}`);
  }
  const ready = status.services.filter((s) => s.ready).length;
  out.line(`${stack.name}: ${ready}/${status.services.length} ready, supervised by the daemon (\`stackctl ps\`, \`stackctl down\`)`);
  return ready === status.services.length ? 0 : 1;
}

function daemonArgs(options: DaemonCommandOptions): string[] {
  const args: string[] = [];
  if (options.file) args.push('-f', options.file);
  if (options.projectName) args.push('-p', options.projectName);
  if (options.downOnExit) args.push('--down-on-exit');
  if (options.listen) args.push('--listen', `${options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host}:${options.listen.port}`);
  if (options.tokenFile) args.push('--token-file', options.tokenFile);
  if (!options.test) args.push('--no-test');
  if (options.probeInterval) args.push('--probe-interval', `${options.probeInterval}ms`);
  if (options.failureThreshold) args.push('--failure-threshold', String(options.failureThreshold));
  return args;
}

async function followUntilSupervising(client: DaemonClient, print: (line: string) => void, signal: AbortSignal): Promise<DaemonStatus | undefined> {
  const initial = await client.status();
  if (initial.phase !== 'starting') return initial;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let reachedSupervising = false;
  try {
    await client.events(
      (record: DaemonEventRecord) => {
        const line = describeEvent(record);
        if (line) print(line);
        if (record.event.type === 'daemon.phase' && record.event.phase !== 'starting') {
          reachedSupervising = true;
          controller.abort();
        }
      },
      { signal: controller.signal, since: 0 },
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (!reachedSupervising) return signal.aborted ? undefined : client.status();
  return client.status();
}

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

function alreadyRunning(stack: Stack, infoFile: string): DaemonAlreadyRunningError {
  const info = readDaemonInfo(infoFile);
  return new DaemonAlreadyRunningError(
    `a daemon is already supervising stack "${stack.name}"${info ? ` (pid ${info.pid}, started ${info.startedAt}, socket ${info.socket})` : ''}; a second one would fight it, so this one will not start`,
    info?.pid,
    { hint: info ? `talk to it with "stackctl ps", "stackctl logs" or "stackctl down", or stop it with "kill ${info.pid}" (the stack keeps running)` : 'talk to it with "stackctl ps" or "stackctl down"' },
  );
}

async function waitFor<T>(probe: () => Promise<T | undefined>, giveUp: () => boolean, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    if (giveUp()) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function nullStream(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}

// ---- the other commands, through a running daemon ---------------------------------------------
// ps, logs, down and test call these when a daemon supervises the stack (see daemonFor), so the
// daemon stays the one actor on the stack: a `down` behind its back would be undone by it.

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
  const stream = client
    .events(
      (record) => {
        if (record.event.type === 'action.finished' && record.event.action === 'up') finished();
        if (options.json) out.json(record);
        else {
          const line = describeEvent(record);
          if (line) out.line(line);
        }
      },
      { signal: controller.signal, onSubscribed: subscribed },
    )
    .catch(() => undefined);
  try {
    await Promise.race([subscription, stream]); // subscribed before the action starts (or no stream at all)
    const result = await client.up();
    // Let the stream catch up with the end of the action before closing it.
    await Promise.race([streamedToEnd, new Promise((r) => setTimeout(r, 2_000))]);
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
