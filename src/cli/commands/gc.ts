/**
 * `stackctl gc [--dry-run] [--json]`: removes ephemeral copies whose TTL has passed or whose reaper
 * is gone (src/ephemeral/gc.ts decides), each as `stackctl down` would: reaper, containers,
 * networks, volumes. Live copies and every stack started without --ephemeral are left alone.
 */
import type { Command } from 'commander';
import { RuntimeError, errorMessage } from '../../errors.js';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../config/normalize.js';
import { ORPHAN_GRACE_MS, decideGc, type GcDecision } from '../../ephemeral/gc.js';
import { EPHEMERAL_LABELS } from '../../plan/ephemeral-labels.js';
import { Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { createRuntime } from '../stack-options.js';

interface GcOptions {
  dryRun?: boolean;
  json?: boolean;
  orphanGrace?: number;
}

export function registerGc(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description('remove ephemeral stacks whose --ttl has passed or whose reaper is gone (never a live or non-ephemeral stack)')
    .option('--dry-run', 'only say what would be removed')
    .option('--json', 'print a JSON array of decisions')
    .option('--orphan-grace <duration>', 'a copy without a running reaper counts as orphaned once its newest object is this old (default 60s)', parseGrace)
    .action(async (options: GcOptions) => {
      ctx.exitCode = await runGc(ctx, options);
    });
}

function parseGrace(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok || parsed.value < 0) throw new InvalidArgumentError('expects a duration such as 0s, 30s or 5m');
  return parsed.value;
}

function describe(decision: GcDecision, now: number): string {
  const parts = `${decision.containers} container${decision.containers === 1 ? '' : 's'}, ${decision.networks} network${decision.networks === 1 ? '' : 's'}, ${decision.volumes} volume${decision.volumes === 1 ? '' : 's'}`;
  const minutes = (ms: number): string => `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (decision.reason === 'expired') return `expired ${minutes(now - (decision.expiresAtMs ?? now))} ago; ${parts}`;
  if (decision.reason === 'orphaned') return `orphaned: its reaper is not running; ${parts}`;
  return `live: its reaper runs${decision.expiresAtMs !== undefined ? `, expires in ${minutes(decision.expiresAtMs - now)}` : ''}`;
}

async function runGc(ctx: CliContext, options: GcOptions): Promise<number> {
  const out = stdoutOf(ctx, new Redactor());
  const engine = createRuntime(undefined, new Redactor());
  const now = Date.now();
  const objects = (await engine.listLabelled?.(EPHEMERAL_LABELS.ephemeral)) ?? [];
  const decisions = decideGc(objects, now, options.orphanGrace ?? ORPHAN_GRACE_MS);
  const failures: string[] = [];
  const { down } = await import('../../engine/down.js');
  const removed: string[] = [];
  for (const decision of decisions) {
    if (decision.action !== 'remove' || options.dryRun) continue;
    try {
      await down(decision.stack, { runtime: createRuntime(decision.stack, new Redactor()), removeVolumes: true, stopTimeoutSeconds: 0 });
      removed.push(decision.stack);
    } catch (error) {
      failures.push(`${decision.stack}: ${errorMessage(error)}`);
    }
  }
  if (options.json) out.json(decisions.map((decision) => ({ ...decision, removed: removed.includes(decision.stack) })));
  else if (decisions.length === 0) out.line('gc: no ephemeral stack in the engine');
  else {
    for (const decision of decisions) {
      const verb = decision.action === 'keep' ? 'kept' : options.dryRun ? 'would remove' : removed.includes(decision.stack) ? 'removed' : 'could not remove';
      out.line(`${verb} ${decision.stack} (${describe(decision, now)})`);
    }
  }
  if (failures.length > 0) throw new RuntimeError(`gc could not remove everything: ${failures.join('; ')}`, { hint: 'run `stackctl gc` again; `docker ps -a --filter label=io.stackctl.ephemeral` shows what is left' });
  return 0;
}
