#!/usr/bin/env node
/**
 * The live view's own cost at 200 services, without the engine: replays the events of a recorded
 * `up --json` (an ndjson file) into the tty and plain renderers of one or more builds, at the
 * recorded pace (÷ --speed), and prints each renderer's CPU time, frames and bytes written.
 *
 *   node bench/scale-bench.mjs --write-stack /tmp/s.yaml && stackctl up -f /tmp/s.yaml --json > up.ndjson
 *   node bench/render-replay.mjs up.ndjson [--speed 5] [--rows 50] [--build DIR …]   (default build: this checkout)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const file = args[0];
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const speed = Number(option('--speed', 5));
const rows = Number(option('--rows', 50));
const builds = args.flatMap((arg, i) => (args[i - 1] === '--build' ? [arg] : []));
if (builds.length === 0) builds.push(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (!file) {
  process.stderr.write('usage: node bench/render-replay.mjs UP.ndjson [--speed 5] [--rows 50] [--build DIR …]\n');
  process.exit(2);
}
const records = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const events = records.filter((r) => typeof r.type === 'string' && (r.type.startsWith('service.') || r.type === 'stack.done'));
const plan = records.find((r) => r.type === 'plan')?.plan;
const names = [...new Set(events.map((e) => e.service).filter(Boolean))];
const stack = { name: 'replay', services: names.map((name) => ({ name, dependsOn: [] })) };

async function replay(build, mode) {
  const { Output } = await import(pathToFileURL(path.join(build, 'dist/cli/render/output.js')).href);
  const { createRenderer } = await import(pathToFileURL(path.join(build, 'dist/cli/render/renderer.js')).href);
  const { Redactor } = await import(pathToFileURL(path.join(build, 'dist/secrets.js')).href);
  let bytes = 0;
  let writes = 0;
  const sink = new Writable({ write: (chunk, _enc, done) => ((bytes += chunk.length), (writes += 1), done()) });
  Object.assign(sink, { isTTY: mode === 'tty', columns: 120, rows });
  const renderer = createRenderer(mode, new Output(sink, new Redactor(['not-a-real-secret']), { FORCE_COLOR: '1' }), stack, 'up');
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const first = events[0].at;
  if (plan) renderer.plan(plan);
  for (const event of events) {
    const due = t0 + (event.at - first) / speed;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    renderer.event(event);
  }
  renderer.stop();
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: Math.round((cpu.user + cpu.system) / 1000), wallMs: Date.now() - t0, writes, kB: Math.round(bytes / 1024) };
}

for (const build of builds) {
  for (const mode of ['tty', 'plain']) {
    const r = await replay(build, mode);
    process.stdout.write(`${path.basename(build)} ${mode}: ${events.length} events over ${r.wallMs} ms → cpu ${r.cpuMs} ms, ${r.writes} writes, ${r.kB} kB\n`);
  }
}
