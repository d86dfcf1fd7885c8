/**
 * `up --ephemeral --seed-snapshot` on the real engine (docs/ci.md "Fast repeat runs"): the first copy
 * of a stack runs initdb and its init script and keeps a snapshot of postgres' volume; the next copy
 * (through the Node API) starts from it — postgres says "existing cluster", never "initializing", and
 * the seeded rows are there; a changed init script invalidates the snapshot; `down` leaves snapshots
 * alone and `gc --snapshots` removes them, and nothing unlabelled.
 *
 * One service (postgres, test/fixtures/seed-snapshot), under a stack name of its own, so its snapshots
 * are this file's alone.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Stack } from '../../../src/api/index.js';
import { ROOT, docker, dockerLines, purge, stackctl, uniqueName } from '../engine/cli.js';
import { jsonLines } from './helpers.js';

const source = uniqueName('seedsnap');
const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-seed-'));
cpSync(path.join(ROOT, 'test/fixtures/seed-snapshot'), dir, { recursive: true });
const file = path.join(dir, 'stack.yaml');
writeFileSync(file, readFileSync(file, 'utf8').replace(/^name: seed-snap$/m, `name: ${source}`));
const password = randomBytes(12).toString('hex');
const env = { SEED_PG_PASSWORD: password };
const copies: string[] = [];
const bystander = uniqueName('seedsnap-bystander');

interface SeedOutcome {
  service: string;
  action: string;
  detail: string;
}

/** This stack's snapshot volumes. */
function snapshots(): Promise<string[]> {
  return dockerLines(['volume', 'ls', '--filter', 'label=io.stackctl.seed-snapshot=true', '--filter', `label=io.stackctl.seed-source-stack=${source}`, '--format', '{{.Name}}']);
}

async function upCopy(): Promise<{ stack: string; seeds: SeedOutcome[] }> {
  const run = await stackctl(['up', '--ephemeral', '--seed-snapshot', '--detach', '--ttl', '10m', '--json', '-f', file], env);
  const line = jsonLines(run.stdout, 'up.ephemeral')[0] as { stack: string; seedSnapshots: SeedOutcome[] } | undefined;
  if (line) copies.push(line.stack);
  expect(run.exitCode, run.stdout.slice(-3000) + run.stderr).toBe(0);
  return { stack: line!.stack, seeds: line!.seedSnapshots };
}

async function fruitCount(stack: string): Promise<string> {
  return docker(['exec', '-e', `PGPASSWORD=${password}`, `${stack}-postgres`, 'psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-tAc', 'SELECT count(*) FROM fruit']);
}

const logsOf = async (stack: string): Promise<string> => {
  const { execa } = await import('execa');
  const result = await execa('docker', ['logs', `${stack}-postgres`], { reject: false });
  return `${String(result.stdout)}\n${String(result.stderr)}`;
};

afterAll(async () => {
  for (const copy of copies) await purge(copy);
  const left = await snapshots();
  if (left.length > 0) await docker(['volume', 'rm', '-f', ...left]);
  await docker(['volume', 'rm', '-f', bystander]);
  rmSync(dir, { recursive: true, force: true });
});

describe('seed snapshots of ephemeral copies', () => {
  it('the first copy runs initdb and its init script, then keeps a snapshot that its down leaves alone', { timeout: 300_000 }, async () => {
    const first = await upCopy();
    expect(first.seeds).toEqual([expect.objectContaining({ service: 'postgres', action: 'snapshot' })]);
    const logs = await logsOf(first.stack);
    expect(logs).toContain('initializing a new cluster');
    expect(logs).toContain('running /docker-entrypoint-initdb.d/seed.sql');
    expect(await fruitCount(first.stack)).toBe('3');
    expect(await snapshots()).toHaveLength(1);
    const down = await stackctl(['down', '-p', first.stack], {});
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await dockerLines(['volume', 'ls', '--filter', `label=io.stackctl.stack=${first.stack}`, '--format', '{{.Name}}'])).toEqual([]);
    expect(await snapshots()).toHaveLength(1);
  });

  it('the next copy (Node API) starts from it: no initdb, the seeded rows are there', { timeout: 300_000 }, async () => {
    const stack = await Stack.load(file, { env: { ...process.env, ...env } });
    const copy = await stack.up({ ephemeral: true, seedSnapshot: true, ttl: '10m' });
    copies.push(copy.name);
    try {
      expect(copy.seedSnapshots).toEqual([expect.objectContaining({ service: 'postgres', action: 'restored' })]);
      const logs = await logsOf(copy.name);
      expect(logs).toContain('existing cluster in /var/lib/postgresql/data: skipping initialization');
      expect(logs).not.toContain('initializing a new cluster');
      expect(logs).not.toContain('seed.sql');
      expect(await fruitCount(copy.name)).toBe('3');
    } finally {
      await stack.down();
    }
    expect(await snapshots()).toHaveLength(1);
  });

  it('a changed init script invalidates it: the next copy initialises afresh and keeps a snapshot of its own', { timeout: 300_000 }, async () => {
    appendFileSync(path.join(dir, 'initdb/seed.sql'), "INSERT INTO fruit (name) VALUES ('quince');\n");
    const third = await upCopy();
    expect(third.seeds).toEqual([expect.objectContaining({ service: 'postgres', action: 'snapshot' })]);
    const logs = await logsOf(third.stack);
    expect(logs).toContain('initializing a new cluster');
    expect(await fruitCount(third.stack)).toBe('4');
    expect((await stackctl(['down', '-p', third.stack], {})).exitCode).toBe(0);
    // The old init script's snapshot is kept (a branch switch back finds it), beside the new one.
    expect(await snapshots()).toHaveLength(2);
  });

  it('gc --snapshots removes them, and leaves an unlabelled volume alone', { timeout: 120_000 }, async () => {
    await docker(['volume', 'create', bystander]);
    const dry = await stackctl(['gc', '--snapshots', source, '--dry-run'], {});
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`would remove seed snapshot ${source}_pgdata\\.seed-[0-9a-f]{12}-[0-9a-f]{6} \\(${source}/postgres, volume pgdata\\)`));
    expect(await snapshots()).toHaveLength(2);
    const gc = await stackctl(['gc', '--snapshots', source, '--json'], {});
    expect(gc.exitCode, gc.stderr).toBe(0);
    const removed = (JSON.parse(gc.stdout) as Array<{ name?: string; kind?: string; removed: boolean }>).filter((entry) => entry.kind === 'volume');
    expect(removed).toHaveLength(2);
    expect(removed.every((entry) => entry.removed)).toBe(true);
    expect(await snapshots()).toEqual([]);
    expect(await dockerLines(['volume', 'ls', '--filter', `name=${bystander}`, '--format', '{{.Name}}'])).toEqual([bystander]);
  });
});
