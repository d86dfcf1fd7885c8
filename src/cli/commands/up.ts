/**
 * `stackctl up`: start the stack in dependency order, prove every service ready, diagnose what failed.
 * Exit codes: 0 every service ready, 1 a service failed or was blocked (or --timeout expired),
 * 2 usage, 130 interrupted. With --test, 1 also when the suite's success criteria fail.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Stack } from '../../config/model.js';
import type { DaemonClient } from '../../daemon/client.js';
import type { UpResult } from '../../engine/results.js';
import { createStackLog } from '../../log.js';
import { stackIdentifiers } from '../../config/secret-values.js';
import { ownedContainers } from '../../plan/observed.js';
import { formatPlan } from '../../plan/plan.js';
import type { Runtime } from '../../runtime/runtime.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { stdoutOf, type Output } from '../render/output.js';
import { createRenderer, type ProgressMode } from '../render/renderer.js';
import { failureReport, upSummary } from '../render/text.js';
import { selectServices } from '../service-selection.js';
import { addStackOptions, createRuntime, loadStackFor, parseDurationOption, parsePositiveInt, projectNameOverride, redactorFor, type StackOptions } from '../stack-options.js';
import { daemonFor, testViaDaemon, upViaDaemon } from '../via-daemon.js';
import { withStackLock } from '../stack-lock.js';
import type { StackLock } from '../../engine/stack-lock.js';
import { addTargetOption } from './target-option.js';
import type { Diagnosis } from '../../diagnose/model.js';
import type { EphemeralCopy } from '../../ephemeral/start.js';
import type { SeedSnapshots } from '../../ephemeral/seed-snapshot.js';
import type { EngineEvent } from '../../engine/events.js';
import { diagnosesOf } from '../ephemeral-up.js';
import { repositoryRoot, upAnnotations } from '../../ci/annotations.js';
import { GROUP_END, groupStart, isGitHubActions } from '../../ci/github.js';

interface UpCommandOptions extends StackOptions {
  json?: boolean;
  progress?: ProgressMode;
  parallel?: number;
  rollback?: boolean;
  build: boolean;
  timeout?: number;
  test?: boolean;
  suite?: string;
  baseline?: string;
  failOnRegression?: boolean;
  watch?: boolean;
  lockTimeout?: number;
  target?: 'local' | 'swarm';
  registry?: string;
  advertiseAddr?: string;
  ephemeral?: boolean;
  ttl?: number;
  detach?: boolean;
  seedSnapshot?: boolean | string;
}

/** STACKCTL_PROGRESS, checked like --progress. */
function progressFromEnv(ctx: CliContext): ProgressMode | undefined {
  const value = ctx.env.STACKCTL_PROGRESS;
  if (!value) return undefined;
  try {
    return parseProgress(value);
  } catch {
    throw new UsageError(`STACKCTL_PROGRESS="${value}" is not a progress mode`, { hint: 'use auto, tty, plain or json' });
  }
}

function parseProgress(value: string): ProgressMode {
  if (value === 'auto' || value === 'tty' || value === 'plain' || value === 'json') return value;
  throw new InvalidArgumentError('expected auto, tty, plain or json');
}

