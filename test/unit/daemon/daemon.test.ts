/**
 * The daemon end to end on the in-memory runtime (real engine code, fake containers): up, supervision
 * through the API, crash recovery, a crash loop ending failed, down with exit, the second-daemon
 * refusal. Real timers with short supervision intervals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { upViaDaemon } from '../../../src/cli/via-daemon.js';
import type { CliContext } from '../../../src/cli/context.js';
import { Output } from '../../../src/cli/render/output.js';
import type { Stack } from '../../../src/config/model.js';
import { down } from '../../../src/engine/down.js';
import { classifier } from '../../../src/engine/index.js';
import { runUp } from '../../../src/engine/up.js';
import { Redactor } from '../../../src/secrets.js';
import type { DaemonEventRecord, DaemonStatus } from '../../../src/daemon/api-types.js';
import { connectDaemon, findDaemon, type DaemonClient } from '../../../src/daemon/client.js';
import { Daemon, type DaemonEngine } from '../../../src/daemon/daemon.js';
import { singleServiceStack } from '../../../src/daemon/daemon-engine.js';
import { DaemonAlreadyRunningError } from '../../../src/daemon/errors.js';
import { daemonPaths } from '../../../src/daemon/paths.js';
import { supervisionOptions } from '../../../src/daemon/policy.js';
import { memoryDependencies } from '../../support/engine-harness.js';
import { MemoryRuntime, type ServiceBehaviour } from '../../support/memory-runtime.js';
import { makeStack, type ServiceSketch } from '../../support/stack-builder.js';

const supervision = {
  ...supervisionOptions({
    probeIntervalMs: 40,
    unreadyProbeIntervalMs: 20,
    failureThreshold: 2,
    probeTimeoutMs: 200,
    backoffInitialMs: 20,
    backoffMaxMs: 200,
    stableAfterMs: 2_000,
    recoveryWindowMs: 300,
    recoveryProbeIntervalMs: 20,
    failAfter: 5,
    stopTimeoutSeconds: 1,
  }),
  sweepIntervalMs: 100,
};

function memoryEngine(stack: Stack, runtime: MemoryRuntime): DaemonEngine {
  const deps = memoryDependencies(runtime);
  return {
    runtime,
    reload: async () => stack,
    up: (s, o) => runUp(s, { runtime, signal: o.signal, onEvent: o.onEvent }, deps),
    upService: (s, name, o) => runUp(singleServiceStack(s, name), { runtime, signal: o.signal, onEvent: o.onEvent }, deps),
    down: (s, o) => down(s, { runtime, removeVolumes: o.removeVolumes, onEvent: o.onEvent }),
    probeFactory: deps.probeFactory,
    waitReady: deps.waitReady,
    diagnose: deps.diagnose,
  };
}

interface Running {
  daemon: Daemon;
  runtime: MemoryRuntime;
  stack: Stack;
  stop: AbortController;
  done: Promise<{ upOk: boolean }>;
  logs: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startDaemon(
  services: Record<string, ServiceSketch>,
  behaviours: Record<string, ServiceBehaviour> = {},
  options: { downOnExit?: boolean; engine?: (stack: Stack, runtime: MemoryRuntime) => DaemonEngine; suite?: string } = {},
): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-daemon-'));
  const stack = makeStack('demo', services, { dir, file: path.join(dir, 'stack.yaml'), secretValues: ['hunter2-secret'], ...(options.suite ? { suite: options.suite } : {}) });
  const runtime = new MemoryRuntime({
    images: Object.fromEntries(stack.services.map((s, i) => [s.image as string, `sha256:img${i}`])),
    services: behaviours,
  });
  const logs: string[] = [];
  const daemon = await Daemon.start({
    stack,
    engine: (options.engine ?? memoryEngine)(stack, runtime),
    paths: daemonPaths(dir, stack.name),
    version: 'test',
    redactor: new Redactor(stack.secretValues),
    supervision,
    downOnExit: options.downOnExit ?? false,
    runSuite: false,
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  const stop = new AbortController();
  const done = daemon.run(stop.signal);
  cleanups.push(async () => {
    stop.abort();
    await done.catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  return { daemon, runtime, stack, stop, done, logs };
}

async function until<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last, null, 1)?.slice(0, 2000)}`);
}

/** The daemon's events from the moment its stream is subscribed (resolves then); stop() ends the stream. */
async function subscribedEvents(client: DaemonClient): Promise<{ events: DaemonEventRecord[]; stop: () => Promise<void> }> {
  const events: DaemonEventRecord[] = [];
  const controller = new AbortController();
  let subscribed!: () => void;
  const isSubscribed = new Promise<void>((resolve) => (subscribed = resolve));
  const stream = client.events((r) => events.push(r), { signal: controller.signal, onSubscribed: subscribed });
  await isSubscribed;
  return {
    events,
    stop: async () => {
      controller.abort();
      await stream;
    },
  };
}

