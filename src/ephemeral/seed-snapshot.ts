/**
 * `up --ephemeral --seed-snapshot`: a copy's first start of a stateful service (postgres' initdb and
 * init scripts) is paid once; later copies of the same stack start from a kept copy of the volumes.
 *
 * Taking a snapshot. When a service whose volumes this run created first passes its (authenticated)
 * readiness probe — before any dependent is released, so only the service's own initialisation is in
 * the data — its container is *paused* (`docker pause`, the cgroup freezer), a helper container from
 * the local base image copies each volume (`cp -a`) into a new snapshot volume, and the container is
 * unpaused. Frozen processes write nothing, and the helper reads through the same page cache, so the
 * copy is the data at one instant: what a filesystem snapshot or a power cut leaves, which postgres
 * and redis start from by their normal crash recovery (postgres replays its WAL: the manual's
 * "file system level backup" with a consistent snapshot). Why not stop the service for a clean
 * shutdown instead: a restart costs a second probe, new ephemeral host ports and a death the run
 * would have to explain, on every first run; the pause costs the helper's ~0.5 s and nothing else. A
 * service whose data is not crash-safe should not be given --seed-snapshot.
 *
 * Restoring. Once the images are known (the key needs their ids) and before any container exists,
 * each service whose volumes are all new and all have a snapshot under its current key gets them
 * filled by one helper (every service in the same helper); its first start then finds initialised
 * data (postgres: "existing cluster … skipping initialization").
 *
 * Where snapshots live: in the engine, as volumes labelled io.stackctl.seed-snapshot (and the key,
 * stack, service, volume), owned by no stack (LABELS.stack = SEED_OWNER), so neither `down` nor the
 * reaper of a copy removes them; `stackctl gc --snapshots` does. Nothing is written outside the
 * engine: the data (with postgres' hashed passwords) never leaves a volume.
 */
import { randomBytes } from 'node:crypto';
import type { Stack } from '../config/model.js';
import { UsageError, errorMessage } from '../errors.js';
import type { EventListener } from '../engine/events.js';
import type { VolumeSeeder } from '../engine/volume-seeder.js';
import { configHash } from '../plan/config-hash.js';
import { volumeName } from '../plan/names.js';
import type { ExecResult, Runtime } from '../runtime/runtime.js';
import { filesDigest } from './files-digest.js';
import {
  SEED_LABELS,
  SEED_OWNER,
  bindSources,
  helperPaths,
  newestSet,
  restoreScript,
  seedKey,
  seedableVolumes,
  snapshotLabels,
  snapshotScript,
  snapshotVolumeName,
  supersededBy,
  type SnapshotVolume,
} from './seed-key.js';

/** The services named for seed snapshots (`--seed-snapshot a,b`, `seedSnapshot: [...]`) must be the stack's. */
export function checkSeedServices(stack: Stack, names: readonly string[], option: string): void {
  const unknown = names.filter((name) => !stack.services.some((service) => service.name === name));
  if (unknown.length > 0) {
    throw new UsageError(`${option} names no service of stack ${stack.name}: ${unknown.join(', ')}`, { hint: `its services: ${stack.services.map((service) => service.name).join(', ')}` });
  }
}

/** The helper's image: the base image every stackctl machine has (scripts/ensure-base-image.sh). */
export const HELPER_IMAGE = 'debian:bookworm-slim';
const HELPER_TIMEOUT_MS = 120_000;

export interface SeedSnapshotOptions {
  /** The stack as written (its name and config make the key). */
  source: Stack;
  /** The ephemeral copy being started. */
  copy: Stack;
  runtime: Runtime;
  /** Only these services (default: every service with a readiness probe and volumes of its own). */
  services?: readonly string[];
  onEvent?: EventListener;
  clock?: () => number;
}

interface ServiceSeed {
  /** Logical volume names (as in the stack file). */
  volumes: string[];
  key?: string;
  /** Its volumes were filled from a snapshot: nothing to keep. */
  restored: boolean;
}

