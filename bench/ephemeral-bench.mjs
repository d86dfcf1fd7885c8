#!/usr/bin/env node
/**
 * Ephemeral copies of the example stack, in one run, side by side:
 *   1. one copy alone: `stackctl up --ephemeral --detach` from start to all ten services ready;
 *   2. three copies started at once (three CLIs): from start to all thirty ready (the slowest);
 * and the ratio 2 / 1. Images are checked first (build time is not start time); every copy is
 * removed with `stackctl down -p NAME` after it is measured. Wall time of the CLI process, which
 * includes the reaper's start (its image build is skipped after the first run).
 *
 * Usage: node bench/ephemeral-bench.mjs [--json FILE]     Needs: `npm run build`, a running engine, .env.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exampleEnv } from './example-env.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const { env } = exampleEnv();

async function upCopy() {
  const started = performance.now();
  const { stdout } = await run('node', [BIN, 'up', '--ephemeral', '--detach', '--ttl', '20m', '--json'], { cwd: ROOT, env, maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  const result = lines.find((line) => line.type === 'up.result');
  const copy = lines.find((line) => line.type === 'up.ephemeral');
  if (!result?.ok) throw new Error(`copy did not come up: ${stdout.slice(-2000)}`);
  return { ms, stack: copy.stack };
}

async function down(stack) {
  await run('node', [BIN, 'down', '-p', stack], { cwd: ROOT, env });
}

// Images first (and the reaper's): a throwaway copy.
const warm = await upCopy();
await down(warm.stack);

const alone = await upCopy();
await down(alone.stack);

const started = performance.now();
const three = await Promise.all([upCopy(), upCopy(), upCopy()]);
const threeMs = performance.now() - started;
for (const copy of three) await down(copy.stack);

const figures = {
  aloneMs: Math.round(alone.ms),
  threeParallelMs: Math.round(threeMs),
  ratio: Number((threeMs / alone.ms).toFixed(2)),
  perCopyMs: three.map((copy) => Math.round(copy.ms)),
  loadavg: (await import('node:os')).loadavg().map((value) => Number(value.toFixed(1))),
};
console.log(`one copy alone:        ${(figures.aloneMs / 1000).toFixed(1)} s to all 10 ready`);
console.log(`three copies at once:  ${(figures.threeParallelMs / 1000).toFixed(1)} s to all 30 ready (each: ${figures.perCopyMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s)`);
console.log(`ratio three/one:       ${figures.ratio}x (load average ${figures.loadavg.join(' ')})`);
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1], `${JSON.stringify(figures, null, 2)}\n`);
