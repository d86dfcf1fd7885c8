#!/usr/bin/env node
/**
 * `up --ephemeral --seed-snapshot` of the example stack, with vs without the snapshot, in one run:
 *   - without: `stackctl up --ephemeral --detach`, postgres runs initdb (the baseline);
 *   - first:   with --seed-snapshot and no snapshot yet: initdb, then the snapshot is taken (its cost);
 *   - restore: with --seed-snapshot and the snapshot there: volumes restored, no initdb.
 * `without` and `restore` alternate ROUNDS times (the machine is shared: alternating spreads the load
 * over both); medians are compared. Wall time of the CLI process from start to all ten services
 * ready, and postgres' own ready time (since the run began) from the up result. Images and the
 * reaper's image are prepared by an untimed warm-up copy; every copy is removed after it is measured.
 *
 * Then the same comparison for a stack whose initialisation is long: postgres alone
 * (test/fixtures/seed-snapshot) with an init script generating --heavy-rows rows (default 1,000,000).
 *
 * The snapshots belong to a stack name of the bench's own (a copy of stack.yaml named
 * `seedbench-<hex>`, next to it, removed at the end with its snapshots), never the developer's.
 *
 * Usage: flock /tmp/stackctl-bench.lock node bench/seed-snapshot-bench.mjs [--rounds N] [--heavy-rows N] [--json FILE]
 * Needs: `npm run build`, a running engine, .env.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exampleEnv } from './example-env.mjs';
import { median } from './median.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const argValue = (flag) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const ROUNDS = Number(argValue('--rounds') ?? 3);
const { env } = exampleEnv();

const name = `seedbench-${randomBytes(3).toString('hex')}`;
const file = path.join(ROOT, `.${name}.stack.yaml`);
writeFileSync(file, readFileSync(path.join(ROOT, 'stack.yaml'), 'utf8').replace(/^name: pyairtable$/m, `name: ${name}`));

async function upCopy(seed, stackFile = file) {
  const started = performance.now();
  const args = [BIN, 'up', '-f', stackFile, '--ephemeral', '--detach', '--ttl', '20m', '--json', ...(seed ? ['--seed-snapshot'] : [])];
  const { stdout } = await run('node', args, { cwd: ROOT, env, maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  const result = lines.find((line) => line.type === 'up.result');
  const copy = lines.find((line) => line.type === 'up.ephemeral');
  if (!result?.ok) throw new Error(`copy did not come up: ${stdout.slice(-2000)}`);
  await run('node', [BIN, 'down', '-p', copy.stack], { cwd: ROOT, env });
  const postgres = result.services.find((service) => service.service === 'postgres');
  const seeds = (copy.seedSnapshots ?? []).map((outcome) => `${outcome.service}:${outcome.action}`);
  // The restore helper's time (one helper for every service), or the snapshots' (one per service).
  const seedMs = (copy.seedSnapshots ?? []).filter((outcome) => outcome.ms !== undefined).map((outcome) => `${outcome.service}:${outcome.ms}`);
  return { ms: Math.round(ms), upMs: result.durationMs, postgresReadyAt: postgres.timings.readyAt, seeds, seedMs };
}


const load = [];
const sample = () => load.push(Number(loadavg()[0].toFixed(1)));

/** Without / restored, alternating; the first seeded copy takes the snapshot. */
async function compare(stackFile) {
  const first = await upCopy(true, stackFile);
  sample();
  const without = [];
  const restore = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    without.push(await upCopy(false, stackFile));
    sample();
    restore.push(await upCopy(true, stackFile));
    sample();
  }
  return { first, without, restore };
}

// A stack where initialisation is long: postgres alone (test/fixtures/seed-snapshot) whose init
// script generates HEAVY_ROWS rows — where a snapshot should pay, and by how much.
const HEAVY_ROWS = Number(argValue('--heavy-rows') ?? 1_000_000);
const heavyName = `${name}-heavy`;
const heavyDir = mkdtempSync(path.join(tmpdir(), 'stackctl-seedbench-'));
cpSync(path.join(ROOT, 'test/fixtures/seed-snapshot'), heavyDir, { recursive: true });
const heavyFile = path.join(heavyDir, 'stack.yaml');
writeFileSync(heavyFile, readFileSync(heavyFile, 'utf8').replace(/^name: seed-snap$/m, `name: ${heavyName}`));
writeFileSync(path.join(heavyDir, 'initdb/big.sql'), `CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, ${HEAVY_ROWS}) AS g;\n`);
const only = argValue('--only');

