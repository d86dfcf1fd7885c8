/**
 * The engine restarts under the daemon (stop and start dockerd), with the whole ten-service example
 * stack: every service must be ready again within 60 s of the engine answering, and the daemon's
 * events must show the outage and the recovery.
 *
 * Stopping an engine disrupts everyone who uses it, so this test runs its own private dockerd
 * (scripts/private-dockerd.sh: own data root, exec root, socket and pid file, no default bridge,
 * networks from 10.213.64.0/18, no iptables rewriting) and loads the example's images into it from
 * the main engine (about 40 s; test/support/global-setup.ts builds them there); the main engine and the example stack are never touched. It needs
 * root and dockerd on the PATH, as `make up` provides; otherwise it is skipped, saying why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { DaemonEventRecord, DaemonStatus } from '../../../src/daemon/api-types.js';
import { findDaemon, type DaemonClient } from '../../../src/daemon/client.js';
import { freshSecrets } from '../../../bench/example-env.mjs';
import { canListen } from '../../../bench/free-port.mjs';
import { until as waitUntil } from '../../support/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const SCRIPT = path.join(ROOT, 'scripts/private-dockerd.sh');
const ENGINE = `it-eng-${process.pid % 100_000}`;
const PROJECT = `it-engine-${process.pid}`;
const READY_AGAIN_BOUND_MS = 60_000;

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'a private dockerd needs Linux';
  if (process.getuid?.() !== 0) return 'a private dockerd needs root';
  if (spawnSync('sh', ['-c', 'command -v dockerd'], { encoding: 'utf8' }).status !== 0) return 'dockerd is not installed (make up installs it)';
  if (spawnSync('docker', ['image', 'inspect', 'debian:bookworm-slim'], { stdio: 'ignore' }).status !== 0) return 'the main engine has no debian:bookworm-slim to load (make up builds it)';
  return undefined;
}
const skip = skipReason();

const secrets = { POSTGRES_USER: 'engine', POSTGRES_DB: 'engine', ...freshSecrets() };

let dir: string;
let file: string;
let dockerHost = '';
let daemon: ChildProcess | undefined;
let daemonOutput = '';
let client: DaemonClient;
const events: DaemonEventRecord[] = [];
const following = new AbortController();

async function privateEngine(...args: string[]): Promise<string> {
  return (await execa('bash', [SCRIPT, ...args])).stdout.trim();
}

/**
 * Host ports for the probes, below the kernel's ephemeral range: each engine hands out ephemeral host
 * ports on its own, from the same range, so two engines on one host would collide (a neighbour's
 * container on the main engine could fail to start). Ports below 32768 are never handed out by either.
 */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = 21_000 + (process.pid % 400) * 25; ports.length < count && port < 32_000; port += 1) {
    if (await canListen(port)) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free loopback ports below 32000');
  return ports;
}

const PROBE_TARGETS: Record<string, number> = { postgres: 5432, redis: 6379 };