export function registerUp(program: Command, ctx: CliContext): void {
  const command = program
    .command('up')
    .argument('[services...]', 'start only these services and what they depend on (default: all)')
    .description('start the stack in dependency order and wait until every service is ready')
    .option('--json', 'print an ndjson event stream (plan, events, result) instead of the live view')
    .option('--progress <mode>', 'output: auto (live view on a terminal, plain lines otherwise), tty, plain, json (env STACKCTL_PROGRESS)', parseProgress)
    .option('--parallel <n>', 'at most N services starting at once (default: as many as the graph allows)', parsePositiveInt('--parallel'))
    .option('--rollback', 'when a service fails, remove what this run created or started (default: leave it for debugging)')
    .option('--no-build', 'do not build images; use the ones already built')
    .option('--timeout <duration>', 'give up when the stack is not ready after this long (e.g. 90s, 5m)', parseDurationOption('--timeout'))
    .option('--test', "then run the stack's integration suite and write the report (as `stackctl test`)")
    .option('--suite <file>', "with --test: the suite to run (default: the stack file's `suite:`)")
    .option('--baseline <file|name>', 'with --test: compare with this report (default: the previous run)')
    .option('--fail-on-regression', 'with --test: exit 1 when the verdict is REGRESSION')
    .option('--watch', 'then watch the files and make each change live (as `stackctl watch`)')
    .option('--lock-timeout <duration>', 'when another up/down acts on the stack, wait this long for it (default 10m)', parseDurationOption('--lock-timeout'))
    .option('--registry <host/prefix>', 'with --target swarm: push built images there (every node pulls them); default: one node, local images')
    .option('--advertise-addr <ip>', 'with --target swarm: address for `docker swarm init` when this engine is in no swarm')
    .option('--ephemeral', 'start an isolated copy (same as -p auto): unique name, own network and volumes, engine-chosen host ports; removed when this process ends (docs/ci.md)')
    .option('--ttl <duration>', 'with --ephemeral: remove the copy after this long whatever happens (default 30m)', parseDurationOption('--ttl'))
    .option('--detach', 'with --ephemeral: return once ready and leave the copy to its --ttl (or `stackctl down -p NAME`)')
    .option('--seed-snapshot [services]', "with --ephemeral: restore stateful services' volumes from a snapshot of an earlier copy's first start, or take one (default: every service with a probe and volumes of its own; docs/ci.md)");
  addTargetOption(command);
  addStackOptions(command).action(async (services: string[], options: UpCommandOptions) => {
    ctx.exitCode = await runUpCommand(ctx, services, options);
  });
}

async function runUpCommand(ctx: CliContext, services: string[], options: UpCommandOptions): Promise<number> {
  if (options.target === 'swarm') {
    if (services.length > 0) throw new UsageError('--target swarm deploys the whole stack; name no services');
    const { progress, ...flags } = options;
    return (await import('./swarm-target.js')).runSwarmUp(ctx, await loadStackFor(ctx, options), { ...flags, progress: progress !== 'json' }, (await import('./test.js')).runTestPhase);
  }
  // The engine and dockerode load while the stack file is read (a no-op up is mostly start-up).
  const engineReady = Promise.all([import('../../engine/index.js'), import('../../runtime/docker-runtime.js')]);
  engineReady.catch(() => undefined);
  const ephemeral = wantsEphemeral(ctx, options);
  const whole = ephemeral ? await loadStackFor({ ...ctx, env: { ...ctx.env, STACKCTL_PROJECT_NAME: undefined } }, { ...options, projectName: undefined }) : await loadStackFor(ctx, options);
  let stack = selectServices(whole, services);
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const mode: ProgressMode = options.json ? 'json' : (options.progress ?? progressFromEnv(ctx) ?? 'auto');
  let copy: EphemeralCopy | undefined;
  if (options.seedSnapshot !== undefined) (await import('../../ephemeral/seed-snapshot.js')).checkSeedServices(stack, seedServices(options.seedSnapshot) ?? [], '--seed-snapshot');
  if (ephemeral) {
    if (options.watch) throw new UsageError('--watch cannot be combined with --ephemeral', { hint: 'watch a developer stack (`stackctl up --watch`); an ephemeral copy is for CI' });
    const { startEphemeral, describePins } = await import('../../ephemeral/start.js');
    const name = explicitCopyName(ctx, options);
    copy = await startEphemeral(stack, (copyName) => createRuntime(copyName, redactor), {
      env: ctx.env,
      ...(options.ttl !== undefined ? { ttlMs: options.ttl } : {}),
      ...(name ? { name } : {}),
      signal: ctx.signal,
    });
    stack = copy.stack;
    const until = copy.expiresAtMs === undefined ? '' : `, TTL until ${new Date(copy.expiresAtMs).toISOString()}`;
    ctx.stderr.write(`stackctl: ephemeral stack ${stack.name} (${describePins(copy.ports)}${until})\n`);
  } else {
    // A daemon supervising the stack applies the file itself: a second actor would race it.
    const daemon = await daemonFor(ctx, stack.dir, stack.name);
    if (daemon) {
      if (services.length > 0 || options.watch) {
        throw new UsageError(`a daemon supervises this stack and applies the whole file: ${services.length > 0 ? 'naming services' : '--watch'} cannot be passed to it`, {
          hint: 'stop the daemon first (`stackctl daemon --stop`; the stack keeps running)',
        });
      }
      return upThroughDaemon(ctx, daemon, out, options, mode === 'json');
    }
  }
  // One actor at a time on the stack's containers: a second up waits for the first.
  return withStackLock(ctx, stack.name, { json: mode === 'json', timeoutMs: options.lockTimeout, redactor, out }, (lock) =>
    upUnderLock(ctx, stack, options, mode, out, engineReady, lock, copy),
  );
}

