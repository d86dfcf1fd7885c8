#!/usr/bin/env node
/**
 * Issue 18, "many services": how stackctl's cost grows with the number of services. Two stacks, each
 * measured three ways in one run, side by side:
 *
 *   synthetic  200 services in 10 dependency levels of 20 (debian:bookworm-slim, `sleep infinity`
 *              behind a TERM trap, ready the instant they start: exec probe `true`); every service of
 *              level L > 1 waits for two of level L − 1; 10 publish a port the engine chooses, 10
 *              mount a named volume.
 *   redis      50 copies of the example's redis (stackctl-example/redis:dev) in 5 levels of 10, each
 *              with its own named volume and the authenticated probe (AUTH + PING).
 *
 *   stackctl   `up` from nothing to all ready, a no-op `up` (median of 3), `ps`, `down -v`, and the
 *              CLI process's own peak RSS and CPU time for each (a --require hook reads
 *              process.resourceUsage() at exit).
 *   floor      the engine's own floor: the same containers (same image, command, labels, network,
 *              aliases, ports, volumes) created and started by plain concurrent dockerode calls, no
 *              readiness, no dependency order, 16 at a time (--floor-concurrency); its teardown
 *              (stop + rm, then volumes and network) is the floor of `down -v`; one list call plus
 *              each exec probe's command once (6 at a time: the engine's exec throughput is flat from
 *              4 up) is the floor of a no-op `up` that proves every service ready again.
 *   compose    the stack exported by `stackctl export compose --healthcheck-interval 1s`
 *              (`depends_on: condition: service_healthy`) run by docker-compose 1.29: `up -d` until
 *              every container is healthy, a second `up -d` (its no-op), `ps`, `down -v`.
 *
 * Every run has its own project names and temporary directory and removes all it created, also on
 * failure. Run it alone on the machine, niced (RULES 11):
 *
 *   flock /tmp/stackctl-bench.lock nice node bench/scale-bench.mjs [--only synthetic|redis]
 *         [--skip-compose] [--compose-limit 120] [--floor-concurrency 16] [--width 20]
 *         [--noop-runs 3] [--compare OTHER/bin/stackctl.js (one no-op run)] [--json FILE]
 *
 * Needs `npm run build`, a running engine, the base image (scripts/ensure-base-image.sh), the
 * example's redis image (scripts/build-example-images.sh) and docker-compose (scripts/ensure-docker-compose.sh).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { ROOT } from './compose-up.mjs';
import { isReadyEvent, spawnLines } from './spawn-lines.mjs';
import { median } from './median.mjs';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin/stackctl.js');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = option('--only');
const skipCompose = args.includes('--skip-compose');
const floorConcurrency = Number(option('--floor-concurrency') ?? 16);
const jsonOut = option('--json');
/** Another build of stackctl measured first in the same run (before/after figures of a change). */
const compareBin = option('--compare');
const noopRuns = Number(option('--noop-runs') ?? 3);
const composeLimitMs = Number(option('--compose-limit') ?? 120) * 1000;
const log = (line) => process.stderr.write(`scale-bench: ${line}\n`);
const docker = new Docker();
const SLEEPER = ['sh', '-c', "trap 'exit 0' TERM; sleep infinity & wait"];
const STACK_LABEL = 'io.stackctl.bench.floor';
const SERVICE_LABEL = 'io.stackctl.bench.service';
/** Services per level of the synthetic stack (20: 200 services); smaller for a quick try of the script. */
const width = Number(option('--width') ?? 20);

// ── the stacks ────────────────────────────────────────────────────────────────────────────────

/** A stack as data: enough for stack.yaml, the floor's dockerode calls and the compose export. */
function syntheticStack(name) {
  const levels = 10;
  const services = [];
  for (let level = 1; level <= levels; level += 1) {
    for (let i = 0; i < width; i += 1) {
      const index = services.length;
      services.push({
        name: `s${String(level).padStart(2, '0')}-${String(i).padStart(2, '0')}`,
        image: 'debian:bookworm-slim',
        command: SLEEPER,
        dependsOn: level === 1 ? [] : [`s${String(level - 1).padStart(2, '0')}-${String(i).padStart(2, '0')}`, `s${String(level - 1).padStart(2, '0')}-${String((i + 1) % width).padStart(2, '0')}`],
        ports: index % 20 === 5 % width ? [8080] : [],
        volume: index % 20 === 10 % width ? { name: `data-${level}`, target: '/data' } : undefined,
        readiness: { exec: ['true'] },
      });
    }
  }
  return { name, levels, services, env: {} };
}

