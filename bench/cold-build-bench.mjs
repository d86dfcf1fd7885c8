#!/usr/bin/env node
/**
 * Cold builds: the example stack's ten images built from nothing and the stack brought to all-ready,
 * by `stackctl up` and by docker-compose 1.29 (`build --parallel`, then `up -d` with
 * `condition: service_healthy` and 1 s healthchecks), side by side in one run. For each: wall time
 * to all ready, and how many times the Dockerfile steps actually ran.
 *
 * stackctl runs in several variants, to show what each scheduling choice gains (src/engine/build-plan.ts):
 *   stackctl            shared prefixes + critical-path order, services start while images build (default)
 *   no-prefix           STACKCTL_BUILD_SHARING=none: every build at once, as compose does
 *   context-first       STACKCTL_BUILD_SHARING=context: the first build of a context alone, then the rest
 *                       (what stackctl did before shared prefixes)
 *   no-order            STACKCTL_BUILD_ORDER=declared: every image built before anything starts
 *   compose             docker-compose build --parallel + up
 *
 * Cold without touching anything else on the engine: each variant builds a copy of the example
 * (services/, images/) whose Dockerfiles start FROM a base of its own — debian:bookworm-slim plus a
 * random LABEL, so no layer of the lead's stackctl-example/*:dev images (or of another variant) is
 * in the cache — under its own image names, project name, free ports and fresh secrets. Afterwards
 * it removes exactly what it created (containers, volumes, networks via down -v; its images, stage
 * images and base by tag, which takes their untagged layers with them). No `docker builder prune`
 * (engine-wide): not needed, so no engine lock.
 *
 * Steps executed: the distinct layers in the histories of a variant's images (stage images
 * included), minus its base's — a step taken from the cache adds no new layer, a step that ran does.
 * stackctl's own image labels (four history entries per image) are counted apart, as labelSteps.
 *
 * Run under the bench lock (RULES 11):
 *   flock /tmp/stackctl-bench.lock node bench/cold-build-bench.mjs [--variants stackctl,compose,...] [--json FILE]
 * Needs `npm run build`, a running engine with debian:bookworm-slim, docker-compose
 * (scripts/ensure-docker-compose.sh), and Debian's archive reachable from builds (apt-get in the Dockerfiles).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { ROOT, composeDown, composeUpUntilHealthy, writeStackEnv } from './compose-up.mjs';
import { isReadyEvent, spawnLines } from './spawn-lines.mjs';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin/stackctl.js');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const VARIANTS = {
  stackctl: { tool: 'stackctl', env: {} },
  'no-prefix': { tool: 'stackctl', env: { STACKCTL_BUILD_SHARING: 'none' } },
  'context-first': { tool: 'stackctl', env: { STACKCTL_BUILD_SHARING: 'context' } },
  'no-order': { tool: 'stackctl', env: { STACKCTL_BUILD_ORDER: 'declared' } },
  compose: { tool: 'compose', env: {} },
};
const selected = option('--variants', 'compose,stackctl,no-prefix,no-order').split(',');
const jsonOut = option('--json', undefined);
const log = (line) => process.stderr.write(`cold-build: ${line}\n`);
const load = () => os.loadavg().map((n) => n.toFixed(1)).join(' ');
const docker = async (argv) => (await run('docker', argv, { maxBuffer: 64 * 1024 * 1024 })).stdout.trim();

/**
 * A copy of the example under `dir`: Dockerfiles FROM the variant's own base, images named
 * `<repo>/<service>:dev`, the stack named `project`, no suite, the env file as .env.
 */
function writeExample(dir, { base, repo, project, envFile }) {
  for (const tree of ['services', 'images']) cpSync(path.join(ROOT, tree), path.join(dir, tree), { recursive: true });
  for (const tree of ['services', 'images']) {
    for (const name of readdirSync(path.join(dir, tree))) {
      const file = path.join(dir, tree, name, 'Dockerfile');
      let text;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      writeFileSync(file, text.replace(/^FROM debian:bookworm-slim$/m, `FROM ${base}`));
    }
  }
  const stack = readFileSync(path.join(ROOT, 'stack.yaml'), 'utf8')
    .replace(/^name: .*$/m, `name: ${project}`)
    .replace(/^suite: .*\n/m, '')
    .replaceAll('stackctl-example/', `${repo}/`);
  writeFileSync(path.join(dir, 'stack.yaml'), stack);
  cpSync(envFile, path.join(dir, '.env'));
  return path.join(dir, 'stack.yaml');
}

