#!/usr/bin/env node
/**
 * The docker-compose half of the `up` benchmark: starts compose/docker-compose.yml (the export of the
 * example stack) with Debian's docker-compose (1.29, `scripts/ensure-docker-compose.sh`), whose
 * `depends_on: condition: service_healthy` gates each level on the healthchecks, and measures the time
 * from `up` to every container healthy. Two variants, side by side in one run:
 *
 *   interval-30s  compose/docker-compose.yml as committed (compose's default 30 s healthcheck interval)
 *   interval-1s   the same stack exported with `--healthcheck-interval 1s` (a temporary file in compose/)
 *
 * Each run uses its own project name, random secrets and free host ports, and ends with `down -v`.
 * Needs the example images (scripts/build-example-images.sh) and `npm run build`.
 *
 * Usage: node bench/compose-up.mjs [--variants 30s,1s] [--timeout 600] [--json]
 * Prints JSON ({ tool, version, runs: [{ variant, intervalMs, allHealthyMs, services: {name: ms} }] })
 * so the engine's bench can put `stackctl up` next to it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { exampleVariables } from './example-env.mjs';
import { freePort } from './free-port.mjs';

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const COMPOSE_FILE = path.join(ROOT, 'compose/docker-compose.yml');

/**
 * An env file for the stack: .env.example with fresh random secrets and free host ports (below the
 * ephemeral range: free-port.mjs).
 * Returns its path (mode 0600, in a private temporary directory) and the values (for the caller's checks).
 */
export async function writeStackEnv(dir) {
  const values = exampleVariables();
  for (const name of Object.keys(values)) if (/_PORT$/.test(name)) values[name] = String(await freePort());
  const file = path.join(dir, 'stack.env');
  writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  return { file, values };
}

/** `node bin/stackctl.js export compose` of stack.yaml with another healthcheck interval, beside the committed one. */
export async function exportVariant(intervalText) {
  const file = path.join(ROOT, 'compose', `.bench-${intervalText}-${process.pid}.docker-compose.yml`);
  await run(process.execPath, [path.join(ROOT, 'bin/stackctl.js'), 'export', 'compose', '-f', 'stack.yaml', '-o', file, '--healthcheck-interval', intervalText], { cwd: ROOT, env: {} });
  return file;
}

const compose = (project, file, envFile, args, options = {}) =>
  run('docker-compose', ['-p', project, '--env-file', envFile, '-f', file, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: '1' }, ...options });

/**
 * `docker-compose up -d`, then polls every container's health until all are healthy (or one is
 * unhealthy / exited, or the deadline passes). Always `down -v` afterwards unless `keep`.
 * Returns { allHealthyMs, services: {name: ms}, upReturnedMs }.
 */
export async function composeUpUntilHealthy({ file, envFile, project, timeoutMs = 600_000, keep = false, log = () => {} }) {
  const t0 = performance.now();
  const services = {};
  try {
    const up = compose(project, file, envFile, ['up', '-d', '--no-build'], { timeout: timeoutMs });
    let upDone = false;
    let upError;
    let upReturnedMs;
    up.then(
      () => {
        upDone = true;
        upReturnedMs = Math.round(performance.now() - t0);
      },
      (error) => {
        upDone = true;
        upError = error;
      },
    );
    const names = (await compose(project, file, envFile, ['config', '--services'])).stdout.trim().split('\n');
    while (performance.now() - t0 < timeoutMs) {
      const ids = (await compose(project, file, envFile, ['ps', '-q']).catch(() => ({ stdout: '' }))).stdout.trim().split('\n').filter(Boolean);
      if (ids.length > 0) {
        const { stdout } = await run('docker', ['inspect', '-f', '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', ...ids]);
        for (const line of stdout.trim().split('\n')) {
          const [name, status, health] = line.split(' ');
          if (health === 'healthy' && services[name] === undefined) {
            services[name] = Math.round(performance.now() - t0);
            log(`${name} healthy after ${services[name]} ms`);
          }
          if (health === 'unhealthy' || status === 'exited' || status === 'dead') {
            const logs = await compose(project, file, envFile, ['logs', '--no-color', '--tail', '20', name]).catch(() => ({ stdout: '' }));
            throw new Error(`${name} is ${health === 'unhealthy' ? 'unhealthy' : status}:\n${logs.stdout}`);
          }
        }
      }
      if (names.every((name) => services[name] !== undefined)) break;
      if (upDone && upError) throw new Error(`docker-compose up failed: ${upError.stderr ?? upError.message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const missing = names.filter((name) => services[name] === undefined);
    if (missing.length > 0) throw new Error(`not healthy after ${timeoutMs} ms: ${missing.join(', ')}`);
    await up.catch(() => undefined);
    return { allHealthyMs: Math.max(...Object.values(services)), upReturnedMs, services };
  } finally {
    if (!keep) await composeDown({ file, envFile, project });
  }
}

export async function composeDown({ file, envFile, project }) {
  await compose(project, file, envFile, ['down', '-v', '--remove-orphans', '--timeout', '5']).catch(() => undefined);
}

async function main() {
  const args = process.argv.slice(2);
  const variants = (args.includes('--variants') ? args[args.indexOf('--variants') + 1] : '30s,1s').split(',');
  const timeoutMs = Number(args.includes('--timeout') ? args[args.indexOf('--timeout') + 1] : 600) * 1000;
  if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) {
    console.error('build first: npm run build');
    process.exit(2);
  }
  await run('bash', [path.join(ROOT, 'scripts/ensure-docker-compose.sh')]);
  const version = (await run('docker-compose', ['version', '--short'])).stdout.trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-compose-bench-'));
  const runs = [];
  try {
    for (const variant of variants) {
      const intervalMs = variant === '30s' ? 30_000 : Number.parseFloat(variant) * (variant.endsWith('ms') ? 1 : 1000);
      const file = variant === '30s' ? COMPOSE_FILE : await exportVariant(variant);
      try {
        const { file: envFile } = await writeStackEnv(dir);
        const project = `stackctl-bench-compose-${variant}-${process.pid}`;
        process.stderr.write(`compose-up: ${variant} interval (${path.relative(ROOT, file)}) …\n`);
        const result = await composeUpUntilHealthy({ file, envFile, project, timeoutMs, log: (line) => process.stderr.write(`  ${line}\n`) });
        runs.push({ variant: `interval-${variant}`, intervalMs, ...result });
        process.stderr.write(`compose-up: ${variant}: all healthy after ${(result.allHealthyMs / 1000).toFixed(1)} s\n`);
      } finally {
        if (file !== COMPOSE_FILE) rmSync(file, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ tool: 'docker-compose', version, file: path.relative(ROOT, COMPOSE_FILE), runs }, null, 2)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`compose-up: ${error.message}`);
    process.exit(1);
  });
}