/** The example stack on its prebuilt images, each probed port on a fixed free loopback port. */
async function writeStack(): Promise<string[]> {
  const doc = YAML.parse(readFileSync(path.join(ROOT, 'stack.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  delete doc.suite;
  delete doc.env_file;
  const images: string[] = [];
  const ports = await freePorts(Object.keys(doc.services).length);
  for (const [name, service] of Object.entries(doc.services)) {
    // The images are loaded from the main engine; nothing is built in the private one (it has no
    // network for apt, and a context hash that moved since the main engine built them would rebuild).
    delete service.build;
    const published = (service.ports as string[] | undefined)?.[0];
    const target = PROBE_TARGETS[name] ?? Number(published?.split(':').at(-1));
    service.ports = [`127.0.0.1:${ports.shift()}:${target}`];
    if (typeof service.image === 'string') images.push(service.image);
  }
  file = path.join(dir, 'stack.yaml');
  writeFileSync(file, YAML.stringify(doc));
  return images;
}

function until<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, everyMs = 200): Promise<T> {
  return waitUntil(what, get, ok, timeoutMs, { everyMs, context: () => `--- daemon output ---\n${daemonOutput.slice(-5000)}` });
}

const allReady = (status: DaemonStatus): boolean => status.phase === 'supervising' && status.services.length === 10 && status.services.every((s) => s.state === 'ready');

describe.skipIf(skip !== undefined)(`the engine restarts under the daemon${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stackctl-engine-it-'));
    const images = await writeStack();
    dockerHost = (await privateEngine('start', ENGINE)).replace(/^DOCKER_HOST=/, '');
    // The global setup built the example images on the main engine: copy them over.
    await privateEngine('load', ENGINE, 'debian:bookworm-slim', ...images);
    daemon = spawn(process.execPath, [BIN, 'daemon', '-f', file, '-p', PROJECT, '--no-test'], {
      cwd: dir,
      env: { ...process.env, ...secrets, DOCKER_HOST: dockerHost, STACKCTL_NO_DAEMON: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout?.on('data', (chunk: Buffer) => (daemonOutput += chunk.toString()));
    daemon.stderr?.on('data', (chunk: Buffer) => (daemonOutput += chunk.toString()));
    client = (await until('the daemon socket', () => findDaemon(dir, PROJECT), (c) => c !== undefined, 60_000)) as DaemonClient;
    await until('the ten services ready under the daemon', () => client.status(), allReady, 480_000, 500);
    void client.events((record) => events.push(record), { signal: following.signal }).catch(() => undefined);
  }, 600_000);

  afterAll(async () => {
    following.abort();
    if (daemon && daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon?.once('exit', r));
    }
    // Its containers, volumes and networks go with the private engine's data.
    await execa('bash', [SCRIPT, 'destroy', ENGINE], { reject: false });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it(`stop and start dockerd: engine-down meanwhile, then all ten ready within ${READY_AGAIN_BOUND_MS / 1000} s of the engine answering`, async () => {
    const before = events.length;
    await privateEngine('stop', ENGINE);
    const down = await until('every service engine-down', () => client.status(), (s) => !s.engine.answering && s.phase === 'engine-down' && s.services.every((x) => x.state === 'engine-down'), 30_000);
    expect(down.engine.reason).toMatch(new RegExp(`${dockerHost.replace('unix://', '')}`));
    // While it is down nothing is acted on: the status stays engine-down, no restart is counted.
    await new Promise((r) => setTimeout(r, 3_000));
    const still = await client.status();
    expect(still.services.map((s) => s.state)).toEqual(Array(10).fill('engine-down'));

    await privateEngine('start', ENGINE);
    const answeredAt = Date.now();
    const ready = await until('the ten services ready again', () => client.status(), allReady, READY_AGAIN_BOUND_MS, 250);
    const readyAfterMs = Date.now() - answeredAt;
    console.log(`engine restart: all ten ready ${readyAfterMs} ms after the engine answered`);
    expect(readyAfterMs).toBeLessThan(READY_AGAIN_BOUND_MS);
    expect(ready.engine).toEqual({ answering: true });

    // The events tell the story: outage, each service engine-down, engine back, reconcile, each ready.
    await new Promise((r) => setTimeout(r, 500));
    const story = events.slice(before).map((record) => record.event);
    const index = (type: string): number => story.findIndex((event) => event.type === type);
    expect(index('engine.unavailable')).toBeGreaterThanOrEqual(0);
    expect(index('engine.available')).toBeGreaterThan(index('engine.unavailable'));
    expect(index('engine.reconciled')).toBeGreaterThan(index('engine.available'));
    expect(story[index('engine.reconciled')]).toMatchObject({ type: 'engine.reconciled', ok: true, ready: 10, total: 10 });
    const names = ready.services.map((s) => s.name);
    for (const name of names) {
      const wentDown = story.findIndex((e) => e.type === 'service.state' && e.service === name && e.state === 'engine-down');
      const cameBack = story.findIndex((e) => e.type === 'service.state' && e.service === name && e.previous === 'engine-down' && e.state === 'ready');
      expect(wentDown, `${name} engine-down`).toBeGreaterThanOrEqual(0);
      expect(cameBack, `${name} back to ready`).toBeGreaterThan(index('engine.available'));
      expect(story.some((e) => e.type === 'service.recovered' && e.service === name)).toBe(true);
    }
    // Nobody was given up on, and nothing was left broken on the engine (no exit 128).
    expect(story.filter((e) => e.type === 'service.gave-up')).toEqual([]);
    const { stdout } = await execa('docker', ['ps', '-a', '--filter', `label=io.stackctl.stack=${PROJECT}`, '--format', '{{.Names}} {{.State}}'], { env: { DOCKER_HOST: dockerHost } });
    expect(stdout.split('\n').sort()).toEqual(names.map((name) => `${PROJECT}-${name} running`).sort());
    // No secret in any event.
    const text = JSON.stringify(events);
    for (const value of Object.values(secrets).filter((v) => v.length > 8)) expect(text).not.toContain(value);
  }, 180_000);
});