async function upUnderLock(
  ctx: CliContext,
  stack: Stack,
  options: UpCommandOptions,
  mode: ProgressMode,
  out: Output,
  engineReady: Promise<[typeof import('../../engine/index.js'), typeof import('../../runtime/docker-runtime.js')]>,
  lock: StackLock,
  copy: EphemeralCopy | undefined,
): Promise<number> {
  const redactor = redactorFor(stack);
  const log = createStackLog({ stackDir: stack.dir, stack: stack.name, secrets: stack.secretValues, keep: stackIdentifiers(stack) });
  const runtime = createRuntime(stack.name, redactor);
  // GitHub Actions: the event lines fold into one section; the outcome and diagnosis stay visible.
  const github = isGitHubActions(ctx.env) && mode !== 'json';
  if (github) ctx.stdout.write(`${groupStart(`stackctl up ${stack.name}`)}\n`);
  const renderer = createRenderer(mode, out, stack, 'up');
  log.logger.info({ file: stack.file, parallel: options.parallel, build: options.build, timeoutMs: options.timeout, rollback: options.rollback === true }, 'up');
  let result: UpResult;
  const onEvent = (event: EngineEvent): void => {
    if (event.type === 'service.probe' || event.type === 'service.progress') log.logger.debug(event, event.type);
    else log.logger.info(event, event.type);
    renderer.event(event);
  };
  const seeder = copy && options.seedSnapshot !== undefined ? await seedSnapshotsFor(copy, runtime, seedServices(options.seedSnapshot), onEvent) : undefined;
  try {
    // Loaded before the run's clock starts, so it measures engine work only.
    const [{ up }] = await engineReady;
    result = await up(stack, {
      runtime,
      signal: ctx.signal,
      parallel: options.parallel,
      build: options.build,
      timeoutMs: options.timeout,
      rollback: options.rollback === true,
      onPlan: (plan) => {
        log.logger.info({ plan: formatPlan(plan) }, 'plan');
        renderer.plan(plan);
      },
      onEvent,
      ...(seeder ? { seeder } : {}),
    });
  } catch (error) {
    renderer.stop();
    if (github) ctx.stdout.write(`${GROUP_END}\n`);
    log.logger.error({ err: error }, 'up failed');
    log.close();
    copy?.session.close();
    throw error;
  }
  renderer.stop();
  if (github) ctx.stdout.write(`${GROUP_END}\n`);
  log.logger.info({ ok: result.ok, cancelled: result.cancelled, durationMs: result.durationMs }, 'up done');
  log.close();

  const logFile = path.relative(ctx.cwd, log.file) || log.file;
  if (mode === 'json') {
    out.json(resultDocument(result, logFile));
  } else {
    await printOutcome(out, result, stack, runtime, logFile);
  }
  if (isGitHubActions(ctx.env)) {
    for (const line of upAnnotations(stack, result, { root: repositoryRoot(ctx.env, ctx.cwd), redactor })) ctx.stdout.write(`${line}\n`);
  }
  if (copy) {
    const { finishEphemeralUp } = await import('../ephemeral-up.js');
    const finish = { stack, copy, result, runtime, out, json: mode === 'json', detach: options.detach === true, test: options.test === true, ...(seeder ? { seeds: seeder.outcomes } : {}) };
    return finishEphemeralUp(ctx, finish, (diagnoses: ReadonlyMap<string, Diagnosis>) =>
      runTestAfterUp(ctx, stack, runtime, options, mode, diagnoses),
    );
  }
  if (result.cancelled) return 130;
  const upCode = result.ok ? 0 : 1;
  if (options.watch) {
    // Watching lasts until Ctrl-C: the stack is not held for that long (another up would wait for ever).
    lock.release();
    const { watchStack } = await import('./watch.js');
    if (mode !== 'json') out.line();
    return watchStack(ctx, stack, runtime, out, { json: mode === 'json' });
  }
  if (!options.test) return upCode;
  // --test: the suite runs even when a service failed — its report then shows what that broke, with
  // each failed service's diagnosis from this run as the root cause of the checks that need it.
  if (mode !== 'json') out.line();
  return Math.max(upCode, await runTestAfterUp(ctx, stack, runtime, options, mode, diagnosesOf(result)));
}

