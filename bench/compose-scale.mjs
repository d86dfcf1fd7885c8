#!/usr/bin/env node
/**
 * Issue 11, class 11: `stackctl validate -f` wall time (Node start-up included) against the number of
 * services in a compose file written the way large projects write them (anchors, `<<` merge keys; see
 * gen-compose.mjs), for 10, 60 and 500 services, beside the ten-service example's compose export
 * (compose/docker-compose.yml) and a bare `node -e ''`, all in one run.
 * Target: 60 services within 2× of the ten-service example and under 500 ms.
 * Usage: node bench/compose-scale.mjs [--runs N]   (needs `npm run build`)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateCompose } from './gen-compose.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 9;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