function redisStack(name) {
  const password = randomBytes(18).toString('hex');
  const services = [];
  for (let level = 1; level <= 5; level += 1) {
    for (let i = 0; i < 10; i += 1) {
      services.push({
        name: `redis-${level}-${i}`,
        image: 'stackctl-example/redis:dev',
        dependsOn: level === 1 ? [] : [`redis-${level - 1}-${i}`],
        ports: [],
        env: { REDIS_PASSWORD: '${REDIS_PASSWORD}' },
        volume: { name: `redis-${level}-${i}-data`, target: '/data' },
        readiness: { redis: 6379 },
        probePorts: [6379],
      });
    }
  }
  return { name, levels: 5, services, env: { REDIS_PASSWORD: password } };
}

const q = (value) => JSON.stringify(value);

function stackYaml(stack) {
  const lines = [`# Generated by bench/scale-bench.mjs`, `name: ${stack.name}`];
  const volumes = stack.services.filter((s) => s.volume).map((s) => s.volume.name);
  if (volumes.length > 0) lines.push('volumes:', ...[...new Set(volumes)].map((v) => `  ${v}: {}`));
  lines.push('services:');
  for (const s of stack.services) {
    lines.push(`  ${s.name}:`, `    image: ${s.image}`);
    if (s.command) lines.push(`    command: ${q(s.command)}`);
    if (s.env) lines.push('    environment:', ...Object.entries(s.env).map(([k, v]) => `      ${k}: ${q(v)}`));
    if (s.ports.length > 0) lines.push(`    ports: ${q(s.ports.map(String))}`);
    if (s.volume) lines.push(`    volumes: [${q(`${s.volume.name}:${s.volume.target}`)}]`);
    if (s.dependsOn.length > 0) lines.push(`    depends_on: ${q(s.dependsOn)}`);
    if (s.readiness.exec) lines.push(`    readiness: { exec: ${q(s.readiness.exec)}, timeout: 120s }`);
    if (s.readiness.redis) lines.push(`    readiness: { redis: { port: ${s.readiness.redis}, password: "\${REDIS_PASSWORD}" }, timeout: 120s }`, '    secrets: [REDIS_PASSWORD]');
  }
  return `${lines.join('\n')}\n`;
}

// ── stackctl ──────────────────────────────────────────────────────────────────────────────────