/** Runs `stackctl up --json` until it exits; times the last service ready and the last image built. */
async function stackctlUp(file, env) {
  const marks = { firstReadyMs: undefined, lastReadyMs: undefined, lastImageMs: undefined };
  const options = { cwd: path.dirname(file), env: { ...process.env, ...env, NO_COLOR: '1' } };
  const result = await spawnLines(process.execPath, [BIN, 'up', '-f', file, '--json'], options, (line, ms) => {
    const now = Math.round(ms);
    if (!line.includes('"type":"service.phase"')) return;
    if (isReadyEvent(line)) {
      marks.firstReadyMs ??= now;
      marks.lastReadyMs = now;
    }
    if (line.includes('image built in')) marks.lastImageMs = now;
  });
  return { ...result, wallMs: Math.round(result.wallMs), ...marks };
}

/** Distinct layers the variant's images (and stage images) added on top of its base, per step. */
async function stepsExecuted(refs, base) {
  const baseIds = new Set((await docker(['history', '-q', '--no-trunc', base])).split('\n').filter(Boolean));
  const byStep = new Map();
  let labelSteps = 0;
  for (const ref of refs) {
    const lines = (await docker(['history', '--no-trunc', '--format', '{{.ID}}\t{{.CreatedBy}}', ref])).split('\n').filter(Boolean);
    for (const line of lines) {
      const [id, createdBy = ''] = line.split('\t');
      if (baseIds.has(id)) continue;
      // stackctl's image labels (one history entry per label): not a step of the Dockerfiles.
      if (/LABEL io\.stackctl\./.test(createdBy)) {
        labelSteps += 1;
        continue;
      }
      // The classic builder records `|N ARG=… /bin/sh -c #(nop) …`; one step of one Dockerfile = one text.
      const step = createdBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').replace(/\s+/g, ' ').trim();
      if (!byStep.has(step)) byStep.set(step, new Set());
      byStep.get(step).add(id);
    }
  }
  const steps = [...byStep].map(([step, ids]) => ({ step, runs: ids.size }));
  const isRun = (step) => !/^(COPY|ADD|ENV|WORKDIR|EXPOSE|CMD|ENTRYPOINT|LABEL|VOLUME|STOPSIGNAL|USER|ARG) /.test(step);
  return {
    total: steps.reduce((sum, s) => sum + s.runs, 0),
    runSteps: steps.filter((s) => isRun(s.step)).reduce((sum, s) => sum + s.runs, 0),
    labelSteps,
    repeated: steps.filter((s) => s.runs > 1).map((s) => ({ step: s.step.slice(0, 90), runs: s.runs })),
    heaviest: steps.filter((s) => isRun(s.step)).sort((a, b) => b.runs - a.runs).map((s) => ({ step: s.step.slice(0, 90), runs: s.runs })),
  };
}

