/**
 * `stackctl gc`: which ephemeral copies may go. Pure: the labelled objects found in the engine and
 * the time in, a decision per copy out. Only objects carrying io.stackctl.ephemeral=true are ever
 * considered, so a stack started without --ephemeral is never a candidate, whatever its state.
 *
 * A copy goes when
 *   - expired: its io.stackctl.expires-at (`--ttl`) has passed, or
 *   - orphaned: its reaper is not running (killed with the engine, removed by hand) and its newest
 *     object is older than the grace period — a copy being started right now is never orphaned.
 * Any other copy is live and kept.
 */
import { LABELS, type LabelledObject } from '../runtime/runtime.js';
import { EPHEMERAL_LABELS, expiresAtOf } from '../plan/ephemeral-labels.js';
import { SEED_LABELS, SEED_OWNER } from './seed-key.js';

/** A copy younger than this is never called orphaned (its reaper may be starting). */
export const ORPHAN_GRACE_MS = 60_000;

export interface GcDecision {
  stack: string;
  action: 'remove' | 'keep';
  reason: 'expired' | 'orphaned' | 'live';
  expiresAtMs?: number;
  containers: number;
  networks: number;
  volumes: number;
}

export function decideGc(objects: readonly LabelledObject[], nowMs: number, graceMs = ORPHAN_GRACE_MS): GcDecision[] {
  const byStack = new Map<string, LabelledObject[]>();
  for (const object of objects) {
    if (object.labels[EPHEMERAL_LABELS.ephemeral] !== 'true') continue;
    const stack = object.labels[LABELS.stack];
    if (!stack) continue;
    byStack.set(stack, [...(byStack.get(stack) ?? []), object]);
  }
  const decisions: GcDecision[] = [];
  for (const [stack, members] of [...byStack].sort(([a], [b]) => a.localeCompare(b))) {
    const expiries = members.map((member) => expiresAtOf(member.labels)).filter((at): at is number => at !== undefined);
    const expiresAtMs = expiries.length > 0 ? Math.min(...expiries) : undefined;
    const reaperRunning = members.some((member) => member.kind === 'container' && member.labels[EPHEMERAL_LABELS.reaper] === 'true' && member.running === true);
    const newest = Math.max(...members.map((member) => member.createdAt?.getTime() ?? nowMs));
    const reason: GcDecision['reason'] =
      expiresAtMs !== undefined && expiresAtMs <= nowMs ? 'expired' : !reaperRunning && nowMs - newest >= graceMs ? 'orphaned' : 'live';
    decisions.push({
      stack,
      action: reason === 'live' ? 'keep' : 'remove',
      reason,
      ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
      containers: members.filter((member) => member.kind === 'container').length,
      networks: members.filter((member) => member.kind === 'network').length,
      volumes: members.filter((member) => member.kind === 'volume').length,
    });
  }
  return decisions;
}

/** `stackctl gc --snapshots [stack]`: a seed snapshot volume or a leftover helper container. */
export interface SnapshotGcDecision {
  kind: 'volume' | 'container';
  name: string;
  sourceStack: string;
  service: string;
  volume: string;
  /** A helper still running (a restore or snapshot in progress) is kept. */
  action: 'remove' | 'keep';
  createdAt?: Date;
}

/**
 * Every seed snapshot (and stopped helper) in the engine, or only those of `sourceStack`. Only objects
 * carrying io.stackctl.seed-snapshot=true and owned by SEED_OWNER qualify: nothing unlabelled, and no
 * stack's own volume, is ever a candidate.
 */
export function decideSnapshotGc(objects: readonly LabelledObject[], sourceStack?: string): SnapshotGcDecision[] {
  return objects
    .filter((object) => object.stack === SEED_OWNER && object.labels[SEED_LABELS.snapshot] === 'true' && object.kind !== 'network')
    .filter((object) => sourceStack === undefined || object.labels[SEED_LABELS.source] === sourceStack)
    .map((object): SnapshotGcDecision => ({
      kind: object.kind === 'container' ? 'container' : 'volume',
      name: object.name,
      sourceStack: object.labels[SEED_LABELS.source] ?? '',
      service: object.labels[SEED_LABELS.service] ?? '',
      volume: object.labels[SEED_LABELS.volume] ?? '',
      action: object.kind === 'container' && object.running === true ? 'keep' : 'remove',
      ...(object.createdAt ? { createdAt: object.createdAt } : {}),
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
