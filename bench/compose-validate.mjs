#!/usr/bin/env node
/**
 * `stackctl validate -f <the post-mortem's compose file>` wall time, Node start-up included, next to a
 * bare `node -e ''` measured in the same run (target: under 1 s).
 * Usage: node bench/compose-validate.mjs [--runs N]   (needs `npm run build`)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 11;
const fixture = path.resolve(root, '../shared/fixtures/pyairtable-compose.2025-08-06.docker-compose.yml');
const stackctl = path.join(root, 'bin/stackctl.js');

function median(command, commandArgs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(command, commandArgs, { cwd: root, env: { PATH: process.env.PATH }, stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

const node = median(process.execPath, ['-e', '']);
const validate = median(process.execPath, [stackctl, 'validate', '-f', fixture, '--no-port-check']);
const result = { runs, medianMs: { nodeStart: node, validateComposeFixture: validate }, validateOverNodeStart: +(validate / node).toFixed(1), targetMs: 1000, met: validate < 1000 };
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
