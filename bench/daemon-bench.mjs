#!/usr/bin/env node
/**
 * Benchmarks of issue 7 (`stackctl daemon`), on the ten-service example stack, in one run:
 *
 *  1. Recovery time after `docker kill <stack>-redis`: from the kill to (a) redis ready again and
 *     (b) every service whose readiness depends on redis, directly or through another service
 *     (platform-services, llm-orchestrator, saga-orchestrator, api-gateway, frontend), ready again
 *     with a probe that answered after the kill — as the daemon's status reports it. Repeated
 *     `--kills` times (median, min, max).
 *  2. The daemon's memory over `--duration` seconds (default 600 = 10 minutes): RSS (and its private,
 *     anonymous part) sampled every 10 s from /proc, while the daemon probes every service every 5 s,
 *     an SSE client stays connected, the status is polled every 5 s, and redis is killed every
 *     `--kill-every` seconds (default 120) and the integration suite runs (the `test` action) every
 *     `--test-every` seconds (default 150). Target: RSS < 100 MB and flat (slope over the second half
 *     of the run near 0 MB/min).
 *
 * The daemon is started as users start it (`stackctl daemon --detach`, which runs the suite once the
 * stack is up), so the figures include what running the suite costs the daemon.
 *
 * The stack is the example stack.yaml with restart policies added (postgres/redis `always` with
 * restart_dependents, the rest `on-failure:5`), no fixed host ports (probes use ephemeral loopback
 * ports), random secrets and its own project name; it is removed (down -v) at the end.
 * Needs the example images' build contexts, the engine, and `npm run build`.
 *
 * Usage: node bench/daemon-bench.mjs [--duration 600] [--kills 5] [--kill-gap 35] [--burst 4] [--kill-every 120] [--test-every 150] [--json] [--keep]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { freshSecrets } from './example-env.mjs';
import { median } from './median.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const run = promisify(execFile);
const { findDaemon } = await import(path.join(ROOT, 'dist/daemon/client.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  return value === undefined || value.startsWith('--') ? true : value;
}
const DURATION_S = Number(arg('duration', 600));
const KILLS = Number(arg('kills', 5));
const KILL_EVERY_S = Number(arg('kill-every', 120));
const TEST_EVERY_S = Number(arg('test-every', 150));
/** Seconds between the measured kills: longer than the daemon's 30 s stable period, so each is a fresh failure episode. */
const KILL_GAP_S = Number(arg('kill-gap', 35));
const BURST = Number(arg('burst', 4));
const JSON_OUT = arg('json', false) === true;
const KEEP = arg('keep', false) === true;
const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The example stack with restart policies, absolute build contexts, no fixed host ports. */
export function deriveStack(dir) {
  const doc = YAML.parse(readFileSync(path.join(ROOT, 'stack.yaml'), 'utf8'));
  doc.suite = path.join(ROOT, doc.suite);
  delete doc.env_file;
  for (const [name, service] of Object.entries(doc.services)) {
    if (typeof service.build === 'string') service.build = path.join(ROOT, service.build);
    else if (service.build) service.build.context = path.join(ROOT, service.build.context);
    delete service.ports;
    const data = name === 'postgres' || name === 'redis';
    service.restart = data ? 'always' : 'on-failure:5';
    if (data) service.restart_dependents = true;
  }
  const file = path.join(dir, 'stack.yaml');
  writeFileSync(file, YAML.stringify(doc));
  return { file, doc };
}

/** Services whose readiness depends on `root` with condition ready, directly or transitively. */
function readyDependents(doc, root) {
  const out = new Set();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, service] of Object.entries(doc.services)) {
      if (out.has(name)) continue;
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.entries(service.depends_on ?? {}).filter(([, d]) => (d.condition ?? 'ready') === 'ready').map(([n]) => n);
      if (deps.some((d) => d === root || out.has(d))) {
        out.add(name);
        grew = true;
      }
    }
  }
  return [...out];
}

/** CPU seconds (user + system) the process has used. */
function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMB: kb('VmRSS') / 1024, anonMB: kb('RssAnon') / 1024 };
}

function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}


