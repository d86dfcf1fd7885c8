#!/usr/bin/env node
/**
 * Edit → ready for a Python service (test/fixtures/watch's api: reads /app/VERSION at start), in one
 * run, side by side:
 *   stackctl watch, sync+restart   edit app/VERSION → the file synced, api restarted, api and its
 *                                  dependent web proven ready (`watch.applied`), new value served
 *   stackctl watch, rebuild        edit the Dockerfile → only api's image rebuilt, api replaced,
 *                                  web re-probed ready, served
 *   docker-compose up -d --build api   the same VERSION edit with Debian's docker-compose 1.29:
 *                                  from the edit until api serves the new value
 * Targets (issue 17): sync+restart ≤ 2 s, rebuild ≤ 8 s. Medians of --runs (default 5).
 * Usage: node bench/watch-bench.mjs [--runs N] [--json FILE]
 * Needs: `npm run build`, a running engine, debian:bookworm-slim, docker-compose (scripts/ensure-docker-compose.sh).
 */
import { spawn, execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from './median.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const log = (line) => process.stderr.write(`watch-bench: ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function served(container, expected, deadlineMs = 60_000) {
  const until = performance.now() + deadlineMs;
  while (performance.now() < until) {
    try {
      const { stdout } = await run('docker', ['port', container, '8080']);
      const response = await fetch(`http://${stdout.split('\n')[0].trim()}/version`);
      if ((await response.text()).trim() === expected) return;
    } catch {
      // not up yet
    }
    await sleep(25);
  }
  throw new Error(`${container} did not serve ${expected} within ${deadlineMs} ms`);
}

async function benchWatch(dir) {
  const project = `bench-watch-${process.pid}`;
  const child = spawn('node', [BIN, 'watch', '--json', '--debounce', '100', '-p', project], { cwd: dir, env: { ...process.env, STACKCTL_NO_DAEMON: '1', NO_COLOR: '1' } });
  const events = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  });
  const waitFor = async (match, from) => {
    for (;;) {
      const found = events.slice(from).find(match);
      if (found) return found;
      if (child.exitCode !== null) throw new Error('stackctl watch exited');
      await sleep(10);
    }
  };
  await waitFor((e) => e.type === 'watch.started', 0);
  const results = { syncRestart: [], rebuild: [] };
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const from = events.length;
      const began = performance.now();
      writeFileSync(path.join(dir, 'api/app/VERSION'), `sync-${i}\n`);
      const applied = await waitFor((e) => e.type === 'watch.applied', from);
      if (!applied.ok) throw new Error(`sync+restart run ${i} failed: ${JSON.stringify(applied)}`);
      await served(`${project}-api`, `sync-${i}`);
      results.syncRestart.push(performance.now() - began);
      log(`sync+restart ${i + 1}/${RUNS}: ${(results.syncRestart.at(-1) / 1000).toFixed(2)} s`);
    }
    const dockerfile = path.join(dir, 'api/Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    for (let i = 0; i < RUNS; i += 1) {
      const from = events.length;
      const began = performance.now();
      writeFileSync(dockerfile, original.replace('ENV PYTHONUNBUFFERED=1', `ENV PYTHONUNBUFFERED=1 BENCH_EDIT=${process.pid}-${i}`));
      const applied = await waitFor((e) => e.type === 'watch.applied', from);
      if (!applied.ok) throw new Error(`rebuild run ${i} failed: ${JSON.stringify(applied)}`);
      results.rebuild.push(performance.now() - began);
      log(`rebuild ${i + 1}/${RUNS}: ${(results.rebuild.at(-1) / 1000).toFixed(2)} s`);
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    await run('node', [BIN, 'down', '-v', '-p', project], { cwd: dir, env: { ...process.env, STACKCTL_NO_DAEMON: '1' } }).catch(() => undefined);
  }
  return results;
}

async function benchCompose(dir) {
  const project = `benchwatchcompose${process.pid}`;
  const file = path.join(dir, 'docker-compose.yml');
  writeFileSync(
    file,
    `version: "2.4"
services:
  api:
    build: ./api
    ports: ["127.0.0.1::8080"]
    healthcheck: { test: ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/ready')"], interval: 1s, retries: 30 }
  web:
    build: ./web
    depends_on: { api: { condition: service_healthy } }
`,
  );
  const compose = (...rest) => run('docker-compose', ['-p', project, '-f', file, ...rest], { cwd: dir, maxBuffer: 64 << 20 });
  await compose('up', '-d', '--build');
  const times = [];
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const began = performance.now();
      writeFileSync(path.join(dir, 'api/app/VERSION'), `compose-${i}\n`);
      await compose('up', '-d', '--build', 'api');
      await served(`${project}_api_1`, `compose-${i}`);
      times.push(performance.now() - began);
      log(`docker-compose up -d --build api ${i + 1}/${RUNS}: ${(times.at(-1) / 1000).toFixed(2)} s`);
    }
  } finally {
    await compose('down', '-v', '--rmi', 'local').catch(() => undefined);
  }
  return times;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-watch-bench-'));
cpSync(path.join(ROOT, 'test/fixtures/watch'), dir, { recursive: true });
try {
  const load = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  const watch = await benchWatch(dir);
  const compose = await benchCompose(dir);
  const rows = [
    ['stackctl watch: sync+restart (edit → api and web ready, served)', median(watch.syncRestart), 2000],
    ['stackctl watch: rebuild (Dockerfile edit → api rebuilt and replaced, web re-probed)', median(watch.rebuild), 8000],
    ['docker-compose up -d --build api (same VERSION edit → served)', median(compose), undefined],
  ];
  const summary = { machine: `${os.cpus().length} cores, load ${load}`, runs: RUNS, rows: rows.map(([what, ms, target]) => ({ what, medianMs: Math.round(ms), targetMs: target })) };
  for (const { what, medianMs, targetMs } of summary.rows) {
    console.log(`${what}: ${(medianMs / 1000).toFixed(2)} s${targetMs ? ` (target ≤ ${targetMs / 1000} s: ${medianMs <= targetMs ? 'met' : 'MISSED'})` : ''}`);
  }
  console.log(`sync+restart vs docker-compose --build: ${(median(compose) / median(watch.syncRestart)).toFixed(1)}× faster`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(summary, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
