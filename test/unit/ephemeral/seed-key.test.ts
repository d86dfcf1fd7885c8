import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VolumeMount } from '../../../src/config/model.js';
import { filesDigest } from '../../../src/ephemeral/files-digest.js';
import { decideSnapshotGc } from '../../../src/ephemeral/gc.js';
import {
  KEYS_KEPT,
  SEED_LABELS,
  SEED_OWNER,
  newestSet,
  restoreScript,
  seedKey,
  seedableVolumes,
  snapshotLabels,
  snapshotScript,
  supersededBy,
  type SnapshotVolume,
} from '../../../src/ephemeral/seed-key.js';
import type { LabelledObject } from '../../../src/runtime/runtime.js';
import { makeStack } from '../../support/stack-builder.js';

const here = { file: '/test/stack.yaml', line: 1, col: 1 };
const volume = (source: string, target: string, readOnly = false): VolumeMount => ({ type: 'volume', source, target, readOnly, location: here });
const bind = (source: string, target: string): VolumeMount => ({ type: 'bind', source, target, readOnly: true, location: here });

describe('seedableVolumes', () => {
  it("takes a probed service's own writable named volumes; never shared, external, read-only ones, or a service without a probe", () => {
    const stack = makeStack(
      'demo',
      {
        db: { probe: true, volumes: [volume('pgdata', '/var/lib/postgresql/data'), bind('/test/initdb', '/docker-entrypoint-initdb.d'), volume('shared', '/shared')] },
        cache: { probe: true, volumes: [volume('redis', '/data')] },
        worker: { volumes: [volume('uploads', '/uploads'), volume('shared', '/shared')] },
        reader: { probe: true, volumes: [volume('dumps', '/dumps', true), volume('ext', '/ext')] },
      },
      { volumes: { pgdata: { external: false, location: here }, ext: { external: true, location: here } } },
    );
    expect(Object.fromEntries(seedableVolumes(stack))).toEqual({ db: ['pgdata'], cache: ['redis'] });
    expect(Object.fromEntries(seedableVolumes(stack, new Set(['cache'])))).toEqual({ cache: ['redis'] });
  });
});

describe('seedKey', () => {
  const base = { sourceStack: 'pyairtable', service: 'postgres', volumes: ['postgres-data'], imageId: 'sha256:aa', configHash: 'c1', filesDigest: 'f1' };
  it('is stable, and changes with every input that decides what a first start writes', () => {
    expect(seedKey(base)).toBe(seedKey({ ...base }));
    expect(seedKey(base)).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      { sourceStack: 'other' },
      { service: 'db' },
      { volumes: ['postgres-data', 'wal'] },
      { imageId: 'sha256:bb' },
      { configHash: 'c2' },
      { filesDigest: 'f2' },
    ];
    const keys = new Set([seedKey(base), ...variants.map((variant) => seedKey({ ...base, ...variant }))]);
    expect(keys.size).toBe(variants.length + 1);
  });
});

describe('filesDigest', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'stackctl-seed-digest-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('follows content, names and the executable bit of bind-mounted files, relative to the stack directory', async () => {
    const stackDir = path.join(root, 'a');
    mkdirSync(path.join(stackDir, 'initdb'), { recursive: true });
    writeFileSync(path.join(stackDir, 'initdb/seed.sql'), 'INSERT INTO fruit VALUES (1);\n');
    writeFileSync(path.join(stackDir, 'extra.sql'), 'SELECT 1;\n');
    const sources = [path.join(stackDir, 'initdb'), path.join(stackDir, 'extra.sql')];
    const first = await filesDigest(stackDir, sources);
    expect(first.ok).toBe(true);
    // Another checkout of the same files, elsewhere: the same digest.
    const other = path.join(root, 'b');
    mkdirSync(path.join(other, 'initdb'), { recursive: true });
    writeFileSync(path.join(other, 'initdb/seed.sql'), 'INSERT INTO fruit VALUES (1);\n');
    writeFileSync(path.join(other, 'extra.sql'), 'SELECT 1;\n');
    expect(await filesDigest(other, [path.join(other, 'initdb'), path.join(other, 'extra.sql')])).toEqual(first);

    writeFileSync(path.join(stackDir, 'initdb/seed.sql'), 'INSERT INTO fruit VALUES (2);\n');
    const edited = await filesDigest(stackDir, sources);
    expect(edited).not.toEqual(first);
    writeFileSync(path.join(stackDir, 'initdb/more.sql'), '');
    const added = await filesDigest(stackDir, sources);
    expect(added).not.toEqual(edited);
    chmodSync(path.join(stackDir, 'extra.sql'), 0o755);
    expect(await filesDigest(stackDir, sources)).not.toEqual(added);
    // A bind source that does not exist (yet) is part of the digest too.
    expect(await filesDigest(stackDir, [...sources, path.join(stackDir, 'missing')])).not.toEqual(await filesDigest(stackDir, sources));
  });
});