async function runTestAfterUp(
  ctx: CliContext,
  stack: Stack,
  runtime: Runtime,
  options: UpCommandOptions,
  mode: ProgressMode,
  diagnoses: ReadonlyMap<string, Diagnosis>,
): Promise<number> {
  const { runTestPhase } = await import('./test.js');
  const testCode = await runTestPhase(ctx, stack, runtime, {
    diagnoses,
    json: mode === 'json',
    ...(options.suite !== undefined ? { suite: options.suite } : {}),
    ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
    failOnRegression: options.failOnRegression === true,
  });
  return testCode;
}

/** `--seed-snapshot a,b`: the services named (undefined: all). */
function seedServices(value: boolean | string): string[] | undefined {
  return typeof value === 'string' ? value.split(',').map((name) => name.trim()).filter((name) => name !== '') : undefined;
}

async function seedSnapshotsFor(copy: EphemeralCopy, runtime: Runtime, services: string[] | undefined, onEvent: (event: EngineEvent) => void): Promise<SeedSnapshots> {
  const { SeedSnapshots } = await import('../../ephemeral/seed-snapshot.js');
  return new SeedSnapshots({ source: copy.source, copy: copy.stack, runtime, ...(services ? { services } : {}), onEvent });
}

/** `--ephemeral`, or `-p auto` / STACKCTL_PROJECT_NAME=auto; --ttl and --detach only make sense with it. */
function wantsEphemeral(ctx: CliContext, options: UpCommandOptions): boolean {
  const auto = (options.projectName ?? ctx.env.STACKCTL_PROJECT_NAME) === 'auto';
  const ephemeral = options.ephemeral === true || auto;
  const stray = [options.ttl !== undefined && '--ttl', options.detach && '--detach', options.seedSnapshot !== undefined && '--seed-snapshot'].filter((flag): flag is string => typeof flag === 'string');
  if (!ephemeral && stray.length > 0) {
    throw new UsageError(`${stray.join(' and ')} only ${stray.length === 1 ? 'applies' : 'apply'} to an ephemeral stack`, { hint: 'add --ephemeral (or -p auto)' });
  }
  return ephemeral;
}

/**
 * `--ephemeral -p NAME`: the copy takes that name instead of `<name>-<random>`. Only the flag counts:
 * STACKCTL_PROJECT_NAME is what an earlier copy wrote to $GITHUB_ENV, and reusing it would collide.
 */