/** What happened, per service, for the result and the tests. */
export interface SeedOutcome {
  service: string;
  action: 'restored' | 'snapshot' | 'skipped' | 'failed';
  detail: string;
  ms?: number;
}

export class SeedSnapshots implements VolumeSeeder {
  private readonly seeds = new Map<string, ServiceSeed>();
  readonly outcomes: SeedOutcome[] = [];
  private readonly clock: () => number;

  constructor(private readonly options: SeedSnapshotOptions) {
    this.clock = options.clock ?? Date.now;
    const only = options.services ? new Set(options.services) : undefined;
    for (const [service, volumes] of seedableVolumes(options.copy, only)) this.seeds.set(service, { volumes, restored: false });
  }

  private report(outcome: SeedOutcome, phase: 'creating' | 'ready'): void {
    this.outcomes.push(outcome);
    this.options.onEvent?.({ type: 'service.phase', service: outcome.service, phase, at: this.clock(), detail: outcome.detail });
  }

  private async snapshots(): Promise<SnapshotVolume[]> {
    const objects = (await this.options.runtime.listLabelled?.(SEED_LABELS.snapshot)) ?? [];
    return objects.filter((object) => object.kind === 'volume' && object.stack === SEED_OWNER).map(({ name, labels, createdAt }) => ({ name, labels, ...(createdAt ? { createdAt } : {}) }));
  }

  async restore(imageIds: ReadonlyMap<string, string>, createdVolumes: readonly string[], signal: AbortSignal): Promise<void> {
    const { source, copy, runtime } = this.options;
    const created = new Set(createdVolumes);
    for (const [service, seed] of [...this.seeds]) {
      const imageId = imageIds.get(service);
      const written = source.services.find((candidate) => candidate.name === service);
      // Data that exists already is the run's own: never overwritten, never kept.
      if (!imageId || !written || !seed.volumes.every((volume) => created.has(volumeName(copy, volume)))) {
        this.seeds.delete(service);
        continue;
      }
      const files = await filesDigest(source.dir, bindSources(written));
      if (!files.ok) {
        this.seeds.delete(service);
        this.report({ service, action: 'skipped', detail: `no seed snapshot: ${files.reason}` }, 'creating');
        continue;
      }
      seed.key = seedKey({ sourceStack: source.name, service, volumes: seed.volumes, imageId, configHash: configHash(source, written, imageId), filesDigest: files.digest });
    }
    if (this.seeds.size === 0 || signal.aborted) return;
    const began = this.clock();
    try {
      const snapshots = await this.snapshots();
      const groups: Array<{ service: string; indices: number[]; set: string }> = [];
      const volumes: Array<{ volume: string; target: string; readOnly: boolean }> = [];
      for (const [service, seed] of this.seeds) {
        const found = newestSet(snapshots, seed.key!, seed.volumes);
        if (!found) continue;
        const indices: number[] = [];
        for (const volume of seed.volumes) {
          const index = volumes.length / 2;
          volumes.push({ volume: found.get(volume)!, target: helperPaths(index).seed, readOnly: true });
          volumes.push({ volume: volumeName(copy, volume), target: helperPaths(index).volume, readOnly: false });
          indices.push(index);
        }
        groups.push({ service, indices, set: setOf(snapshots, found) });
      }
      if (groups.length === 0) return;
      const run = await runtime.runOneShot({
        stack: SEED_OWNER,
        image: HELPER_IMAGE,
        command: ['sh', '-c', restoreScript(groups.map((group) => group.indices))],
        volumes,
        labels: { [SEED_LABELS.snapshot]: 'true', [SEED_LABELS.source]: source.name },
        timeoutMs: HELPER_TIMEOUT_MS,
      });
      const ms = this.clock() - began;
      if (run.exitCode !== 0) throw new Error(`the helper exited ${run.exitCode}: ${run.output.trim().split('\n').slice(-3).join(' / ')}`);
      groups.forEach((group, index) => {
        const seed = this.seeds.get(group.service)!;
        if (new RegExp(`^restored ${index}$`, 'm').test(run.output)) {
          seed.restored = true;
          this.report({ service: group.service, action: 'restored', detail: `${seed.volumes.join(', ')} restored from seed snapshot ${group.set} in ${ms} ms`, ms }, 'creating');
        } else this.report({ service: group.service, action: 'skipped', detail: `seed snapshot ${group.set} is incomplete (its copy was cut short): initialising afresh` }, 'creating');
      });
    } catch (error) {
      // Whatever the helper wrote is no valid start: every volume it may have touched starts empty again.
      await this.emptyAgain(createdVolumes);
      for (const service of this.seeds.keys()) this.report({ service, action: 'failed', detail: `seed snapshot not restored: ${errorMessage(error)}` }, 'creating');
    }
  }

