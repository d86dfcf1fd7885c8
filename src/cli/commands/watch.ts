/**
 * `stackctl watch` (and `up --watch`): bring the stack up, then make each saved change live with the
 * least work its `develop.watch` rule allows (sync, sync+restart, rebuild) and re-prove the
 * dependents ready. Ctrl-C stops watching and leaves the stack running.
 * Exit codes: 0 after Ctrl-C, 130 when interrupted during the first up. A first up that fails is
 * shown and watching goes on, so that saving the fix applies it.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Stack } from '../../config/model.js';
import { formatLocation } from '../../errors.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Runtime } from '../../runtime/runtime.js';
import { FileWatcher } from '../../watch/file-watcher.js';
import { readMatchers } from '../../watch/matchers.js';
import { WatchSession, type WatchEvent } from '../../watch/watch-session.js';
import type { CliContext } from '../context.js';
import { stdoutOf, type Output } from '../render/output.js';
import { createRenderer, type ProgressMode } from '../render/renderer.js';
import { addStackOptions, createRuntime, loadStackFor, parsePositiveInt, redactorFor, type StackOptions } from '../stack-options.js';

interface WatchCommandOptions extends StackOptions {
  up: boolean;
  json?: boolean;
  debounce?: number;
}

export function registerWatch(program: Command, ctx: CliContext): void {
  const command = program
    .command('watch')
    .description('start the stack, then sync, restart or rebuild what each saved change needs and re-prove its dependents ready')
    .option('--no-up', 'do not run `up` first; watch the stack as it runs')
    .option('--debounce <ms>', 'milliseconds of quiet that close a batch of changes (default 250)', parsePositiveInt('--debounce'))
    .option('--json', 'print ndjson events (watch.* and the engine events) instead of lines');
  addStackOptions(command).action(async (options: WatchCommandOptions) => {
    ctx.exitCode = await runWatchCommand(ctx, options);
  });
}

async function runWatchCommand(ctx: CliContext, options: WatchCommandOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  const runtime = createRuntime(stack.name, redactorFor(stack));
  const out = stdoutOf(ctx, redactorFor(stack));
  const mode: ProgressMode = options.json ? 'json' : 'plain';
  if (options.up) {
    const { up } = await import('../../engine/index.js');
    const renderer = createRenderer(mode, out, stack, 'up');
    const result = await up(stack, { runtime, signal: ctx.signal, onPlan: (plan) => renderer.plan(plan), onEvent: (event) => renderer.event(event) });
    renderer.stop();
    if (result.cancelled) return 130;
    if (!result.ok && !options.json) out.line(out.paint.yellow('the first up did not make every service ready; watching anyway — a saved fix is applied like any change'));
  }
  return watchStack(ctx, stack, runtime, out, { json: options.json === true, ...(options.debounce ? { debounceMs: options.debounce } : {}) });
}

/** Watches until Ctrl-C; shared with `up --watch`. */
export async function watchStack(
  ctx: CliContext,
  stack: Stack,
  runtime: Runtime,
  out: Output,
  options: { json: boolean; debounceMs?: number },
): Promise<number> {
  const { up } = await import('../../engine/index.js');
  const dockerfiles = new Map(stack.services.map((service) => [service.name, service.build?.dockerfile]));
  const engineLines = createRenderer(options.json ? 'json' : 'plain', out, stack, 'up');
  const session: WatchSession = new WatchSession({
    stack,
    runtime,
    signal: ctx.signal,
    up: (upOptions) => up(stack, { ...upOptions, runtime }),
    matchers: () => readMatchers(session.services, dockerfiles),
    onWatchEvent: (event) => (options.json ? out.json(event) : printWatchEvent(out, ctx.cwd, event)),
    onEngineEvent: (event: EngineEvent) => {
      // The live view of a watch cycle: what is rebuilt, replaced and re-probed, not every probe attempt.
      if (options.json || event.type === 'service.phase' || event.type === 'service.failed') engineLines.event(event);
    },
  });
  if (session.services.length === 0) {
    out.line('nothing to watch: no service has `develop.watch` or a `build` context');
    return 0;
  }
  const watcher = new FileWatcher({
    ...(options.debounceMs ? { debounceMs: options.debounceMs } : {}),
    onBatch: (changed) => void session.push(changed),
    onError: (error) => out.line(out.paint.yellow(`watch: ${error.message}`)),
  });
  const roots = watcher.watch(session.roots());
  if (options.json) out.json({ type: 'watch.started', roots, services: session.services.map((s) => ({ service: s.service, rules: s.rules.map((r) => ({ path: r.path, action: r.action, target: r.target })) })) });
  else {
    out.line(`watching ${roots.length} director${roots.length === 1 ? 'y' : 'ies'} for ${session.services.length} service${session.services.length === 1 ? '' : 's'} (Ctrl-C stops watching; the stack keeps running)`);
    for (const entry of session.services) {
      const rules = entry.rules.map((rule) => `${path.relative(ctx.cwd, rule.path) || '.'} → ${rule.action}${rule.target ? ` ${rule.target}` : ''}`);
      out.line(out.paint.dim(`  ${entry.service}: ${rules.join(', ')}${entry.implicit ? ' (no develop.watch: its build context)' : ''}`));
    }
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  watcher.close();
  await session.idle();
  engineLines.stop();
  if (!options.json) out.line('stopped watching; the stack was left as it is (`stackctl down` removes it)');
  return 0;
}

function printWatchEvent(out: Output, cwd: string, event: WatchEvent): void {
  const p = out.paint;
  switch (event.type) {
    case 'watch.change': {
      const shown = event.files.slice(0, 3).join(', ') + (event.files.length > 3 ? ` and ${event.files.length - 3} more` : '');
      out.line(p.cyan(`⟳ ${event.service}: ${shown} changed → ${event.action}`));
      break;
    }
    case 'watch.synced':
      out.line(`  ${event.service}: synced ${event.files} file${event.files === 1 ? '' : 's'}${event.removed ? `, removed ${event.removed}` : ''} (${event.durationMs} ms)`);
      break;
    case 'watch.skipped':
      out.line(p.yellow(`  ${event.service}: ${event.reason}`));
      break;
    case 'watch.build-failed': {
      const where = event.location && event.location.line > 0 ? `${formatLocation({ ...event.location, file: path.relative(cwd, event.location.file) || event.location.file })}: ` : '';
      out.line(p.red(`✖ ${event.service}: ${where}${event.summary}${event.evidence ? ` — ${event.evidence}` : ''}`));
      out.line(p.red('  the old container keeps running; fix the Dockerfile and save again'));
      break;
    }
    case 'watch.restart-dependents':
      out.line(p.yellow(`  not ready again after the change: ${event.services.join(', ')} — restarting them in dependency order`));
      break;
    case 'watch.applied': {
      const took = `${(event.durationMs / 1000).toFixed(1)}s`;
      const kept = event.kept.length > 0 ? `; kept as they were (build failed): ${event.kept.join(', ')}` : '';
      if (event.ok) out.line(p.green(`✔ applied in ${took}: ${event.ready.length} ready`));
      else if (event.failed.length === 0) out.line(p.yellow(`✖ not applied (${took}): ${event.ready.length} ready${kept}`));
      else out.line(p.red(`✖ applied in ${took}: ${event.ready.length} ready, not ready: ${event.failed.join(', ')}${kept}`));
      break;
    }
  }
}
