#!/usr/bin/env node
/**
 * Issue 11, class 11: `stackctl validate -f` wall time (Node start-up included) against the number of
 * services in a compose file written the way large projects write them (anchors, `<<` merge keys; see
 * gen-compose.mjs), for 10, 60 and 500 services, beside the ten-service example's compose export
 * (compose/docker-compose.yml) and a bare `node -e ''`, all in one run.
 * Target: 60 services within 2× of the ten-service example and under 500 ms.
 * Usage: node bench/compose-scale.mjs [--runs N]   (needs `npm run build`)
 *
 * --plan (issue 18, big files end to end): `stackctl plan -f` of generated files of 1,000, 5,000 and
 * 10,000 services (--sizes to change them), wall time with Node start-up, median of --runs (default 3)
 * after one warm-up, with the time per service so growth can be read as linear or not; with
 * --before OTHER/bin/stackctl.js the same files through another build in the same rounds (before/after
 * of a change at one load). A run that exceeds --limit seconds (default 120) is recorded as such.
 * Target: 10,000 services under 1 s, growing linearly. Run it under the bench lock:
 *   flock /tmp/stackctl-bench.lock node bench/compose-scale.mjs --plan
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateCompose } from './gen-compose.mjs';
import { median } from './median.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 9;

function time(argv) {
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = performance.now();
    try {
      execFileSync(process.execPath, argv, { cwd: root, stdio: 'ignore', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
    } catch {
      // exit 1 (findings) measures the same work
    }
    if (i > 0) times.push(performance.now() - start); // one warm-up run
  }
  return Math.round(median(times));
}

const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

/**
 * One timed CLI run (ms), or the limit when it had to be stopped. `failed`: it printed no plan (the
 * file did not load — a build that refuses it is not timed as if it had planned it).
 */
function timedRun(argv, limitMs) {
  const start = performance.now();
  let stdout = '';
  try {
    stdout = execFileSync(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: limitMs, maxBuffer: 1 << 28, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
  } catch (error) {
    if (error.signal) return { ms: limitMs, stopped: true, failed: false };
    stdout = error.stdout ?? '';
  }
  const ms = Math.round(performance.now() - start);
  return { ms, stopped: false, failed: argv[1] === 'plan' && !stdout.includes('start order') };
}

function planScale() {
  const sizes = option('--sizes', '1000,5000,10000').split(',').map(Number);
  const planRuns = Number(option('--runs', '3'));
  const limitMs = Number(option('--limit', '120')) * 1000;
  const before = args.includes('--before') ? path.resolve(option('--before')) : undefined;
  const builds = [['after', path.join(root, 'bin/stackctl.js')], ...(before ? [['before', before]] : [])];
  const loadBefore = os.loadavg()[0];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-plan-scale-'));
  const rows = [];
  try {
    const nodeStart = [];
    for (const n of sizes) {
      const file = path.join(dir, `s${n}`, 'docker-compose.yml');
      execFileSync('mkdir', ['-p', path.dirname(file)]);
      writeFileSync(file, generateCompose(n));
      const times = Object.fromEntries(builds.map(([name]) => [name, []]));
      const stopped = Object.fromEntries(builds.map(([name]) => [name, false]));
      const failed = Object.fromEntries(builds.map(([name]) => [name, false]));
      for (let i = 0; i <= planRuns; i++) {
        nodeStart.push(timedRun(['-e', ''], limitMs).ms);
        for (const [name, bin] of builds) {
          if (stopped[name] || failed[name]) continue;
          const result = timedRun([bin, 'plan', '-f', file], limitMs);
          if (result.stopped) stopped[name] = true;
          if (result.failed) failed[name] = true;
          if (i > 0 || result.stopped) times[name].push(result.ms); // the first round warms the page cache
        }
      }
      const row = { services: n, bytes: statSync(file).size };
      for (const [name] of builds) {
        row[name] = failed[name]
          ? { failed: 'printed no plan (the file did not load)' }
          : stopped[name]
            ? { stoppedAfterMs: limitMs }
            : { medianMs: median(times[name]), minMs: Math.min(...times[name]), maxMs: Math.max(...times[name]) };
      }
      rows.push(row);
      process.stderr.write(`compose-scale: ${n} services: ${builds.map(([name]) => `${name} ${JSON.stringify(row[name])}`).join(', ')}\n`);
    }
    const first = rows[0];
    const growth = rows.map((row) => ({
      services: row.services,
      msPerService: row.after.medianMs === undefined ? undefined : +(row.after.medianMs / row.services).toFixed(3),
      timeRatio: row.after.medianMs === undefined ? undefined : +(row.after.medianMs / first.after.medianMs).toFixed(2),
      sizeRatio: +(row.services / first.services).toFixed(2),
    }));
    const biggest = rows.at(-1);
    return {
      runs: planRuns,
      loadAverage: [loadBefore, os.loadavg()[0]].map((n) => n.toFixed(1)).join(' → '),
      nodeStartMs: median(nodeStart),
      rows,
      growth,
      target: `${biggest.services} services < 1 s, linear`,
      met: biggest.after.medianMs !== undefined && biggest.after.medianMs < 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.includes('--plan')) {
  process.stdout.write(`${JSON.stringify(planScale(), null, 2)}\n`);
  process.exit(0);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-compose-scale-'));
try {
  const validate = (file) => time(['bin/stackctl.js', 'validate', '-f', file, '--no-port-check']);
  const nodeStart = time(['-e', '']);
  const example = path.join(root, 'compose/docker-compose.yml');
  const rows = [{ name: 'example (compose/docker-compose.yml)', services: 10, bytes: statSync(example).size, ms: validate(example) }];
  for (const n of [10, 60, 500]) {
    const file = path.join(dir, `s${n}`, 'docker-compose.yml');
    execFileSync('mkdir', ['-p', path.dirname(file)]);
    writeFileSync(file, generateCompose(n));
    rows.push({ name: `generated, ${n} services`, services: n, bytes: statSync(file).size, ms: validate(file) });
  }
  const sixty = rows.find((r) => r.services === 60).ms;
  const ratio = +(sixty / rows[0].ms).toFixed(2);
  const result = { runs, nodeStartMs: nodeStart, rows, sixtyOverExample: ratio, target: '60 services ≤ 2× example and < 500 ms', met: ratio <= 2 && sixty < 500 };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