  private async emptyAgain(createdVolumes: readonly string[]): Promise<void> {
    const { copy, runtime } = this.options;
    const touched = [...this.seeds.values()].flatMap((seed) => seed.volumes.map((volume) => volumeName(copy, volume))).filter((name) => createdVolumes.includes(name));
    for (const name of touched) {
      await runtime.removeVolume(copy.name, name).catch(() => undefined);
      await runtime.ensureVolume(copy.name, name, copy.labels).catch(() => undefined);
    }
    for (const seed of this.seeds.values()) seed.restored = false;
  }

  async ready(service: string, containerId: string, signal: AbortSignal): Promise<void> {
    const seed = this.seeds.get(service);
    if (!seed?.key || seed.restored || signal.aborted) return;
    this.seeds.delete(service); // once per run
    const { source, copy, runtime } = this.options;
    const set = `${seed.key.slice(0, 12)}-${randomBytes(3).toString('hex')}`;
    const names = seed.volumes.map((volume) => snapshotVolumeName(source.name, volume, set));
    const began = this.clock();
    try {
      for (const [index, volume] of seed.volumes.entries()) {
        await runtime.ensureVolume(SEED_OWNER, names[index]!, snapshotLabels({ key: seed.key, set, sourceStack: source.name, service, volume, madeBy: copy.name }));
      }
      let pausedMs = 0;
      await runtime.pauseContainer(containerId);
      const paused = this.clock();
      let run: ExecResult;
      try {
        run = await runtime.runOneShot({
          stack: SEED_OWNER,
          image: HELPER_IMAGE,
          command: ['sh', '-c', snapshotScript(seed.volumes.length)],
          volumes: seed.volumes.flatMap((volume, index) => [
            { volume: volumeName(copy, volume), target: helperPaths(index).volume, readOnly: true },
            { volume: names[index]!, target: helperPaths(index).seed, readOnly: false },
          ]),
          labels: { [SEED_LABELS.snapshot]: 'true', [SEED_LABELS.source]: source.name },
          timeoutMs: HELPER_TIMEOUT_MS,
        });
      } finally {
        await runtime.unpauseContainer(containerId);
        pausedMs = this.clock() - paused;
      }
      if (run.exitCode !== 0) throw new Error(`the helper exited ${run.exitCode}: ${run.output.trim().split('\n').slice(-3).join(' / ')}`);
      const ms = this.clock() - began;
      this.report({ service, action: 'snapshot', detail: `seed snapshot ${set} of ${seed.volumes.join(', ')} kept in ${ms} ms (paused ${pausedMs} ms)`, ms }, 'ready');
      for (const stale of supersededBy(await this.snapshots(), { sourceStack: source.name, service, key: seed.key, set })) {
        // In use by a concurrent copy's helper: the engine refuses, and the next snapshot tries again.
        await runtime.removeVolume(SEED_OWNER, stale).catch(() => undefined);
      }
    } catch (error) {
      for (const name of names) await runtime.removeVolume(SEED_OWNER, name).catch(() => undefined);
      this.report({ service, action: 'failed', detail: `no seed snapshot kept: ${errorMessage(error)}` }, 'ready');
    }
  }
}

function setOf(snapshots: readonly SnapshotVolume[], found: ReadonlyMap<string, string>): string {
  const first = [...found.values()][0];
  return snapshots.find((snapshot) => snapshot.name === first)?.labels[SEED_LABELS.set] ?? '?';
}
