#!/usr/bin/env node
/**
 * The `stackctl up` benchmark. In one run, side by side, on two stacks:
 *
 *   example  the ten-service example stack (stack.yaml)
 *   chain    a synthetic 3-level chain (level1 ← level2 ← level3) of containers that are ready the
 *            instant they start (an exec probe `true`; compose: healthcheck `CMD true`)
 *
 * three figures each:
 *   1. `stackctl up` from scratch to all-ready, against the critical-path lower bound measured in the
 *      same run: for every service, own = readyAt − depsMetAt (its container's create + start +
 *      boot-to-ready, from the moment its dependencies were met); the bound is the largest sum of
 *      `own` along any dependency chain. Nothing can be ready sooner than that chain allows.
 *   2. a no-op `up` on the running, unchanged stack (process start to exit; median of 5).
 *   3. the same stack exported as compose (`stackctl export compose`, healthchecks equivalent to the
 *      probes, `depends_on: condition: service_healthy`) started by Debian's docker-compose, to all
 *      containers healthy — with compose's default 30 s interval and with 1 s — as a ratio.
 *
 * Images are built before anything is timed (build time is not start time). Every run uses its own
 * project name, fresh volumes, fresh secrets and free host ports, and is removed afterwards.
 *
 * Usage: node bench/up-bench.mjs [--only example|chain] [--skip-compose-30s] [--json FILE]
 *        node bench/up-bench.mjs --noop [--runs N] [--before OTHER/bin/stackctl.js] [--json FILE]
 * Needs: `npm run build`, a running engine, scripts/ensure-docker-compose.sh.
 *
 * --noop measures only the no-op path (issue 18), on the example stack started once under its own
 * project name with free host ports: per round, interleaved, bare `node -e ''`, the CLI start-up floor
 * (`stackctl --version`) and a no-op `up --json` (checked to be a no-op with every service ready) —
 * and, with --before, the same two commands of another build (e.g. main's) in the same rounds, so a
 * change is measured before/after on one machine at one load. Medians of N (default 11); the stack is
 * removed (`down -v`) at the end. Run it under the bench lock:
 *   flock /tmp/stackctl-bench.lock node bench/up-bench.mjs --noop --runs 11
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { ROOT, composeUpUntilHealthy, composeDown, exportVariant, writeStackEnv, COMPOSE_FILE } from './compose-up.mjs';
import { isReadyEvent, spawnLines } from './spawn-lines.mjs';
import { median } from './median.mjs';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin/stackctl.js');
const args = process.argv.slice(2);
const skip30 = args.includes('--skip-compose-30s');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const noopOnly = args.includes('--noop');
const runs = args.includes('--runs') ? Math.max(1, Number(args[args.indexOf('--runs') + 1]) || 11) : noopOnly ? 11 : 5;
const beforeBin = args.includes('--before') ? path.resolve(args[args.indexOf('--before') + 1]) : undefined;
const log = (line) => process.stderr.write(`up-bench: ${line}\n`);

/** Runs `stackctl …` and times it from spawn; with --json, also when the last service became ready. */
async function stackctl(argv, env, bin = BIN) {
  let lastReadyWallMs;
  const options = { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: '1' } };
  const result = await spawnLines(process.execPath, [bin, ...argv], options, (line, ms) => {
    if (isReadyEvent(line)) lastReadyWallMs = ms;
  });
  return { ...result, lastReadyWallMs };
}