function snapshot(name: string, key: string, set: string, minutesAgo: number, extra: Record<string, string> = {}): SnapshotVolume {
  return {
    name,
    labels: snapshotLabels({ key, set, sourceStack: 'pyairtable', service: 'postgres', volume: name.split(':')[0]!, madeBy: 'pyairtable-123456', ...extra }),
    createdAt: new Date(Date.parse('2026-01-01T12:00:00Z') - minutesAgo * 60_000),
  };
}

describe('newestSet', () => {
  it('picks the newest set of the key holding every volume', () => {
    const snapshots = [
      snapshot('data:old', 'k1', 's-old', 30),
      snapshot('wal:old', 'k1', 's-old', 30),
      snapshot('data:new', 'k1', 's-new', 5), // its wal never made it: not a whole set
      snapshot('data:other', 'k2', 's-other', 1),
      snapshot('wal:other', 'k2', 's-other', 1),
    ];
    expect(Object.fromEntries(newestSet(snapshots, 'k1', ['data', 'wal'])!)).toEqual({ data: 'data:old', wal: 'wal:old' });
    expect(Object.fromEntries(newestSet(snapshots, 'k1', ['data'])!)).toEqual({ data: 'data:new' });
    expect(newestSet(snapshots, 'k3', ['data'])).toBeUndefined();
  });
});

describe('supersededBy', () => {
  it(`drops other sets of its own key and every key beyond the ${KEYS_KEPT} newest, never another stack's or service's`, () => {
    const snapshots = [
      snapshot('data:mine', 'k1', 'mine', 0),
      snapshot('data:dup', 'k1', 'dup', 10),
      snapshot('data:k2-new', 'k2', 'k2-new', 20),
      snapshot('data:k2-old', 'k2', 'k2-old', 25),
      snapshot('data:k3', 'k3', 'k3', 30),
      snapshot('data:k4', 'k4', 'k4', 40),
      snapshot('data:redis', 'k9', 'redis', 50, { service: 'redis' }),
      snapshot('data:elsewhere', 'k8', 'elsewhere', 60, { sourceStack: 'other' }),
    ];
    expect(supersededBy(snapshots, { sourceStack: 'pyairtable', service: 'postgres', key: 'k1', set: 'mine' })).toEqual(['data:dup', 'data:k2-old', 'data:k4']);
  });
});

describe('helper scripts', () => {
  it('marks a snapshot complete only after every copy, and restores a group only when all its markers are there', () => {
    expect(snapshotScript(2)).toBe(
      ['set -eu', 'mkdir /seed/0/data && cp -a /volume/0/. /seed/0/data/', 'mkdir /seed/1/data && cp -a /volume/1/. /seed/1/data/', 'touch /seed/0/complete', 'touch /seed/1/complete'].join('\n'),
    );
    expect(restoreScript([[0, 1], [2]])).toBe(
      [
        'set -eu',
        'if [ -e /seed/0/complete ] && [ -e /seed/1/complete ]; then cp -a /seed/0/data/. /volume/0/ && cp -a /seed/1/data/. /volume/1/; echo "restored 0"; else echo "incomplete 0"; fi',
        'if [ -e /seed/2/complete ]; then cp -a /seed/2/data/. /volume/2/; echo "restored 1"; else echo "incomplete 1"; fi',
      ].join('\n'),
    );
  });
});

describe('decideSnapshotGc', () => {
  const object = (kind: LabelledObject['kind'], name: string, labels: Record<string, string>, extra: Partial<LabelledObject> = {}): LabelledObject => ({
    kind,
    id: name,
    name,
    stack: labels['io.stackctl.stack'] ?? '',
    labels,
    ...extra,
  });
  const seed = (source: string): Record<string, string> => ({ 'io.stackctl.stack': SEED_OWNER, [SEED_LABELS.snapshot]: 'true', [SEED_LABELS.source]: source, [SEED_LABELS.service]: 'postgres', [SEED_LABELS.volume]: 'pgdata' });

  it('takes only seed-labelled objects owned by no stack, keeps a running helper, and can be scoped to one stack', () => {
    const objects = [
      object('volume', 'a_pgdata.seed-1', seed('a')),
      object('volume', 'b_pgdata.seed-2', seed('b')),
      object('container', 'helper-running', seed('a'), { running: true }),
      object('container', 'helper-dead', seed('a'), { running: false }),
      // a stack's own volume that happens to carry the label: owned by the stack, never a candidate
      object('volume', 'a_pgdata', { ...seed('a'), 'io.stackctl.stack': 'a' }),
      object('volume', 'unlabelled', {}),
    ];
    expect(decideSnapshotGc(objects).map((d) => `${d.kind}:${d.name}:${d.action}`)).toEqual([
      'container:helper-dead:remove',
      'container:helper-running:keep',
      'volume:a_pgdata.seed-1:remove',
      'volume:b_pgdata.seed-2:remove',
    ]);
    expect(decideSnapshotGc(objects, 'b').map((d) => d.name)).toEqual(['b_pgdata.seed-2']);
  });
});
