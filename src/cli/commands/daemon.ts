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
import { stackIdentifiers } from '../../config/secret-values.js';
import type { DaemonEventRecord, DaemonStatus } from '../../daemon/api-types.js';
import { findDaemon, type DaemonClient } from '../../daemon/client.js';
import { describeEvent } from '../via-daemon.js';
import { Daemon, type DaemonLogLevel } from '../../daemon/daemon.js';
import { createDaemonEngine } from '../../daemon/daemon-engine.js';
import { DaemonAlreadyRunningError } from '../../daemon/errors.js';
import { readDaemonInfo } from '../../daemon/lock.js';
import { daemonPaths } from '../../daemon/paths.js';
import { supervisionOptions } from '../../daemon/policy.js';
import type { CliContext } from '../context.js';
import { VERSION } from '../../version.js';
import { stdoutOf, type Output } from '../render/output.js';
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
  const stackLog = createStackLog({ stackDir: stack.dir, stack: stack.name, secrets: stack.secretValues, keep: stackIdentifiers(stack) });
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
  for (const file of typeof options.file === 'string' ? [options.file] : options.file ?? []) args.push('-f', file);
  for (const profile of options.profile ?? []) args.push('--profile', profile);
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
