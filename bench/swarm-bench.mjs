#!/usr/bin/env node
/**
 * Time to all-ready of the example stack on three engines, side by side in one run:
 *   local    `stackctl up` on this engine (containers, stackctl's own scheduler and probes)
 *   swarm1   `stackctl up --target swarm` on a single-node Swarm (local images, --resolve-image never)
 *   swarm3   `stackctl up --target swarm --registry 127.0.0.1:5000/stackctl` on three nodes (this
 *            engine + two Docker-in-Docker workers, scripts/swarm-nodes.sh), every node pulling
 * Each from nothing (fresh project, fresh volumes, images already built), to the last service ready;
 * for the Swarm runs "deploy" is the part after images are prepared (pushed, for swarm3), as stackctl
 * reports it. Host ports are away from the running example stack's. Everything is removed afterwards
 * and the engine left as found: run it through scripts/with-swarm.sh (the engine lock).
 *
 * Usage: scripts/with-swarm.sh node bench/swarm-bench.mjs [--skip-three]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { examplePortsFrom, exampleSecrets } from './example-env.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const skipThree = process.argv.includes('--skip-three');
const log = (line) => process.stderr.write(`swarm-bench: ${line}\n`);
const stamp = `${process.pid}`;

function envFor(base) {
  return { ...process.env, ...exampleSecrets(), ...examplePortsFrom(base) };
}

async function stackctl(args, env) {
  const started = performance.now();
  const result = await run('node', [BIN, ...args], { cwd: ROOT, env, maxBuffer: 64 << 20, timeout: 1_200_000 }).catch((error) => error);
  return { ms: performance.now() - started, code: result.code ?? 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

const swarmState = async () => (await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();
const results = [];

// Images are built before (make up); each up finds them current by their context hash.

{
  const project = `bench-local-${stamp}`;
  const env = envFor(24000);
  const up = await stackctl(['up', '-p', project, '--progress', 'plain'], env);
  results.push({ engine: 'local engine', ok: up.code === 0, totalMs: up.ms, deployMs: up.ms });
  log(`local: exit ${up.code} in ${(up.ms / 1000).toFixed(1)} s`);
  await stackctl(['down', '-v', '-p', project], env);
}

const before = await swarmState();
for (const nodes of skipThree ? [1] : [1, 3]) {
  const project = `bench-swarm${nodes}-${stamp}`;
  const env = envFor(nodes === 1 ? 24100 : 24200);
  if (nodes === 3) {
    // The manager advertises its address on the workers' bridge (scripts/swarm-nodes.sh network).
    if ((await swarmState()) !== 'inactive') await run('docker', ['swarm', 'leave', '--force']);
    const gateway = (await run('bash', [path.join(ROOT, 'scripts/swarm-nodes.sh'), 'network'])).stdout.trim();
    await run('docker', ['swarm', 'init', '--advertise-addr', gateway]);
    await run('bash', [path.join(ROOT, 'scripts/swarm-nodes.sh'), 'up'], { timeout: 600_000 });
  }
  const up = await stackctl(['up', '--target', 'swarm', '-p', project, ...(nodes === 3 ? ['--registry', '127.0.0.1:5000/stackctl'] : [])], env);
  const deploy = /ready on swarm in ([\d.]+) s/.exec(up.out);
  const placed = new Set([...up.out.matchAll(/ready on (\S+) \(/g)].map((m) => m[1]));
  results.push({ engine: nodes === 1 ? 'Swarm, one node' : 'Swarm, three nodes', ok: up.code === 0, totalMs: up.ms, deployMs: deploy ? Number(deploy[1]) * 1000 : NaN, nodes: placed.size });
  log(`swarm${nodes}: exit ${up.code} in ${(up.ms / 1000).toFixed(1)} s (deploy ${deploy?.[1]} s) on ${placed.size} node(s)`);
  if (up.code !== 0) log(up.out.split('\n').slice(-15).join('\n'));
  await stackctl(['down', '--target', 'swarm', '-v', '-p', project], env);
  if (nodes === 3) await run('bash', [path.join(ROOT, 'scripts/swarm-nodes.sh'), 'down']);
}
if (before === 'inactive' && (await swarmState()) !== 'inactive') await run('docker', ['swarm', 'leave', '--force']);

process.stdout.write('| engine | all ten ready | stackctl up, wall | of which deploy → ready | nodes used |\n|---|---|---|---|---|\n');
for (const r of results) {
  process.stdout.write(`| ${r.engine} | ${r.ok ? 'yes' : 'NO'} | ${(r.totalMs / 1000).toFixed(1)} s | ${(r.deployMs / 1000).toFixed(1)} s | ${r.nodes ?? 1} |\n`);
}
