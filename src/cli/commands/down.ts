/**
 * `stackctl down [-v] [--timeout S]`: stop and remove the stack's containers in reverse dependency
 * order, then its network; `-v` removes its named volumes too. Only objects carrying the stack's
 * label are touched. Without a loadable stack file, `-p NAME` still works (from the labels alone).
 */
import type { Command } from 'commander';
import type { Stack } from '../../config/model.js';
import type { DownResult } from '../../engine/results.js';
import { createStackLog } from '../../log.js';
import type { CliContext } from '../context.js';
import { lockStack } from '../stack-lock.js';
import { stdoutOf } from '../render/output.js';
import { createRenderer, type ProgressMode } from '../render/renderer.js';
import { formatMs } from '../render/text.js';
import { daemonFor, downViaDaemon } from '../via-daemon.js';
import {
  addStackOptions,
  createRuntime,
  loadStackOrName,
  redactorFor,
  stopTimeoutOption,
  type StackOptions,
} from '../stack-options.js';
import { addTargetOption } from './target-option.js';

interface DownCommandOptions extends StackOptions {
  volumes?: boolean;
  timeout?: number;
  json?: boolean;
  target?: 'local' | 'swarm';
}

export function registerDown(program: Command, ctx: CliContext): void {
  const command = program
    .command('down')
    .description('stop and remove the stack (reverse dependency order); -v also removes its volumes')
    .option('-v, --volumes', "also remove the stack's named volumes (their data is lost)")
    .addOption(stopTimeoutOption())
    .option('--json', 'print an ndjson event stream and a result line');
  addTargetOption(command);
  addStackOptions(command).action(async (options: DownCommandOptions) => {
    ctx.exitCode = await runDownCommand(ctx, options);
  });
}

async function runDownCommand(ctx: CliContext, options: DownCommandOptions): Promise<number> {
  // With -p and no usable file, just the stack's name: the labels say the rest.
  const { stack, name } = await loadStackOrName(ctx, options);
  const target = stack ?? name;
  if (options.target === 'swarm') return (await import('./swarm-target.js')).runSwarmDown(ctx, name, { volumes: options.volumes === true });
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  // A daemon would undo a down done behind its back: it brings the stack down itself, then exits.
  const daemon = await daemonFor(ctx, stack?.dir ?? ctx.cwd, name);
  if (daemon) return downViaDaemon(daemon, out, name, { volumes: options.volumes, json: options.json });
  const runtime = createRuntime(name, redactor);
  const log = stack ? createStackLog({ stackDir: stack.dir, stack: name, secrets: stack.secretValues }) : undefined;
  const mode: ProgressMode = options.json ? 'json' : 'plain';
  const renderer = createRenderer(mode, out, stack ?? { ...EMPTY_STACK, name }, 'down');
  log?.logger.info({ removeVolumes: options.volumes === true, timeout: options.timeout }, 'down');
  let result: DownResult;
  // Not while an up of the same stack is at work: it would start what this removes.
  const lock = await lockStack(ctx, name, { json: mode === 'json', redactor, out });
  try {
    const { down } = await import('../../engine/down.js');
    result = await down(target, {
      runtime,
      removeVolumes: options.volumes === true,
      stopTimeoutSeconds: options.timeout,
      signal: ctx.signal,
      onEvent: (event) => {
        log?.logger.info(event, event.type);
        renderer.event(event);
      },
    });
  } catch (error) {
    log?.logger.error({ err: error }, 'down failed');
    throw error;
  } finally {
    lock.release();
    renderer.stop();
    log?.close();
  }
  if (mode === 'json') {
    out.json({ type: 'down.result', ...result });
    return 0;
  }
  const parts: string[] = [];
  if (result.containers.length > 0) parts.push(`${result.containers.length} container${result.containers.length === 1 ? '' : 's'}`);
  if (result.networks.length > 0) parts.push(`network${result.networks.length === 1 ? '' : 's'} ${result.networks.join(', ')}`);
  if (result.volumes.length > 0) parts.push(`volume${result.volumes.length === 1 ? '' : 's'} ${result.volumes.join(', ')}`);
  out.line(
    parts.length === 0 ? `stack ${name}: nothing to remove` : `stack ${name}: removed ${parts.join(', ')} (${formatMs(result.durationMs)})`,
  );
  return 0;
}

const EMPTY_STACK: Stack = {
  name: '',
  file: '',
  dir: '',
  format: 'stackctl',
  services: [],
  volumes: {},
  networks: {},
  thresholds: { successRate: 95, avgResponseMs: 500, errorRate: 5 },
  variables: [],
  secretValues: [],
};