function resultOf(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Longest chain of `own` (readyAt − depsMetAt) through the dependency graph. */
function criticalPath(stackServices, results) {
  const byName = new Map(results.map((r) => [r.service, r]));
  const own = (name) => {
    const t = byName.get(name)?.timings ?? {};
    return (t.readyAt ?? 0) - (t.depsMetAt ?? 0);
  };
  const memo = new Map();
  const longest = (name) => {
    if (memo.has(name)) return memo.get(name);
    const deps = stackServices.get(name) ?? [];
    let best = { ms: 0, chain: [] };
    for (const dep of deps) {
      const candidate = longest(dep);
      if (candidate.ms > best.ms) best = candidate;
    }
    const value = { ms: best.ms + own(name), chain: [...best.chain, name] };
    memo.set(name, value);
    return value;
  };
  let top = { ms: 0, chain: [] };
  for (const name of stackServices.keys()) {
    const candidate = longest(name);
    if (candidate.ms > top.ms) top = candidate;
  }
  return { ...top, own: Object.fromEntries([...stackServices.keys()].map((n) => [n, own(n)])) };
}

/** service → dependencies, from the stack file through stackctl's own loader. */
async function dependencyMap(file, env) {
  const { loadStack } = await import(path.join(ROOT, 'dist/load/load.js'));
  const loaded = await loadStack(file, { env: { ...process.env, ...env }, cwd: ROOT });
  if (!loaded.stack) throw new Error(`cannot load ${file}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return new Map(loaded.stack.services.map((s) => [s.name, s.dependsOn.map((d) => d.service)]));
}

/** Builds (or confirms up to date) every image of the stack with stackctl's own build path. */
async function prebuild(file, env) {
  const t0 = performance.now();
  const { loadStack } = await import(path.join(ROOT, 'dist/load/load.js'));
  const { DockerRuntime } = await import(path.join(ROOT, 'dist/runtime/docker-runtime.js'));
  const { computeContextHash } = await import(path.join(ROOT, 'dist/runtime/context-hash.js'));
  const loaded = await loadStack(file, { env: { ...process.env, ...env }, cwd: ROOT });
  const runtime = new DockerRuntime({});
  let built = 0;
  for (const service of loaded.stack.services) {
    if (!service.build) continue;
    const result = await runtime.buildImage({
      stack: loaded.stack.name,
      service: service.name,
      tag: service.image ?? `${loaded.stack.name}-${service.name}:latest`,
      build: service.build,
      contextHash: await computeContextHash(service.build, service.name),
    });
    if (result.built) built += 1;
  }
  return { ms: Math.round(performance.now() - t0), built };
}

async function measureStackctl(label, file, env) {
  const deps = await dependencyMap(file, env);
  log(`${label}: stackctl up from scratch …`);
  const cold = await stackctl(['up', '-f', file, '--json'], env);
  if (cold.code !== 0) throw new Error(`${label}: stackctl up failed (exit ${cold.code}):\n${cold.stdout.slice(-4000)}\n${cold.stderr}`);
  const result = resultOf(cold.stdout);
  const lastReadyAt = Math.max(...result.services.map((s) => s.timings.readyAt ?? 0));
  const firstDepsMet = Math.min(...result.services.map((s) => s.timings.depsMetAt ?? Infinity));
  const cp = criticalPath(deps, result.services);
  log(`${label}: all ready after ${lastReadyAt} ms (engine), critical path ${cp.ms} ms: ${cp.chain.join(' → ')}`);
  const noops = [];
  const floor = [];
  for (let i = 0; i < runs; i += 1) {
    noops.push(await noopUp(label, file, env));
    floor.push(Math.round((await stackctl(['--version'], env)).wallMs));
  }
  log(`${label}: no-op up ${noops.map((n) => `${n.wallMs} ms`).join(', ')}; --version ${floor.map((ms) => `${ms} ms`).join(', ')}`);
  const down = await stackctl(['down', '-v', '-f', file], env);
  if (down.code !== 0) throw new Error(`${label}: down failed: ${down.stdout}${down.stderr}`);
  const sorted = [...noops].sort((a, b) => a.wallMs - b.wallMs);
  const noop = { ...sorted[Math.floor(runs / 2)], minWallMs: sorted[0].wallMs, maxWallMs: sorted[runs - 1].wallMs, startupFloorMs: median(floor) };
  return {
    upToAllReadyMs: lastReadyAt,
    upWallToAllReadyMs: Math.round(cold.lastReadyWallMs ?? cold.wallMs),
    preparationMs: firstDepsMet,
    criticalPathMs: cp.ms,
    criticalChain: cp.chain,
    ownMs: cp.own,
    ratioToCriticalPath: lastReadyAt / cp.ms,
    ratioToCriticalPathFromFirstStart: (lastReadyAt - firstDepsMet) / cp.ms,
    noop,
    noopRuns: noops,
  };
}


/** One no-op `up --json`: its wall time and the engine's own duration; fails unless it was a no-op with all ready. */
async function noopUp(label, file, env, bin = BIN) {
  const noop = await stackctl(['up', '-f', file, '--json'], env, bin);
  const r = resultOf(noop.stdout);
  if (noop.code !== 0 || !r.noop || !r.services.every((service) => service.state === 'ready' || service.state === 'started')) {
    throw new Error(`${label}: the up was not a no-op with every service ready:\n${noop.stdout.slice(-3000)}\n${noop.stderr}`);
  }
  return { wallMs: Math.round(noop.wallMs), engineMs: r.durationMs };
}

/** Wall time of `node ARGV` (ms). */
async function nodeWall(argv) {
  const t0 = performance.now();
  await run(process.execPath, argv, { cwd: ROOT });
  return Math.round(performance.now() - t0);
}

/**
 * --noop: the example stack is started once, then every round times, interleaved, `node -e ''`, the
 * CLI's `--version` and a no-op `up` — for this build and, with --before, for another one.
 */
async function measureNoop(dir) {
  const { values } = await writeStackEnv(dir);
  const env = { ...values, STACKCTL_PROJECT_NAME: `stackctl-bench-noop-${process.pid}` };
  log('building the example images (not timed) …');
  await prebuild(path.join(ROOT, 'stack.yaml'), env);
  const loadBefore = os.loadavg()[0];
  try {
    log('starting the example stack once …');
    const cold = await stackctl(['up', '-f', 'stack.yaml', '--json'], env);
    if (cold.code !== 0) throw new Error(`stackctl up failed (exit ${cold.code}):\n${cold.stdout.slice(-4000)}\n${cold.stderr}`);
    const builds = [['after', BIN], ...(beforeBin ? [['before', beforeBin]] : [])];
    const samples = { node: [] };
    for (const [name] of builds) samples[name] = { version: [], noop: [], engine: [] };
    // One warm-up round (page cache), not counted.
    for (const [name, bin] of builds) {
      await stackctl(['--version'], env, bin);
      await noopUp(name, 'stack.yaml', env, bin);
    }
    for (let i = 0; i < runs; i += 1) {
      samples.node.push(await nodeWall(['-e', '']));
      for (const [name, bin] of builds) {
        samples[name].version.push(Math.round((await stackctl(['--version'], env, bin)).wallMs));
        const noop = await noopUp(name, 'stack.yaml', env, bin);
        samples[name].noop.push(noop.wallMs);
        samples[name].engine.push(noop.engineMs);
      }
      log(`round ${i + 1}/${runs}: ${builds.map(([name]) => `${name} --version ${samples[name].version.at(-1)} ms, no-op up ${samples[name].noop.at(-1)} ms`).join('; ')}`);
    }
    const summary = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
    const out = { runs, loadAverage: [loadBefore, os.loadavg()[0]].map((n) => n.toFixed(1)).join(' → '), nodeStartMs: summary(samples.node), builds: {} };
    for (const [name, bin] of builds) {
      out.builds[name] = { bin, versionMs: summary(samples[name].version), noopUpMs: summary(samples[name].noop), noopEngineMs: summary(samples[name].engine), samples: samples[name] };
    }
    return out;
  } finally {
    const down = await stackctl(['down', '-v', '-f', 'stack.yaml'], env);
    if (down.code !== 0) log(`down failed: ${down.stdout}${down.stderr}`);
  }
}

function noopReport(result) {
  const ms = (s) => `${s.median} ms (${s.min}–${s.max})`;
  const lines = [`No-op up on the example stack, medians of ${result.runs} interleaved rounds; load average ${result.loadAverage}; bare \`node -e ''\` ${ms(result.nodeStartMs)}.`, ''];
  lines.push('| build | `stackctl --version` (start-up floor) | no-op `up` (wall) | of which the engine | no-op − floor |');
  lines.push('|---|---|---|---|---|');
  for (const [name, b] of Object.entries(result.builds)) {
    lines.push(`| ${name} (${path.relative(process.cwd(), b.bin) || b.bin}) | ${ms(b.versionMs)} | ${ms(b.noopUpMs)} | ${ms(b.noopEngineMs)} | ${b.noopUpMs.median - b.versionMs.median} ms |`);
  }
  lines.push('', `Target: no-op up ≤ 500 ms on a quiet machine — ${result.builds.after.noopUpMs.median <= 500 ? 'met' : 'missed'} here (${result.builds.after.noopUpMs.median} ms at load ${result.loadAverage}).`);
  return `${lines.join('\n')}\n`;
}

async function measureCompose(label, file, envFile, variant) {
  const project = `stackctl-bench-${label}-${variant}-${process.pid}`;
  log(`${label}: docker-compose (${variant} healthcheck interval) …`);
  try {
    const result = await composeUpUntilHealthy({ file, envFile, project, timeoutMs: 900_000 });
    log(`${label}: compose ${variant}: all healthy after ${result.allHealthyMs} ms`);
    return result;
  } finally {
    await composeDown({ file, envFile, project });
  }
}

const CHAIN = `# Synthetic 3-level chain for bench/up-bench.mjs: each container is ready the instant it starts.
name: bench-chain
services:
  level1:
    image: debian:bookworm-slim
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    readiness: { exec: ["true"], timeout: 30s }
  level2:
    image: debian:bookworm-slim
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    depends_on: [level1]
    readiness: { exec: ["true"], timeout: 30s }
  level3:
    image: debian:bookworm-slim
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    depends_on: [level2]
    readiness: { exec: ["true"], timeout: 30s }
`;

async function machine() {
  const cpus = os.cpus();
  const docker = (await run('docker', ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).stdout.trim();
  const compose = (await run('docker-compose', ['version', '--short']).catch(() => ({ stdout: 'absent' }))).stdout.trim();
  return {
    cpu: `${cpus[0]?.model ?? '?'} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    docker,
    dockerCompose: compose,
    loadAverage: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
}

async function main() {
  if (noopOnly) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-up-bench-'));
    try {
      const result = { machine: await machine(), noop: await measureNoop(dir) };
      if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(noopReport(result.noop));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  await run('bash', [path.join(ROOT, 'scripts/ensure-docker-compose.sh')]);
  const info = await machine();
  log(`machine: ${JSON.stringify(info)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-up-bench-'));
  const out = { machine: info, startedAt: new Date().toISOString() };
  const temporary = [];
  try {
    // ── the example stack ───────────────────────────────────────────────────────────────────
    if (only !== 'chain') {
    const { file: envFile, values } = await writeStackEnv(dir);
    const exampleEnv = { ...values, STACKCTL_PROJECT_NAME: `stackctl-bench-up-${process.pid}` };
    log('building the example images (not timed as start time) …');
    out.exampleBuild = await prebuild(path.join(ROOT, 'stack.yaml'), exampleEnv);
    log(`images ready in ${out.exampleBuild.ms} ms (${out.exampleBuild.built} built)`);
    out.example = { stackctl: await measureStackctl('example', 'stack.yaml', exampleEnv) };
    const compose1s = await exportVariant('1s');
    temporary.push(compose1s);
    out.example.compose1s = await measureCompose('example', compose1s, envFile, '1s');
    if (!skip30) out.example.compose30s = await measureCompose('example', COMPOSE_FILE, envFile, '30s');
    }

    // ── the synthetic chain ─────────────────────────────────────────────────────────────────
    if (only !== 'example') {
    const chainFile = path.join(dir, 'chain.yaml');
    writeFileSync(chainFile, CHAIN);
    const chainEnvFile = path.join(dir, 'chain.env');
    writeFileSync(chainEnvFile, '');
    const chainEnv = { STACKCTL_PROJECT_NAME: `stackctl-bench-chain-${process.pid}` };
    out.chain = { stackctl: await measureStackctl('chain', chainFile, chainEnv) };
    for (const interval of skip30 ? ['1s'] : ['1s', '30s']) {
      const composeFile = path.join(dir, `chain-${interval}.docker-compose.yml`);
      await run(process.execPath, [BIN, 'export', 'compose', '-f', chainFile, '-o', composeFile, '--healthcheck-interval', interval], { cwd: ROOT });
      out.chain[`compose${interval}`] = await measureCompose('chain', composeFile, chainEnvFile, interval);
    }
    }
  } finally {
    for (const file of temporary) rmSync(file, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  out.machine.loadAverageAtEnd = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(report(out));
}

const s = (ms) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
const x = (value) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`);

function report(out) {
  const lines = [];
  lines.push(`Machine: ${out.machine.cpu}, ${out.machine.memoryGiB} GiB, Linux ${out.machine.kernel}; Node ${out.machine.node}; Docker ${out.machine.docker}; docker-compose ${out.machine.dockerCompose}; load average ${out.machine.loadAverage} → ${out.machine.loadAverageAtEnd}.`);
  lines.push('');
  lines.push('| stack | stackctl up → all ready | critical path | ratio (target ≤ 1.10) | no-op up (target < 1.5 s) | compose 1 s → healthy | speed-up vs 1 s | compose 30 s → healthy | speed-up vs 30 s |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const name of ['example', 'chain']) {
    const r = out[name];
    if (!r) continue;
    const st = r.stackctl;
    const wall = st.upWallToAllReadyMs;
    lines.push(
      `| ${name} | ${s(st.upToAllReadyMs)} (wall ${s(wall)}) | ${s(st.criticalPathMs)} | ${x(st.ratioToCriticalPath)} | ${s(st.noop.wallMs)} (${s(st.noop.minWallMs)}–${s(st.noop.maxWallMs)}; engine ${s(st.noop.engineMs)}; start-up floor ${s(st.noop.startupFloorMs)}) | ${s(r.compose1s?.allHealthyMs)} | ${x(r.compose1s ? r.compose1s.allHealthyMs / wall : undefined)} | ${s(r.compose30s?.allHealthyMs)} | ${x(r.compose30s ? r.compose30s.allHealthyMs / wall : undefined)} |`,
    );
  }
  lines.push('');
  for (const name of ['example', 'chain']) {
    const st = out[name]?.stackctl;
    if (!st) continue;
    lines.push(`${name}: critical chain ${st.criticalChain.join(' → ')}; preparation before the first start ${s(st.preparationMs)}; ratio from the first start ${x(st.ratioToCriticalPathFromFirstStart)}; own times ${Object.entries(st.ownMs).map(([k, v]) => `${k} ${v} ms`).join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