async function imagesOf(repoPatterns) {
  const refs = [];
  for (const pattern of repoPatterns) refs.push(...(await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', pattern])).split('\n').filter(Boolean));
  return refs;
}

async function measure(name, dir) {
  const variant = VARIANTS[name];
  const nonce = randomBytes(4).toString('hex');
  const base = `stackctl-bench-cold-base:${name}-${nonce}`;
  const repo = `stackctl-bench-cold-${name}-${nonce}`;
  const project = `bench-cold-${name}-${nonce}`;
  const variantDir = mkdtempSync(path.join(dir, `${name}-`));
  const { file: envFile } = await writeStackEnv(variantDir);
  const file = writeExample(variantDir, { base, repo, project, envFile });
  await run('sh', ['-c', `printf 'FROM debian:bookworm-slim\\nLABEL io.stackctl.bench.nonce=${nonce}\\n' | docker build -q -t ${base} -`]);
  const loadBefore = load();
  log(`${name}: cold up (load ${loadBefore}) …`);
  const result = { variant: name, loadBefore };
  try {
    if (variant.tool === 'stackctl') {
      const up = await stackctlUp(file, { ...variant.env, STACKCTL_PROJECT_NAME: project });
      if (up.code !== 0) throw new Error(`${name}: stackctl up failed (exit ${up.code}):\n${up.stdout.slice(-4000)}\n${up.stderr.slice(-2000)}`);
      Object.assign(result, { allReadyMs: up.lastReadyMs ?? up.wallMs, firstReadyMs: up.firstReadyMs, lastImageMs: up.lastImageMs, exitMs: up.wallMs });
      // Where the time went: each service's image (build) time and when it was ready, from up's result.
      const final = JSON.parse(up.stdout.trim().split('\n').at(-1));
      result.services = Object.fromEntries(final.services.map((s) => [s.service, { buildMs: s.timings.buildMs, depsMetAt: s.timings.depsMetAt, readyAt: s.timings.readyAt }]));
    } else {
      const composeFile = path.join(variantDir, 'docker-compose.yml');
      await run(process.execPath, [BIN, 'export', 'compose', '-f', file, '-o', composeFile, '--healthcheck-interval', '1s'], { cwd: variantDir });
      const t0 = performance.now();
      await run('docker-compose', ['-p', project, '--env-file', envFile, '-f', composeFile, 'build', '--parallel'], { cwd: variantDir, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: '1' } });
      const buildMs = Math.round(performance.now() - t0);
      log(`${name}: build --parallel took ${buildMs} ms`);
      const up = await composeUpUntilHealthy({ file: composeFile, envFile, project, timeoutMs: 900_000, keep: true });
      Object.assign(result, { buildMs, upToHealthyMs: up.allHealthyMs, allReadyMs: buildMs + up.allHealthyMs, firstReadyMs: buildMs + Math.min(...Object.values(up.services)) });
    }
    result.steps = await stepsExecuted(await imagesOf([`${repo}/*`, `${project}-build-prefix`]), base);
    result.loadAfter = load();
    log(`${name}: all ready after ${result.allReadyMs} ms; ${result.steps.total} steps ran (${result.steps.runSteps} RUN); load ${result.loadAfter}`);
    return result;
  } finally {
    if (variant.tool === 'stackctl') await run(process.execPath, [BIN, 'down', '-v', '-f', file], { cwd: variantDir, env: { ...process.env, STACKCTL_PROJECT_NAME: project } }).catch((error) => log(`down failed: ${error.message}`));
    else await composeDown({ file: path.join(variantDir, 'docker-compose.yml'), envFile: path.join(variantDir, 'stack.env'), project });
    const refs = await imagesOf([`${repo}/*`, `${project}-build-prefix`]);
    if (refs.length > 0) await docker(['rmi', ...refs]).catch((error) => log(`rmi failed: ${error.message}`));
    await docker(['rmi', base]).catch((error) => log(`rmi ${base} failed: ${error.message}`));
  }
}

async function main() {
  for (const name of selected) if (!VARIANTS[name]) throw new Error(`unknown variant ${name} (${Object.keys(VARIANTS).join(', ')})`);
  await run('bash', [path.join(ROOT, 'scripts/ensure-docker-compose.sh')]);
  const cpus = os.cpus();
  const machine = {
    cpu: `${cpus[0]?.model ?? '?'} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    docker: await docker(['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})']),
    dockerCompose: (await run('docker-compose', ['version', '--short'])).stdout.trim(),
    node: process.version,
    loadAtStart: load(),
  };
  log(`machine: ${JSON.stringify(machine)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-cold-build-'));
  const results = [];
  try {
    for (const name of selected) {
      // One variant failing (a port taken, a build error) does not lose the others' figures.
      results.push(await measure(name, dir).catch((error) => (log(`${name} failed: ${error.message.slice(0, 2000)}`), { variant: name, error: error.message.slice(0, 500) })));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadAtEnd = load();
  const out = { machine, startedAt: new Date().toISOString(), results };
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(report(out));
}

const s = (ms) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

function report({ machine, results }) {
  const compose = results.find((r) => r.variant === 'compose' && !r.error);
  const lines = [
    `Machine: ${machine.cpu}, ${machine.memoryGiB} GiB; Docker ${machine.docker} (classic builder); docker-compose ${machine.dockerCompose}; Node ${machine.node}; load average ${machine.loadAtStart} → ${machine.loadAtEnd}.`,
    '',
    '| variant | first service ready | all ready | × compose (target ≤ 0.6) | Dockerfile steps ran (RUN) | heaviest RUN ran | load (1/5/15 min) before → after |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if (r.error) {
      lines.push(`| ${r.variant} | failed: ${r.error.split('\n')[0]} | | | | | |`);
      continue;
    }
    const ratio = compose && r !== compose ? `${(r.allReadyMs / compose.allReadyMs).toFixed(2)}×` : '–';
    const extra = r.variant === 'compose' ? ` (build ${s(r.buildMs)} + up ${s(r.upToHealthyMs)})` : r.lastImageMs ? ` (last image ${s(r.lastImageMs)})` : '';
    lines.push(`| ${r.variant} | ${s(r.firstReadyMs)} | ${s(r.allReadyMs)}${extra} | ${ratio} | ${r.steps.total} (${r.steps.runSteps}) | ${r.steps.heaviest[0]?.runs ?? 0}× | ${r.loadBefore} → ${r.loadAfter} |`);
  }
  lines.push('');
  for (const r of results.filter((r) => r.services)) {
    lines.push(`${r.variant}: image built / ready (s): ${Object.entries(r.services).map(([name, t]) => `${name} ${s(t.buildMs)} / ${s(t.readyAt)}`).join(', ')}`);
  }
  for (const r of results.filter((r) => !r.error)) lines.push(`${r.variant}: RUN steps ${r.steps.heaviest.map((h) => `${h.runs}× \`${h.step}\``).join('; ')}`);
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