let figures;
let heavy;
try {
  await upCopy(false, only === 'heavy' ? heavyFile : file); // warm-up: images, the reaper's image
  sample();
  // --only heavy: a quick check of the heavy part alone (no figures written).
  const { first, without, restore } = only === 'heavy' ? await compare(heavyFile) : await compare(file);
  heavy = only === 'heavy' ? { first, without, restore } : await compare(heavyFile);
  if (!first.seeds.includes('postgres:snapshot')) throw new Error(`the first seeded copy took no postgres snapshot: ${first.seeds.join(', ')}`);
  // A seeded copy that found no snapshot (it took one instead) is no restore: said, and left out of the medians.
  const missed = (copies) => copies.filter((copy) => !copy.seeds.includes('postgres:restored')).map((copy) => copy.seeds.join('+'));
  const restored = (copies) => copies.filter((copy) => copy.seeds.includes('postgres:restored'));
  if (restored(restore).length === 0 || restored(heavy.restore).length === 0) throw new Error(`no seeded copy restored postgres: ${[...missed(restore), ...missed(heavy.restore)].join(', ')}`);
  figures = {
    rounds: ROUNDS,
    withoutMs: without.map((copy) => copy.ms),
    restoreMs: restore.map((copy) => copy.ms),
    firstSnapshotMs: first.ms,
    withoutPostgresReadyAt: without.map((copy) => copy.postgresReadyAt),
    restorePostgresReadyAt: restore.map((copy) => copy.postgresReadyAt),
    firstPostgresReadyAt: first.postgresReadyAt,
    firstSeeds: first.seeds,
    restoreSeeds: restore[0].seeds,
    firstSeedMs: first.seedMs,
    restoreSeedMs: restore.map((copy) => copy.seedMs[0]),
    medianWithoutMs: median(without.map((copy) => copy.ms)),
    medianRestoreMs: median(restored(restore).map((copy) => copy.ms)),
    notRestored: missed(restore),
    loadavg1: load,
  };
  figures.savedMs = figures.medianWithoutMs - figures.medianRestoreMs;
  figures.heavy = {
    rows: HEAVY_ROWS,
    withoutMs: heavy.without.map((copy) => copy.ms),
    restoreMs: heavy.restore.map((copy) => copy.ms),
    firstSnapshotMs: heavy.first.ms,
    firstSeedMs: heavy.first.seedMs,
    restoreSeedMs: heavy.restore.map((copy) => copy.seedMs[0]),
    medianWithoutMs: median(heavy.without.map((copy) => copy.ms)),
    medianRestoreMs: median(restored(heavy.restore).map((copy) => copy.ms)),
    notRestored: missed(heavy.restore),
  };
  figures.heavy.savedMs = figures.heavy.medianWithoutMs - figures.heavy.medianRestoreMs;
  figures.loadavg1 = load;
} finally {
  for (const stack of [name, heavyName]) {
    await run('node', [BIN, 'gc', '--snapshots', stack], { cwd: ROOT, env }).catch((error) => console.error(`gc --snapshots ${stack} failed: ${error.message}`));
  }
  rmSync(file, { force: true });
  rmSync(heavyDir, { recursive: true, force: true });
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(`without snapshot:        median ${s(figures.medianWithoutMs)} to all 10 ready (${figures.withoutMs.map(s).join(', ')}); postgres ready at ${figures.withoutPostgresReadyAt.map(s).join(', ')}`);
console.log(`restored from snapshot:  median ${s(figures.medianRestoreMs)} to all 10 ready (${figures.restoreMs.map(s).join(', ')}); postgres ready at ${figures.restorePostgresReadyAt.map(s).join(', ')}`);
console.log(`first run (takes it):    ${s(figures.firstSnapshotMs)}; postgres ready at ${s(figures.firstPostgresReadyAt)} (snapshots, ms: ${figures.firstSeedMs.join(', ')})`);
console.log(`restore helper:          ${figures.restoreSeedMs.join(', ')} ms (one helper for ${figures.restoreSeeds.join(', ')})`);
console.log(`saved per copy:          ${s(figures.savedMs)} (median without − median restored)${figures.notRestored.length > 0 ? `; seeded copies that found no snapshot: ${figures.notRestored.join(', ')}` : ''}`);
const h = figures.heavy;
console.log(`heavy seed (${h.rows} rows), postgres alone:`);
console.log(`  without snapshot:      median ${s(h.medianWithoutMs)} to ready (${h.withoutMs.map(s).join(', ')})`);
console.log(`  restored:              median ${s(h.medianRestoreMs)} to ready (${h.restoreMs.map(s).join(', ')}); restore helper ${h.restoreSeedMs.join(', ')} ms`);
console.log(`  first run (takes it):  ${s(h.firstSnapshotMs)} (snapshot, ms: ${h.firstSeedMs.join(', ')})`);
console.log(`  saved per copy:        ${s(h.savedMs)}${h.notRestored.length > 0 ? `; seeded copies that found no snapshot: ${h.notRestored.join(', ')}` : ''}`);
console.log(`load average (1 min) during the run: ${figures.loadavg1.join(' ')}`);
const jsonAt = argValue('--json');
if (jsonAt) writeFileSync(jsonAt, `${JSON.stringify(figures, null, 2)}\n`);
