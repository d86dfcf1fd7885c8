/**
 * `stackctl gc [--dry-run] [--json]`: removes ephemeral copies whose TTL has passed or whose reaper
 * is gone (src/ephemeral/gc.ts decides), each as `stackctl down` would: reaper, containers,
 * networks, volumes. Live copies and every stack started without --ephemeral are left alone.
 * `--snapshots [stack]` also removes the seed snapshots of `up --seed-snapshot` (src/ephemeral/seed-snapshot.ts).
 */
import type { Command } from 'commander';
import { RuntimeError, errorMessage } from '../../errors.js';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../config/normalize.js';
import { ORPHAN_GRACE_MS, decideGc, decideSnapshotGc, type GcDecision, type SnapshotGcDecision } from '../../ephemeral/gc.js';
import { SEED_LABELS, SEED_OWNER } from '../../ephemeral/seed-key.js';
import { EPHEMERAL_LABELS } from '../../plan/ephemeral-labels.js';
import { Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { createRuntime } from '../stack-options.js';

interface GcOptions {
  dryRun?: boolean;
  json?: boolean;
  orphanGrace?: number;
  snapshots?: boolean | string;
}

export function registerGc(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description('remove ephemeral stacks whose --ttl has passed or whose reaper is gone (never a live or non-ephemeral stack)')
    .option('--dry-run', 'only say what would be removed')
    .option('--json', 'print a JSON array of decisions')
    .option('--orphan-grace <duration>', 'a copy without a running reaper counts as orphaned once its newest object is this old (default 60s)', parseGrace)
    .option('--snapshots [stack]', "also remove the seed snapshots of `up --seed-snapshot` (every stack's, or only this stack's)")
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
  const snapshots = options.snapshots === undefined ? [] : await removeSnapshots(options.snapshots, options.dryRun === true, failures);
  if (options.json) out.json([...decisions.map((decision) => ({ ...decision, removed: removed.includes(decision.stack) })), ...snapshots]);
  else {
    if (decisions.length === 0) out.line('gc: no ephemeral stack in the engine');
    for (const decision of decisions) {
      const verb = decision.action === 'keep' ? 'kept' : options.dryRun ? 'would remove' : removed.includes(decision.stack) ? 'removed' : 'could not remove';
      out.line(`${verb} ${decision.stack} (${describe(decision, now)})`);
    }
    if (options.snapshots !== undefined && snapshots.length === 0) out.line('gc: no seed snapshot in the engine');
    for (const snapshot of snapshots) {
      const verb = snapshot.action === 'keep' ? 'kept' : options.dryRun ? 'would remove' : snapshot.removed ? 'removed' : 'could not remove';
      const what = snapshot.kind === 'volume' ? `seed snapshot ${snapshot.name} (${snapshot.sourceStack}/${snapshot.service}, volume ${snapshot.volume})` : `seed helper container ${snapshot.name}${snapshot.action === 'keep' ? ' (running)' : ''}`;
      out.line(`${verb} ${what}`);
    }
  }
  if (failures.length > 0) throw new RuntimeError(`gc could not remove everything: ${failures.join('; ')}`, { hint: 'run `stackctl gc` again; `docker ps -a --filter label=io.stackctl.ephemeral` shows what is left' });
  return 0;
}

/** `--snapshots [stack]`: seed snapshot volumes and stopped helpers; one in use is reported, not forced. */
async function removeSnapshots(scope: boolean | string, dryRun: boolean, failures: string[]): Promise<Array<SnapshotGcDecision & { removed: boolean }>> {
  const engine = createRuntime(SEED_OWNER, new Redactor());
  const decisions = decideSnapshotGc((await engine.listLabelled?.(SEED_LABELS.snapshot)) ?? [], typeof scope === 'string' ? scope : undefined);
  const result: Array<SnapshotGcDecision & { removed: boolean }> = [];
  // Helpers first: a stopped one may still hold a snapshot volume.
  for (const decision of [...decisions].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'container' ? -1 : 1))) {
    let removed = false;
    if (decision.action === 'remove' && !dryRun) {
      try {
        if (decision.kind === 'container') await engine.removeContainer(decision.name);
        else await engine.removeVolume(SEED_OWNER, decision.name);
        removed = true;
      } catch (error) {
        failures.push(`${decision.name}: ${errorMessage(error)}`);
      }
    }
    result.push({ ...decision, removed });
  }
  return result;
}
