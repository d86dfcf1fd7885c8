/**
 * Seed snapshots (`up --ephemeral --seed-snapshot`), the pure part: which services' volumes can be
 * kept, what makes a kept copy valid (the key), how snapshots are labelled, which ones a new one
 * supersedes, and the helper's shell scripts. The engine side is src/ephemeral/seed-snapshot.ts.
 *
 * The key is a digest of everything that decides what a first start writes into the volumes:
 *   - the stack's own name (never the copy's: every copy of `pyairtable` shares its snapshots),
 *   - the service's name and the logical names of its volumes,
 *   - its image id (an init script baked into the image changes it),
 *   - its config hash, taken on the stack as written (command, environment — credentials included:
 *     data initialised with another password would fail the authenticated probe —, mounts, …),
 *   - a digest of the files it bind-mounts (`./initdb:/docker-entrypoint-initdb.d`, seed files).
 * Change any of them and the snapshot no longer matches: the volume is initialised afresh.
 */
import { createHash } from 'node:crypto';
import type { Service, Stack } from '../config/model.js';

/** LABELS.stack of every snapshot volume and helper container: no stack name has a dot, so no stack owns them. */
export const SEED_OWNER = 'stackctl.seed-snapshots';

export const SEED_LABELS = {
  /** 'true' on every snapshot volume and helper container (what `gc --snapshots` lists). */
  snapshot: 'io.stackctl.seed-snapshot',
  key: 'io.stackctl.seed-key',
  /** One helper run: the volumes of one service kept together (`<key 12>-<6 hex>`). */
  set: 'io.stackctl.seed-set',
  source: 'io.stackctl.seed-source-stack',
  service: 'io.stackctl.seed-service',
  volume: 'io.stackctl.seed-volume',
  /** The copy whose first start made it (for the curious; not part of validity). */
  madeBy: 'io.stackctl.seed-made-by',
} as const;

/** Bump when the key's inputs or the snapshot layout change: older snapshots then never match. */
const KEY_VERSION = 'seed-v1';

/** How many keys of one service are kept (the newest set of each): a branch switch back finds its seed. */
export const KEYS_KEPT = 3;

/**
 * Services whose named volumes can be kept: with a readiness probe (the snapshot is taken once it
 * proves the data initialised), and only volumes no other service mounts (their content would
 * depend on several services' starts). External volumes are never copied.
 */
export function seedableVolumes(stack: Stack, only?: ReadonlySet<string>): Map<string, string[]> {
  const mounters = new Map<string, Set<string>>();
  for (const service of stack.services) {
    for (const mount of service.volumes) {
      if (mount.type !== 'volume' || mount.source === undefined) continue;
      mounters.set(mount.source, (mounters.get(mount.source) ?? new Set()).add(service.name));
    }
  }
  const result = new Map<string, string[]>();
  for (const service of stack.services) {
    if (!service.readiness || (only && !only.has(service.name))) continue;
    const volumes = [
      ...new Set(
        service.volumes
          .filter((mount) => mount.type === 'volume' && mount.source !== undefined && !mount.readOnly)
          .map((mount) => mount.source!)
          .filter((source) => !stack.volumes[source]?.external && mounters.get(source)?.size === 1),
      ),
    ].sort();
    if (volumes.length > 0) result.set(service.name, volumes);
  }
  return result;
}

/** The host paths a service bind-mounts: the init scripts and seed files its first start may read. */
export function bindSources(service: Service): string[] {
  return [...new Set(service.volumes.filter((mount) => mount.type === 'bind' && mount.source !== undefined).map((mount) => mount.source!))].sort();
}

export interface SeedKeyInput {
  sourceStack: string;
  service: string;
  volumes: readonly string[];
  imageId: string;
  configHash: string;
  /** Digest of the bind-mounted files (src/ephemeral/files-digest.ts). */
  filesDigest: string;
}

/** 64 hex characters. */
export function seedKey(input: SeedKeyInput): string {
  const document = [KEY_VERSION, input.sourceStack, input.service, [...input.volumes].sort(), input.imageId, input.configHash, input.filesDigest];
  return createHash('sha256').update(JSON.stringify(document)).digest('hex');
}

/** `pyairtable_postgres-data.seed-3f9a2c1b0d4e-a1b2c3` — beside the stack's own `pyairtable_postgres-data` in `docker volume ls`. */
export function snapshotVolumeName(sourceStack: string, volume: string, set: string): string {
  return `${sourceStack}_${volume}.seed-${set}`;
}

export function snapshotLabels(input: { key: string; set: string; sourceStack: string; service: string; volume: string; madeBy: string }): Record<string, string> {
  return {
    [SEED_LABELS.snapshot]: 'true',
    [SEED_LABELS.key]: input.key,
    [SEED_LABELS.set]: input.set,
    [SEED_LABELS.source]: input.sourceStack,
    [SEED_LABELS.service]: input.service,
    [SEED_LABELS.volume]: input.volume,
    [SEED_LABELS.madeBy]: input.madeBy,
  };
}