async function killAndMeasure(client, project, watched) {
  const before = await client.status();
  const restarts = before.services.find((s) => s.name === 'redis').restarts;
  const killedAt = Date.now();
  await run('docker', ['kill', `${project}-redis`]);
  let redisMs;
  for (;;) {
    const status = await client.status({ timeoutMs: 5000 });
    const now = Date.now();
    const byName = new Map(status.services.map((s) => [s.name, s]));
    const redis = byName.get('redis');
    if (redisMs === undefined && redis.ready && redis.restarts > restarts) redisMs = now - killedAt;
    const fresh = (s) => s.ready && s.lastProbe && Date.parse(s.lastProbe.at) > killedAt;
    if (redisMs !== undefined && watched.every((name) => fresh(byName.get(name)))) {
      return { redisMs, allMs: now - killedAt };
    }
    if (now - killedAt > 120_000) throw new Error(`no recovery within 120 s: ${status.services.map((s) => `${s.name}=${s.state}`).join(' ')}`);
    await sleep(50);
  }
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-daemon-bench-'));
  const project = `bench-daemon-${process.pid}`;
  const { file, doc } = deriveStack(dir);
  const watched = readyDependents(doc, 'redis');
  const env = { ...process.env, POSTGRES_USER: 'bench', POSTGRES_DB: 'bench', ...freshSecrets(), STACKCTL_NO_DAEMON: '' };
  let client;
  try {
    log(`starting the daemon for ${project} (${Object.keys(doc.services).length} services)`);
    const started = Date.now();
    try {
      await run(process.execPath, [BIN, 'daemon', '-f', file, '-p', project, '--detach'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      throw new Error(`the daemon did not bring the stack up:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
    const upMs = Date.now() - started;
    client = await findDaemon(dir, project);
    const info = JSON.parse(readFileSync(path.join(dir, '.stackctl', `${project}.daemon.json`), 'utf8'));
    const pid = info.pid;
    log(`supervising after ${upMs} ms (daemon pid ${pid}); redis ready-dependents: ${watched.join(', ')}`);
    // The daemon runs the suite once the stack is up; measure from when that run is done.
    let suiteAfterUp = 'none';
    for (let waited = 0; waited < 180_000; waited += 500) {
      const last = (await client.status()).lastTest;
      if (last) {
        suiteAfterUp = last.summary;
        break;
      }
      await sleep(500);
    }
    log(`suite after up: ${suiteAfterUp}`);
    const afterUp = memoryOf(pid);

    // 1. Recovery after docker kill redis.
    const recoveries = [];
    for (let i = 0; i < KILLS; i += 1) {
      await sleep(i === 0 ? 3000 : KILL_GAP_S * 1000);
      const r = await killAndMeasure(client, project, watched);
      recoveries.push(r);
      log(`kill ${i + 1}/${KILLS}: redis ready after ${r.redisMs} ms, all its dependents after ${r.allMs} ms`);
    }
    // Back-to-back kills (one episode): the backoff grows, by design (no restart storm).
    const burst = [];
    await sleep(KILL_GAP_S * 1000);
    for (let i = 0; i < BURST; i += 1) {
      const r = await killAndMeasure(client, project, watched);
      burst.push(r);
      log(`back-to-back kill ${i + 1}/${BURST}: redis ready after ${r.redisMs} ms, all after ${r.allMs} ms`);
      await sleep(1000);
    }
    await sleep(KILL_GAP_S * 1000);

    // 2. Memory over the run.
    const sse = new AbortController();
    let events = 0;
    const stream = client.events(() => (events += 1), { signal: sse.signal }).catch(() => undefined);
    const samples = [];
    const cpu0 = cpuSecondsOf(pid);
    const t0 = Date.now();
    let nextKill = t0 + KILL_EVERY_S * 1000;
    let nextTest = t0 + TEST_EVERY_S * 1000;
    const suiteRuns = [];
    let nextSample = t0;
    let kills = 0;
    const failures = [];
    while (Date.now() - t0 < DURATION_S * 1000) {
      const now = Date.now();
      if (now >= nextSample) {
        const m = memoryOf(pid);
        const heapMB = (await client.status()).memory.heapUsedBytes / 1048576;
        samples.push({ t: (now - t0) / 1000, ...m, heapMB });
        nextSample += 10_000;
      }
      if (now >= nextKill) {
        nextKill += KILL_EVERY_S * 1000;
        try {
          await killAndMeasure(client, project, watched);
          kills += 1;
        } catch (error) {
          failures.push(String(error.message ?? error));
        }
      }
      if (now >= nextTest) {
        nextTest += TEST_EVERY_S * 1000;
        const result = await client.test();
        suiteRuns.push(result.ok);
        log(`suite run ${suiteRuns.length}: ${result.message}`);
      }
      await client.status();
      await sleep(5000);
    }
    samples.push({ t: (Date.now() - t0) / 1000, ...memoryOf(pid), heapMB: (await client.status()).memory.heapUsedBytes / 1048576 });
    const cpuPercent = ((cpuSecondsOf(pid) - cpu0) / ((Date.now() - t0) / 1000)) * 100;
    sse.abort();
    await stream;

    const final = await client.status();
    const half = samples.filter((s) => s.t >= DURATION_S / 2);
    const result = {
      machine: { cpus: os.cpus().length, node: process.version, docker: execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim() },
      services: Object.keys(doc.services).length,
      upMs,
      recovery: {
        kills: recoveries.length,
        dependents: watched,
        redisMs: { median: median(recoveries.map((r) => r.redisMs)), min: Math.min(...recoveries.map((r) => r.redisMs)), max: Math.max(...recoveries.map((r) => r.redisMs)) },
        allMs: { median: median(recoveries.map((r) => r.allMs)), min: Math.min(...recoveries.map((r) => r.allMs)), max: Math.max(...recoveries.map((r) => r.allMs)) },
        backToBackAllMs: burst.map((r) => r.allMs),
      },
      memory: {
        durationS: DURATION_S,
        afterUpMB: round(afterUp.rssMB),
        startMB: round(samples[0].rssMB),
        maxMB: round(Math.max(...samples.map((s) => s.rssMB))),
        minMB: round(Math.min(...samples.map((s) => s.rssMB))),
        endMB: round(samples[samples.length - 1].rssMB),
        anonStartMB: round(samples[0].anonMB),
        anonMaxMB: round(Math.max(...samples.map((s) => s.anonMB))),
        anonEndMB: round(samples[samples.length - 1].anonMB),
        secondHalfSlopeMBPerMin: round(slope(half.map((s) => ({ x: s.t / 60, y: s.rssMB }))), 3),
        killsDuringRun: kills,
        suiteRuns: suiteRuns.length,
        suiteRunsPassed: suiteRuns.filter(Boolean).length,
        suiteAfterUp,
        cpuPercentOfOneCore: round(cpuPercent, 2),
        eventsStreamed: events,
        failures,
        heapStartMB: round(samples[0].heapMB),
        heapMaxMB: round(Math.max(...samples.map((s) => s.heapMB))),
        heapEndMB: round(samples[samples.length - 1].heapMB),
        samples: samples.map((s) => [Math.round(s.t), round(s.rssMB), round(s.anonMB), round(s.heapMB)]),
      },
      finalStates: final.services.map((s) => `${s.name}=${s.state}`).join(' '),
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(markdown(result));
  } finally {
    if (!KEEP) {
      log('bringing the stack down (-v)');
      try {
        if (client) await client.down({ volumes: true, exit: true });
        else await run(process.execPath, [BIN, 'down', '-v', '-p', project], { cwd: dir, env });
      } catch (error) {
        log(`down failed: ${error.message}`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function round(n, digits = 1) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function markdown(r) {
  const m = r.memory;
  const lines = [
    `### stackctl daemon — ${r.services}-service example stack (${r.machine.cpus} CPUs, Node ${r.machine.node}, Docker ${r.machine.docker})`,
    '',
    `Up (daemon --detach to supervised, images cached): ${r.upMs} ms; the suite the daemon ran after up: ${r.memory.suiteAfterUp}`,
    '',
    `| recovery after \`docker kill <stack>-redis\` (${r.recovery.kills} kills) | median | min | max |`,
    '|---|---|---|---|',
    `| redis ready again | ${r.recovery.redisMs.median} ms | ${r.recovery.redisMs.min} ms | ${r.recovery.redisMs.max} ms |`,
    `| redis + every ready-dependent (${r.recovery.dependents.join(', ')}) re-probed ready | ${r.recovery.allMs.median} ms | ${r.recovery.allMs.min} ms | ${r.recovery.allMs.max} ms |`,
    '',
    `Kills ${KILL_GAP_S} s apart (each a fresh failure episode). Back-to-back kills 1 s apart (one episode; the backoff doubles from 250 ms): ${r.recovery.backToBackAllMs.map((ms) => `${ms} ms`).join(', ')}.`,
    '',
    `| daemon memory over ${m.durationS} s (${m.killsDuringRun} redis kills, ${m.suiteRuns} suite runs of which ${m.suiteRunsPassed} passed, ${m.eventsStreamed} SSE events) | start | max | end | 2nd-half slope |`,
    '|---|---|---|---|---|',
    `| RSS (min ${m.minMB} MB) | ${m.startMB} MB | ${m.maxMB} MB | ${m.endMB} MB | ${m.secondHalfSlopeMBPerMin} MB/min |`,
    `| private (anonymous) part of RSS | ${m.anonStartMB} MB | ${m.anonMaxMB} MB | ${m.anonEndMB} MB | |`,
    `| V8 heap used | ${m.heapStartMB} MB | ${m.heapMaxMB} MB | ${m.heapEndMB} MB | |`,
    '',
    `Daemon CPU over the run: ${m.cpuPercentOfOneCore}% of one core.`,
    '',
    `Samples (s: RSS/anon/heap MB): ${m.samples.map((s) => `${s[0]}:${s[1]}/${s[2]}/${s[3]}`).join(' ')}`,
    m.failures.length > 0 ? `\nFailures: ${m.failures.join('; ')}` : '',
    `\nFinal states: ${r.finalStates}`,
    '',
  ];
  return lines.join('\n');
}

await main();