function explicitCopyName(ctx: CliContext, options: UpCommandOptions): string | undefined {
  if (options.projectName === undefined) return undefined;
  const name = projectNameOverride(ctx, options);
  return name === 'auto' ? undefined : name;
}

async function upThroughDaemon(ctx: CliContext, daemon: DaemonClient, out: Output, options: UpCommandOptions, json: boolean): Promise<number> {
  const unsupported = [
    options.parallel !== undefined && '--parallel',
    options.rollback && '--rollback',
    !options.build && '--no-build',
    options.timeout !== undefined && '--timeout',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (unsupported.length > 0) {
    throw new UsageError(`a daemon supervises this stack and runs \`up\` itself: ${unsupported.join(', ')} cannot be passed to it`, {
      hint: 'run `stackctl up` without them, or stop the daemon first (`stackctl daemon --stop`; the stack keeps running)',
    });
  }
  if (!json) ctx.stderr.write(`stackctl: a daemon supervises this stack (pid ${(await daemon.ping()).pid}); it applies the file\n`);
  const upCode = await upViaDaemon(ctx, daemon, out, { json });
  if (!options.test) return upCode;
  if (!json) out.line();
  const testCode = await testViaDaemon(ctx, daemon, out, {
    json,
    ...(options.suite !== undefined ? { suite: options.suite } : {}),
    ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
    failOnRegression: options.failOnRegression === true,
  });
  return Math.max(upCode, testCode);
}

/** The last ndjson line of `up --json`. */
export function resultDocument(result: UpResult, logFile: string): Record<string, unknown> {
  return {
    type: 'up.result',
    stack: result.stack,
    ok: result.ok,
    cancelled: result.cancelled,
    noop: result.noop,
    durationMs: result.durationMs,
    services: result.services.map((service) => ({
      service: service.service,
      state: service.state,
      action: service.action,
      cause: service.cause,
      container: service.containerName,
      ...(service.blockedBy ? { blockedBy: service.blockedBy } : {}),
      timings: service.timings,
      attempts: service.attempts,
      ports: service.ports,
      ...(service.diagnosis ? { diagnosis: service.diagnosis } : {}),
    })),
    rolledBack: result.rolledBack,
    rollbackFailures: result.rollbackFailures,
    log: logFile,
  };
}

async function printOutcome(out: Output, result: UpResult, stack: Stack, runtime: Runtime, logFile: string): Promise<void> {
  const p = out.paint;
  out.line();
  for (const line of upSummary(result, p)) out.line(line);
  if (result.cancelled) {
    const containers = ownedContainers(await runtime.listContainers(stack.name).catch(() => []));
    const running = containers.filter((container) => container.status === 'running');
    out.line();
    out.line(p.yellow(`interrupted: nothing new was started after the interrupt; ${running.length} container${running.length === 1 ? '' : 's'} of ${stack.name} running now:`));
    for (const container of running.sort((a, b) => a.name.localeCompare(b.name))) out.line(`  ${container.name}`);
    out.line('`stackctl up` continues from here (running containers are kept); `stackctl down` removes everything.');
    return;
  }
  if (result.ok) return;
  for (const line of failureReport(result, p)) out.line(line);
  out.line();
  if (result.rolledBack.length > 0) out.line(`rolled back (--rollback): ${result.rolledBack.join(', ')}`);
  for (const failure of result.rollbackFailures) out.line(p.red(`rollback could not undo: ${failure}`));
  const triedRollback = result.rolledBack.length > 0 || result.rollbackFailures.length > 0;
  if (!triedRollback && result.services.some((service) => service.containerId !== undefined)) {
    out.line(
      'The stack was left as it is for debugging: `stackctl ps`, `stackctl logs SERVICE`; `stackctl down` removes it (`up --rollback` would have).',
    );
  }
  out.line(p.dim(`log: ${logFile}`));
}