const states = (status: DaemonStatus): string => status.services.map((s) => `${s.name}=${s.state}`).join(' ');

describe('Daemon on the in-memory runtime', () => {
  it('brings the stack up, serves its status, restores a crashed dependency and re-probes its dependents', async () => {
    const { stack, runtime } = await startDaemon(
      { redis: { probe: true, restart: { name: 'always' } }, platform: { probe: true, dependsOn: ['redis'], restart: { name: 'on-failure' } }, saga: { probe: true, dependsOn: ['platform'] } },
      { redis: { readyDelayMs: 30 }, platform: { readyDelayMs: 10 }, saga: { readyDelayMs: 10 } },
    );
    const client = await until('the daemon to answer', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    if (!client) throw new Error('unreachable');
    const up = await until('all ready', () => client.status(), (s) => s.phase === 'supervising' && states(s) === 'redis=ready platform=ready saga=ready');
    expect(up.services[0]?.container?.status).toBe('running');

    // Crash only once the daemon has subscribed the stream (a fixed sleep missed service.died under load).
    const { events, stop: stopEvents } = await subscribedEvents(client);

    const redis = runtime.containerByName('demo-redis');
    runtime.crash(redis?.id as string, 137);
    const killedAt = Date.now();
    const recovered = await until('redis back and dependents ready', () => client.status(), (s) => states(s) === 'redis=ready platform=ready saga=ready' && (s.services[0]?.restarts ?? 0) === 1);
    const recoveryMs = Date.now() - killedAt;
    expect(recoveryMs).toBeLessThan(2_000);
    expect(recovered.services[0]).toMatchObject({ restarts: 1, lastExit: { exitCode: 137 } });
    // The same container was restarted: nothing duplicated.
    expect((await runtime.listContainers('demo')).map((c) => c.name).sort()).toEqual(['demo-platform', 'demo-redis', 'demo-saga']);
    await stopEvents();
    const types = events.map((r) => ('service' in r.event ? `${r.event.type}:${r.event.service}` : r.event.type));
    expect(types).toContain('service.died:redis');
    expect(types).toContain('service.restarting:redis');
    expect(types).toContain('service.recovered:redis');
    const degraded = events.find((r) => r.event.type === 'service.state' && r.event.service === 'platform' && r.event.state === 'degraded');
    expect(degraded?.event).toMatchObject({ degradedBy: ['redis'] });
  });

  it('an engine that goes away is engine-down (nothing acted on), and when it is back the whole stack is reconciled', async () => {
    const { stack, runtime } = await startDaemon(
      { redis: { probe: true, restart: { name: 'always' } }, platform: { probe: true, dependsOn: ['redis'] }, saga: { probe: true, dependsOn: ['platform'], restart: { name: 'on-failure' } } },
      { redis: { readyDelayMs: 10 }, platform: { readyDelayMs: 10 }, saga: { readyDelayMs: 10 } },
    );
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    if (!client) throw new Error('unreachable');
    await until('all ready', () => client.status(), (s) => s.phase === 'supervising' && states(s) === 'redis=ready platform=ready saga=ready');
    const { events, stop: stopEvents } = await subscribedEvents(client);

    runtime.stopEngine();
    const down = await until('engine-down', () => client.status(), (s) => s.phase === 'engine-down' && states(s) === 'redis=engine-down platform=engine-down saga=engine-down');
    expect(down.engine).toMatchObject({ answering: false, reason: expect.stringContaining('memory://') });
    const callsWhileDown = runtime.calls.length;
    await new Promise((r) => setTimeout(r, 300)); // many backoffs and sweeps long
    expect(runtime.calls.length).toBe(callsWhileDown); // nothing reached the engine (every call fails before it is recorded)
    await expect(client.up()).rejects.toThrow(/container engine does not answer/);

    runtime.startEngine();
    const back = await until('all ready again', () => client.status(), (s) => s.phase === 'supervising' && states(s) === 'redis=ready platform=ready saga=ready');
    expect(back.engine).toEqual({ answering: true });
    // redis came back by its policy (kept); the others, stopped by the engine with exit 0, were started.
    expect(runtime.containerByName('demo-platform')?.status).toBe('running');
    expect(back.services.map((s) => s.restarts)).toEqual([0, 0, 0]);
    await stopEvents();
    const types = events.map((r) => ('service' in r.event ? `${r.event.type}:${r.event.service}` : r.event.type));
    const at = (type: string): number => types.indexOf(type);
    expect(at('engine.unavailable')).toBeGreaterThanOrEqual(0);
    expect(at('engine.available')).toBeGreaterThan(at('engine.unavailable'));
    expect(at('engine.reconciled')).toBeGreaterThan(at('engine.available'));
    expect(events.find((r) => r.event.type === 'engine.reconciled')?.event).toMatchObject({ ok: true, ready: 3, total: 3 });
    for (const name of ['redis', 'platform', 'saga']) expect(at(`service.recovered:${name}`)).toBeGreaterThan(at('engine.available'));
    expect(types.filter((t) => t.startsWith('service.gave-up'))).toEqual([]);
  });

  it('gives a crash-looping service up after its max retries, with a diagnosis, and degrades its dependents', async () => {
    const { stack, runtime, logs } = await startDaemon(
      { worker: { probe: true, restart: { name: 'on-failure', maxRetries: 2 } }, api: { probe: true, dependsOn: ['worker'] }, web: { probe: true, dependsOn: ['api'] } },
      { worker: { readyDelayMs: 0, logLines: ['starting', 'Traceback: boom'] }, api: {}, web: {} },
    );
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    if (!client) throw new Error('unreachable');
    await until('all ready', () => client.status(), (s) => s.phase === 'supervising' && states(s) === 'worker=ready api=ready web=ready');
    // From now on the worker dies 30 ms after every start.
    runtime.configure('worker', { readyDelayMs: 0, exitAfterMs: 30, exitCode: 3, logLines: ['Traceback: boom'] });
    runtime.crash(runtime.containerByName('demo-worker')?.id as string, 3);
    const final = await until('worker failed', () => client.status(), (s) => s.services[0]?.state === 'failed');
    const worker = final.services[0];
    expect(worker?.restarts).toBe(2);
    expect(worker?.reason).toMatch(/gave up after 2 restarts in a row \(on-failure:2\)/);
    const withDiagnosis = await until('diagnosis', () => client.service('worker'), (s) => s.lastDiagnosis !== undefined);
    expect(withDiagnosis.lastDiagnosis?.service).toBe('worker');
    expect(final.services.find((s) => s.name === 'api')).toMatchObject({ state: 'degraded', degradedBy: ['worker'] });
    expect(final.services.find((s) => s.name === 'web')).toMatchObject({ state: 'degraded', degradedBy: ['worker'] });
    // No storm: no more starts however long we wait.
    const starts = runtime.callsOf('startContainer').filter((n) => n === 'demo-worker').length;
    await new Promise((r) => setTimeout(r, 600));
    expect(runtime.callsOf('startContainer').filter((n) => n === 'demo-worker').length).toBe(starts);
    expect(logs.some((l) => l.startsWith('error worker: marked failed after 2 restarts'))).toBe(true);
  });

  it('a probe refused with an auth failure ends in the service status as lastDiagnosis with the classified cause, redacted', async () => {
    // The real classifier behind the daemon (the other tests use the plain fallback).
    const classified = (stack: Stack, runtime: MemoryRuntime): DaemonEngine => ({ ...memoryEngine(stack, runtime), diagnose: classifier(stack, new Redactor(stack.secretValues)) });
    const { stack, runtime } = await startDaemon({ api: { probe: true } }, { api: { readyDelayMs: 0 } }, { engine: classified });
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    if (!client) throw new Error('unreachable');
    await until('api ready', () => client.status(), (s) => s.phase === 'supervising' && states(s) === 'api=ready');
    // The API key is rotated under the running service: from now on its probe is refused with 401.
    runtime.configure('api', {
      neverReady: true,
      probeFailure: {
        probe: 'http',
        kind: 'auth',
        message: 'GET http://127.0.0.1:49153/ready answered 401 (expected 200): {"error":"invalid api key hunter2-secret"}',
        detail: '{"error":"invalid api key hunter2-secret"}',
        status: 401,
        headers: ['X-API-Key'],
      },
    });
    const failed = await until('api failed', () => client.status(), (s) => s.services[0]?.state === 'failed');
    expect(failed.services[0]?.reason).toMatch(/its probe failed 2 times in a row/);
    const api = await until('its diagnosis', () => client.service('api'), (s) => s.lastDiagnosis !== undefined);
    expect(api.lastDiagnosis?.rootCause).toMatchObject({ code: 'http-auth-refused', summary: '"api" refused the readiness probe\'s credential with HTTP 401 (header X-API-Key)' });
    expect(api.lastDiagnosis?.probe?.failure).toMatchObject({ probe: 'http', kind: 'auth', status: 401, headers: ['X-API-Key'] });
    const text = JSON.stringify(api);
    expect(text).toContain('invalid api key');
    expect(text).not.toContain('hunter2-secret');
  });

  it('refuses a second daemon for the same stack', async () => {
    const { stack, daemon } = await startDaemon({ db: { probe: true } });
    await expect(
      Daemon.start({
        stack,
        engine: memoryEngine(stack, new MemoryRuntime()),
        paths: daemonPaths(stack.dir, 'demo'),
        version: 'test',
        redactor: new Redactor(),
        supervision,
        downOnExit: false,
        runSuite: false,
        log: () => {},
      }),
    ).rejects.toBeInstanceOf(DaemonAlreadyRunningError);
    // The first one is unharmed.
    expect(daemon.ping().pid).toBe(process.pid);
    expect((await connectDaemon({ socketPath: daemon.socketPath }).ping()).stack).toBe('demo');
  });

  it('stops on its signal leaving the stack running, and a new daemon adopts it without duplicates', async () => {
    const first = await startDaemon({ db: { probe: true, restart: { name: 'always' } }, api: { probe: true, dependsOn: ['db'] } });
    const client = await until('the daemon', () => findDaemon(first.stack.dir, 'demo'), (c) => c !== undefined);
    await until('ready', () => client!.status(), (s) => s.phase === 'supervising' && states(s) === 'db=ready api=ready');
    first.stop.abort();
    await first.done;
    expect(await findDaemon(first.stack.dir, 'demo')).toBeUndefined();
    const running = await first.runtime.listContainers('demo');
    expect(running.map((c) => `${c.name}:${c.status}`).sort()).toEqual(['demo-api:running', 'demo-db:running']);

    const creates = first.runtime.callsOf('createContainer').length;
    const second = await Daemon.start({
      stack: first.stack,
      engine: memoryEngine(first.stack, first.runtime),
      paths: daemonPaths(first.stack.dir, 'demo'),
      version: 'test',
      redactor: new Redactor(),
      supervision,
      downOnExit: true,
      runSuite: false,
      log: () => {},
    });
    const stop = new AbortController();
    const done = second.run(stop.signal);
    const client2 = await until('second daemon', () => findDaemon(first.stack.dir, 'demo'), (c) => c !== undefined);
    const adopted = await until('adopted', () => client2!.status(), (s) => s.phase === 'supervising' && states(s) === 'db=ready api=ready');
    expect(adopted.services.map((s) => s.container?.id)).toEqual(running.map((c) => c.id));
    expect(first.runtime.callsOf('createContainer').length).toBe(creates);
    // --down-on-exit: this one takes the stack down with it.
    stop.abort();
    await done;
    expect(await first.runtime.listContainers('demo')).toEqual([]);
  });

  it('runs down through the API, then exits when asked to', async () => {
    const { stack, runtime, done } = await startDaemon({ db: { probe: true }, api: { probe: true, dependsOn: ['db'] } });
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    await until('ready', () => client!.status(), (s) => s.phase === 'supervising');
    const result = await client!.down({ exit: true });
    expect(result).toMatchObject({ action: 'down', ok: true });
    expect(result.message).toMatch(/demo is down \(2 containers removed\); the daemon stops/);
    expect(await runtime.listContainers('demo')).toEqual([]);
    await done;
    expect(await findDaemon(stack.dir, 'demo')).toBeUndefined();
    // Nothing restarted what down removed.
    expect(runtime.callsOf('createContainer')).toEqual(['demo-db', 'demo-api']);
  });

  it('restarts one service on request and reports the outcome', async () => {
    const { stack, runtime } = await startDaemon({ db: { probe: true } }, { db: { readyDelayMs: 20 } });
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    await until('ready', () => client!.status(), (s) => s.phase === 'supervising' && states(s) === 'db=ready');
    const result = await client!.restart('db');
    expect(result).toMatchObject({ action: 'restart', service: 'db', ok: true, message: 'db restarted: ready' });
    expect(runtime.callsOf('stopContainer')).toEqual(['demo-db']);
    await expect(client!.restart('nope')).rejects.toThrow(/unknown service "nope"/);
  });

  it('runs the suite on request with its diagnoses, records it, and applies an edited stack file on up', async () => {
    let edited: Stack | undefined;
    const seen: Array<{ diagnoses: string[]; baseline?: string }> = [];
    const { stack, runtime } = await startDaemon({ db: { probe: true } }, {}, {
      suite: '/x/suite.yaml',
      engine: (s, rt) => ({
        ...memoryEngine(s, rt),
        reload: async () => edited ?? s,
        test: async (_stack, o) => {
          seen.push({ diagnoses: [...o.diagnoses.keys()], ...(o.request.baseline ? { baseline: o.request.baseline } : {}) });
          return { at: new Date().toISOString(), ok: true, durationMs: 5, summary: 'PASSED: 3/3 passed (hunter2-secret)', exitCode: 0 };
        },
      }),
    });
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    await until('ready', () => client!.status(), (s) => s.phase === 'supervising' && states(s) === 'db=ready');
    const result = await client!.test({ baseline: 'previous' });
    expect(result).toMatchObject({ action: 'test', ok: true, message: 'PASSED: 3/3 passed (***)' });
    expect(seen).toEqual([{ diagnoses: [], baseline: 'previous' }]);
    expect((await client!.status()).lastTest?.summary).toBe('PASSED: 3/3 passed (***)');

    // The file gains a service: up applies it and the daemon supervises the new graph.
    edited = makeStack('demo', { db: { probe: true }, api: { probe: true, dependsOn: ['db'] } }, { dir: stack.dir, file: stack.file });
    runtime.images.set('example/api:1', 'sha256:api');
    const up = await client!.up();
    expect(up).toMatchObject({ action: 'up', ok: true });
    expect(up.services?.map((s) => `${s.name}=${s.outcome}`)).toEqual(['db=ready', 'api=ready']);
    await until('both ready', () => client!.status(), (s) => states(s) === 'db=ready api=ready');
    expect(runtime.callsOf('createContainer')).toEqual(['demo-db', 'demo-api']);
  });

  it('upViaDaemon: up through the daemon prints the progress and each outcome', async () => {
    const { stack } = await startDaemon({ db: { probe: true } });
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    await until('ready', () => client!.status(), (s) => s.phase === 'supervising');
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const ctx: CliContext = { stdout, stderr: new PassThrough(), env: { NO_COLOR: '1' }, cwd: stack.dir, exitCode: 0, signal: new AbortController().signal };
    const code = await upViaDaemon(ctx, client!, new Output(stdout, new Redactor(), ctx.env), {});
    expect(code).toBe(0);
    expect(text).toMatch(/db: unchanged/);
    expect(text).toMatch(/ {2}db +ready/);
    expect(text).toMatch(/demo is up and supervised/);
  });

  it("upViaDaemon: what printing an event throws ends the command with that error, instead of being swallowed", async () => {
    const { stack } = await startDaemon({ db: { probe: true } });
    const client = await until('the daemon', () => findDaemon(stack.dir, 'demo'), (c) => c !== undefined);
    await until('ready', () => client!.status(), (s) => s.phase === 'supervising');
    const broken = new Error('write EPIPE');
    // Only the progress lines (`hh:mm:ss.mmm service: …`) fail: the result lines after the action print.
    class BrokenOutput extends Output {
      override line(text = ''): void {
        if (/^\d\d:\d\d:\d\d/.test(text)) throw broken;
        super.line(text);
      }
    }
    const stdout = new PassThrough();
    const ctx: CliContext = { stdout, stderr: new PassThrough(), env: { NO_COLOR: '1' }, cwd: stack.dir, exitCode: 0, signal: new AbortController().signal };
    await expect(upViaDaemon(ctx, client!, new BrokenOutput(stdout, new Redactor(), ctx.env), {})).rejects.toBe(broken);
  });
});