/** Runs `stackctl …`; resolves with wall time, exit code, output and the process's own rusage. */
async function stackctl(dir, argv, env, bin = BIN) {
  const usageFile = path.join(dir, `usage-${randomBytes(4).toString('hex')}.json`);
  let lastReadyMs;
  const result = await spawnLines(
    process.execPath,
    ['--require', path.join(dir, 'usage-hook.cjs'), bin, ...argv],
    { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1', STACKCTL_USAGE_FILE: usageFile } },
    (line, ms) => {
      if (isReadyEvent(line)) lastReadyMs = ms;
    },
  );
  let usage = {};
  try {
    usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  } catch {
    // the process died before its exit hook: no usage figures
  }
  return { ...result, lastReadyMs, ...usage };
}

const USAGE_HOOK = `process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.STACKCTL_USAGE_FILE, JSON.stringify({ maxRssMB: Math.round(u.maxRSS / 1024), cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }));
});
`;

const resultOf = (stdout) => JSON.parse(stdout.trim().split('\n').at(-1));

async function measureStackctl(dir, file, env, label, bin = BIN, runs = noopRuns) {
  const common = ['-f', file];
  log(`${label}: stackctl up …`);
  const up = await stackctl(dir, ['up', ...common, '--json'], env, bin);
  if (up.code !== 0) throw new Error(`${label}: stackctl up failed (exit ${up.code}):\n${up.stdout.slice(-3000)}\n${up.stderr.slice(-2000)}`);
  const result = resultOf(up.stdout);
  const out = {
    up: { wallMs: Math.round(up.lastReadyMs ?? up.wallMs), exitMs: Math.round(up.wallMs), engineMs: Math.max(...result.services.map((s) => s.timings.readyAt ?? 0)), maxRssMB: up.maxRssMB, cpuMs: up.cpuMs },
  };
  log(`${label}: stackctl up: all ready at ${out.up.wallMs} ms (exit ${out.up.exitMs} ms, ${up.maxRssMB} MB, cpu ${up.cpuMs} ms)`);
  const noops = [];
  for (let i = 0; i < runs; i += 1) {
    const noop = await stackctl(dir, ['up', ...common, '--json'], env, bin);
    if (noop.code !== 0 || !resultOf(noop.stdout).noop) throw new Error(`${label}: the repeated up was not a no-op:\n${noop.stdout.slice(-3000)}`);
    noops.push(noop);
  }
  const noop = noops.find((n) => n.wallMs === median(noops.map((m) => m.wallMs)));
  out.noop = { wallMs: Math.round(noop.wallMs), runsMs: noops.map((n) => Math.round(n.wallMs)), maxRssMB: Math.max(...noops.map((n) => n.maxRssMB ?? 0)), cpuMs: noop.cpuMs };
  log(`${label}: no-op up ${out.noop.runsMs.join(', ')} ms`);
  const ps = await stackctl(dir, ['ps', ...common], env, bin);
  if (ps.code !== 0) throw new Error(`${label}: ps failed (exit ${ps.code}): ${ps.stdout.slice(-2000)}${ps.stderr}`);
  // A row that says "not ready" of a service up proved ready a moment ago is a wrong answer.
  out.ps = { wallMs: Math.round(ps.wallMs), maxRssMB: ps.maxRssMB, cpuMs: ps.cpuMs, notReadyRows: ps.stdout.split('\n').filter((line) => / not ready/.test(line)).length };
  const down = await stackctl(dir, ['down', '-v', ...common], env, bin);
  out.down = { wallMs: Math.round(down.wallMs), maxRssMB: down.maxRssMB, cpuMs: down.cpuMs };
  // dockerd 20.10 sometimes keeps a stale endpoint after many concurrent removals (moby#43286):
  // the network then cannot be removed until the engine restarts. Reported, not fatal to the run.
  if (down.code !== 0) out.down.error = `${down.stderr.trim().split('\n')[0]}`;
  log(`${label}: ps ${out.ps.wallMs} ms (${out.ps.notReadyRows} rows "not ready"), down -v ${out.down.wallMs} ms`);
  out.maxRssMB = Math.max(out.up.maxRssMB ?? 0, out.noop.maxRssMB, out.ps.maxRssMB ?? 0, out.down.maxRssMB ?? 0);
  return out;
}

// ── the engine floor ──────────────────────────────────────────────────────────────────────────

/** Runs tasks with at most `n` at a time. */
async function pool(items, n, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

async function measureFloor(stack, label) {
  const project = `${stack.name}-floor`;
  const network = `${project}_default`;
  const labels = { [STACK_LABEL]: project };
  const volumes = [...new Set(stack.services.filter((s) => s.volume).map((s) => `${project}_${s.volume.name}`))];
  const env = Object.entries(stack.env).map(([k, v]) => `${k}=${v}`);
  const ids = [];
  const idOf = new Map();
  log(`${label}: engine floor (${stack.services.length} containers, concurrency ${floorConcurrency}) …`);
  try {
    const t0 = performance.now();
    await Promise.all([
      docker.createNetwork({ Name: network, Labels: labels, CheckDuplicate: true }),
      ...volumes.map((name) => docker.createVolume({ Name: name, Labels: labels })),
    ]);
    await pool(stack.services, floorConcurrency, async (s) => {
      const ports = [...s.ports, ...(s.probePorts ?? [])];
      const container = await docker.createContainer({
        name: `${project}-${s.name}`,
        Image: s.image,
        ...(s.command ? { Cmd: s.command } : {}),
        Env: env,
        Labels: { ...labels, [SERVICE_LABEL]: s.name },
        ExposedPorts: Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])),
        HostConfig: {
          NetworkMode: network,
          PortBindings: Object.fromEntries(ports.map((p) => [`${p}/tcp`, [{ HostIp: '127.0.0.1', HostPort: '' }]])),
          Mounts: s.volume ? [{ Type: 'volume', Source: `${project}_${s.volume.name}`, Target: s.volume.target }] : [],
        },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [s.name] } } },
      });
      ids.push(container.id);
      idOf.set(s.name, container.id);
      await container.start();
    });
    const upMs = performance.now() - t0;
    const l0 = performance.now();
    await docker.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${project}`] } });
    const listMs = performance.now() - l0;
    // The no-op's floor: that list, then the exec probes' commands once each (engine execs saturate
    // at a few at once; 6 is what the runtime allows).
    const execTargets = stack.services.map((s) => ({ s, id: idOf.get(s.name) })).filter(({ s }) => s.readiness.exec);
    await pool(execTargets, 6, async ({ s, id }) => {
      const exec = await docker.getContainer(id).exec({ Cmd: s.readiness.exec, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      await new Promise((resolve) => { stream.on('end', resolve); stream.on('close', resolve); stream.resume(); });
    });
    const noopMs = performance.now() - l0;
    const d0 = performance.now();
    await pool([...ids], floorConcurrency, async (id) => {
      await docker.getContainer(id).stop({ t: 10 }).catch(() => undefined);
      await docker.getContainer(id).remove({ v: true });
      ids.splice(ids.indexOf(id), 1);
    });
    await Promise.all(volumes.map((name) => docker.getVolume(name).remove()));
    // The same engine bug as stackctl's down meets (moby#43286): reported, not fatal.
    const networkError = await docker
      .getNetwork(network)
      .remove()
      .then(() => undefined, (error) => error.message.split('\n')[0]);
    const downMs = performance.now() - d0;
    log(`${label}: floor up ${Math.round(upMs)} ms, list ${Math.round(listMs)} ms, list + ${execTargets.length} execs ${Math.round(noopMs)} ms, down ${Math.round(downMs)} ms`);
    if (networkError) log(`${label}: floor: ${networkError}`);
    return { upMs: Math.round(upMs), listMs: Math.round(listMs), noopMs: Math.round(noopMs), execs: execTargets.length, downMs: Math.round(downMs), concurrency: floorConcurrency, ...(networkError ? { networkError } : {}) };
  } finally {
    // After a failure: remove whatever is left, untimed.
    await Promise.all(ids.map((id) => docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined)));
    await Promise.all(volumes.map((name) => docker.getVolume(name).remove().catch(() => undefined)));
    await docker.getNetwork(network).remove().catch(() => undefined);
  }
}

// ── docker-compose 1.29 ───────────────────────────────────────────────────────────────────────

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}

async function measureCompose(dir, file, envFile, stack, label) {
  const project = `${stack.name}-compose`;
  const composeFile = path.join(dir, 'docker-compose.yml');
  await run(process.execPath, [BIN, 'export', 'compose', '-f', file, '-o', composeFile, '--healthcheck-interval', '1s'], { cwd: dir, env: { ...process.env, ...stack.env } });
  const compose = (argv, options = {}) =>
    run('docker-compose', ['-p', project, '--env-file', envFile, '-f', composeFile, ...argv], { cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: '1' }, ...options });
  const healthyCount = async () => {
    const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'health=healthy']);
    return stdout.trim().split('\n').filter(Boolean).length;
  };
  log(`${label}: docker-compose up -d (healthchecks every 1 s) …`);
  try {
    const t0 = performance.now();
    const up = compose(['up', '-d', '--no-build'], { timeout: 600_000 });
    let failed;
    up.catch((error) => (failed = error));
    // `up -d` returns once the last level is started; all-ready is when the last level is healthy too.
    let upReturnedMs;
    up.then(() => (upReturnedMs = Math.round(performance.now() - t0)), () => undefined);
    // 200 healthchecks every second ask the engine for 200 execs a second, more than a small
    // machine runs: compose may not get there. Past --compose-limit it is reported as not healthy.
    let healthy = 0;
    while ((healthy = await healthyCount()) < stack.services.length) {
      if (failed) throw new Error(`docker-compose up failed: ${failed.stderr ?? failed.message}`);
      if (performance.now() - t0 > composeLimitMs) {
        log(`${label}: compose: ${healthy} of ${stack.services.length} healthy after ${composeLimitMs} ms; giving up`);
        // `up -d` still waits to create the later levels: stop it first, or it creates them after `down`.
        up.child.kill('SIGINT');
        await up.catch(() => undefined);
        return { upMs: undefined, healthyAtLimit: healthy, limitMs: composeLimitMs, upReturnedMs };
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const allHealthyMs = Math.round(performance.now() - t0);
    await up;
    const noop = await timed(() => compose(['up', '-d', '--no-build']));
    const ps = await timed(() => compose(['ps']));
    const down = await timed(() => compose(['down', '-v', '--timeout', '10']));
    log(`${label}: compose all healthy at ${allHealthyMs} ms (up -d returned at ${upReturnedMs} ms), no-op ${noop.ms} ms, ps ${ps.ms} ms, down -v ${down.ms} ms`);
    return { upMs: allHealthyMs, upReturnedMs, noopMs: noop.ms, psMs: ps.ms, downMs: down.ms };
  } finally {
    await compose(['down', '-v', '--remove-orphans', '--timeout', '5']).catch(() => undefined);
  }
}

// ── the run ───────────────────────────────────────────────────────────────────────────────────

async function machine() {
  const cpus = os.cpus();
  const version = (await docker.version()).Version;
  const compose = (await run('docker-compose', ['version', '--short']).catch(() => ({ stdout: 'absent' }))).stdout.trim();
  return { cpu: `${cpus[0]?.model ?? '?'} × ${cpus.length}`, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, docker: version, dockerCompose: compose };
}

const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');

async function measureStack(stack, dir, label) {
  const stackDir = path.join(dir, label);
  rmSync(stackDir, { recursive: true, force: true });
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(path.join(stackDir, 'usage-hook.cjs'), USAGE_HOOK);
  const file = path.join(stackDir, 'stack.yaml');
  writeFileSync(file, stackYaml(stack));
  const envFile = path.join(stackDir, '.env');
  writeFileSync(envFile, Object.entries(stack.env).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
  const out = { services: stack.services.length, levels: stack.levels, loadBefore: load() };
  if (compareBin) {
    try {
      out.before = await measureStackctl(stackDir, file, stack.env, `${label} (before: ${compareBin})`, compareBin, 1);
    } finally {
      await stackctl(stackDir, ['down', '-v', '-f', file], stack.env).catch(() => undefined);
    }
  }
  try {
    out.stackctl = await measureStackctl(stackDir, file, stack.env, label);
  } finally {
    await stackctl(stackDir, ['down', '-v', '-f', file], stack.env).catch(() => undefined);
  }
  out.floor = await measureFloor(stack, label);
  if (!skipCompose) out.compose = await measureCompose(stackDir, file, envFile, stack, label);
  out.loadAfter = load();
  return out;
}

const s = (ms) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
const x = (a, b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);

function report(out) {
  const lines = [];
  const m = out.machine;
  lines.push(`Machine: ${m.cpu}, ${m.memoryGiB} GiB; Node ${m.node}; Docker ${m.docker}; docker-compose ${m.dockerCompose}; floor concurrency ${floorConcurrency}.`);
  lines.push('');
  lines.push('| stack | load (1 min) | | up → all ready | no-op up | ps | down -v | peak RSS | CPU (up) |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const row = (who, st) =>
    `| ${who} | ${s(st.up.wallMs)} | ${s(st.noop.wallMs)} (${st.noop.runsMs.map((v) => (v / 1000).toFixed(2)).join(', ')}) | ${s(st.ps.wallMs)}${st.ps.notReadyRows ? ` (${st.ps.notReadyRows} wrongly "not ready")` : ''} | ${s(st.down.wallMs)}${st.down.error ? ' (failed¹)' : ''} | ${st.maxRssMB} MB | ${s(st.up.cpuMs)} |`;
  const notes = [];
  for (const name of ['synthetic', 'redis']) {
    const r = out[name];
    if (!r) continue;
    const st = r.stackctl;
    const title = `${name} (${r.services} services, ${r.levels} levels)`;
    lines.push(`| ${title} | ${r.loadBefore.split(' ')[0]} → ${r.loadAfter.split(' ')[0]} ${row('stackctl', st)}`);
    if (r.before) lines.push(`| | ${row(`stackctl before (${path.basename(path.dirname(path.dirname(compareBin)))})`, r.before)}`);
    const floorNoop = r.floor.execs > 0 ? `${s(r.floor.noopMs)} (list + ${r.floor.execs} execs)` : '–';
    lines.push(`| | | engine floor | ${s(r.floor.upMs)} | ${floorNoop} | ${s(r.floor.listMs)} (one list call) | ${s(r.floor.downMs)}${r.floor.networkError ? ' (failed¹)' : ''} | – | – |`);
    if (r.compose?.upMs === undefined && r.compose) lines.push(`| | | docker-compose 1.29 | not all healthy: ${r.compose.healthyAtLimit} of ${r.services} after ${s(r.compose.limitMs)} | – | – | – | – | – |`);
    else if (r.compose) lines.push(`| | | docker-compose 1.29 | ${s(r.compose.upMs)} | ${s(r.compose.noopMs)} | ${s(r.compose.psMs)} | ${s(r.compose.downMs)} | – | – |`);
    lines.push(`| | | stackctl ÷ floor | ${x(st.up.wallMs, r.floor.upMs)} | ${r.floor.execs > 0 ? x(st.noop.wallMs, r.floor.noopMs) : ''} | | ${x(st.down.wallMs, r.floor.downMs)} | | |`);
    if (r.compose?.upMs !== undefined) lines.push(`| | | compose ÷ stackctl | ${x(r.compose.upMs, st.up.wallMs)} | ${x(r.compose.noopMs, st.noop.wallMs)} | ${x(r.compose.psMs, st.ps.wallMs)} | ${x(r.compose.downMs, st.down.wallMs)} | | |`);
    for (const [who, run] of [['stackctl', st], ['before', r.before]]) if (run?.down.error) notes.push(`¹ ${name}, ${who}: ${run.down.error}`);
    if (r.floor.networkError) notes.push(`¹ ${name}, floor: ${r.floor.networkError}`);
  }
  lines.push(...(notes.length > 0 ? ['', ...notes] : []));
  const syn = out.synthetic;
  if (syn) {
    lines.push('');
    const ratio = syn.stackctl.up.wallMs / syn.floor.upMs;
    const verdict = (ok) => (ok ? 'met' : 'missed');
    lines.push(`Targets at 200 services: up ≤ 1.2× floor — ${verdict(ratio <= 1.2)} (${ratio.toFixed(2)}×); no-op up < 1.5 s — ${verdict(syn.stackctl.noop.wallMs < 1500)} (${s(syn.stackctl.noop.wallMs)}); memory < 150 MB — ${verdict(syn.stackctl.maxRssMB < 150)} (${syn.stackctl.maxRssMB} MB).`);
  }
  return `${lines.join('\n')}\n`;
}

async function main() {
  if (option('--write-stack')) {
    const stack = option('--stack') === 'redis' ? redisStack('scale-redis') : syntheticStack('scale-syn');
    writeFileSync(option('--write-stack'), stackYaml(stack));
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-scale-bench-'));
  const id = `${process.pid}`;
  const out = { machine: await machine(), startedAt: new Date().toISOString() };
  log(`machine: ${JSON.stringify(out.machine)}; load ${load()}`);
  try {
    if (only !== 'redis') out.synthetic = await measureStack(syntheticStack(`scale-syn-${id}`), dir, 'synthetic');
    if (only !== 'synthetic') out.redis = await measureStack(redisStack(`scale-redis-${id}`), dir, 'redis');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(report(out));
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