/** A snapshot volume as found in the engine. */
export interface SnapshotVolume {
  name: string;
  labels: Record<string, string>;
  createdAt?: Date;
}

/**
 * The newest set holding a snapshot of every one of `volumes` under `key`, as volume → snapshot
 * name; undefined when there is none. (Whether its copy finished is known only inside the volume: the
 * restore script checks for the marker.)
 */
export function newestSet(snapshots: readonly SnapshotVolume[], key: string, volumes: readonly string[]): Map<string, string> | undefined {
  const sets = new Map<string, { newest: number; byVolume: Map<string, string> }>();
  for (const snapshot of snapshots) {
    if (snapshot.labels[SEED_LABELS.key] !== key) continue;
    const set = snapshot.labels[SEED_LABELS.set];
    const volume = snapshot.labels[SEED_LABELS.volume];
    if (!set || !volume) continue;
    const entry = sets.get(set) ?? { newest: 0, byVolume: new Map<string, string>() };
    entry.newest = Math.max(entry.newest, snapshot.createdAt?.getTime() ?? 0);
    entry.byVolume.set(volume, snapshot.name);
    sets.set(set, entry);
  }
  const complete = [...sets.entries()]
    .filter(([, entry]) => volumes.every((volume) => entry.byVolume.has(volume)))
    .sort(([a, x], [b, y]) => y.newest - x.newest || b.localeCompare(a));
  return complete[0]?.[1].byVolume;
}

/**
 * What a new set supersedes among the same service's snapshots of the same stack: every other set of
 * its own key (an older or concurrent duplicate), and all sets of keys beyond the KEYS_KEPT newest.
 */
export function supersededBy(snapshots: readonly SnapshotVolume[], current: { sourceStack: string; service: string; key: string; set: string }): string[] {
  const mine = snapshots.filter(
    (snapshot) => snapshot.labels[SEED_LABELS.source] === current.sourceStack && snapshot.labels[SEED_LABELS.service] === current.service && snapshot.labels[SEED_LABELS.set] !== current.set,
  );
  const newestOfKey = new Map<string, number>();
  for (const snapshot of mine) {
    const key = snapshot.labels[SEED_LABELS.key] ?? '';
    newestOfKey.set(key, Math.max(newestOfKey.get(key) ?? 0, snapshot.createdAt?.getTime() ?? 0));
  }
  const otherKeys = [...newestOfKey.entries()].filter(([key]) => key !== current.key).sort(([, a], [, b]) => b - a);
  const keptKeys = new Set(otherKeys.slice(0, KEYS_KEPT - 1).map(([key]) => key));
  // Of each kept key, only its newest set stays.
  const keptSets = new Set<string>();
  for (const key of keptKeys) {
    const newest = mine.filter((snapshot) => snapshot.labels[SEED_LABELS.key] === key).sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
    if (newest) keptSets.add(newest.labels[SEED_LABELS.set] ?? '');
  }
  return mine.filter((snapshot) => !keptSets.has(snapshot.labels[SEED_LABELS.set] ?? '')).map((snapshot) => snapshot.name).sort();
}

/** Where the helper mounts the i-th live volume and the i-th snapshot. */
export const helperPaths = (index: number): { volume: string; seed: string } => ({ volume: `/volume/${index}`, seed: `/seed/${index}` });

/** The marker written last: a snapshot without it was cut short and is never restored. */
const COMPLETE = 'complete';

/** Copies live volumes 0..n-1 into snapshot volumes 0..n-1 (`data/`), then marks each complete. */
export function snapshotScript(count: number): string {
  const indices = [...Array(count).keys()];
  return [
    'set -eu',
    ...indices.map((i) => `mkdir ${helperPaths(i).seed}/data && cp -a ${helperPaths(i).volume}/. ${helperPaths(i).seed}/data/`),
    ...indices.map((i) => `touch ${helperPaths(i).seed}/${COMPLETE}`),
  ].join('\n');
}

/**
 * Restores groups of snapshots (one group per service, all or none) into empty volumes; prints
 * `restored <group>` or `incomplete <group>` per group. Indices are global across groups.
 */
export function restoreScript(groups: ReadonlyArray<readonly number[]>): string {
  const lines = ['set -eu'];
  groups.forEach((indices, group) => {
    const complete = indices.map((i) => `[ -e ${helperPaths(i).seed}/${COMPLETE} ]`).join(' && ');
    const copies = indices.map((i) => `cp -a ${helperPaths(i).seed}/data/. ${helperPaths(i).volume}/`).join(' && ');
    lines.push(`if ${complete}; then ${copies}; echo "restored ${group}"; else echo "incomplete ${group}"; fi`);
  });
  return lines.join('\n');
}
