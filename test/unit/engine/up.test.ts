import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stack } from '../../../src/config/model.js';
import { formatPlan } from '../../../src/plan/plan.js';
import { classifier, fatalProbeError } from '../../../src/engine/index.js';
import { Redactor } from '../../../src/secrets.js';
import { makeStack } from '../../support/stack-builder.js';
import { MemoryRuntime, type ServiceBehaviour } from '../../support/memory-runtime.js';
import { runToEnd } from '../../support/engine-harness.js';

function imagesOf(stack: Stack): Record<string, string> {
  return Object.fromEntries(stack.services.map((service, index) => [service.image!, `sha256:img${index}`]));
}

function runtimeFor(stack: Stack, services: Record<string, ServiceBehaviour> = {}): MemoryRuntime {
  return new MemoryRuntime({ images: imagesOf(stack), services });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('up: ordering', () => {
  it('starts a chain in dependency order, each link once the previous is ready', async () => {
    const stack = makeStack('demo', { db: { probe: true }, api: { probe: true, dependsOn: ['db'] }, web: { probe: true, dependsOn: ['api'] } });
    const runtime = runtimeFor(stack, { db: { readyDelayMs: 300 }, api: { readyDelayMs: 200 }, web: { readyDelayMs: 100 } });
    const run = await runToEnd(stack, runtime);
    expect(run.result.ok).toBe(true);
    expect(runtime.callsOf('startContainer')).toEqual(['demo-db', 'demo-api', 'demo-web']);
    // Every new container is created at once; only starting waits for the dependencies.
    expect(runtime.calls.filter((c) => c.op === 'createContainer').every((c) => c.at - runtime.calls[0]!.at < 50)).toBe(true);
    expect(run.at('api', 'starting')).toBeGreaterThanOrEqual(run.at('db', 'ready')!);
    expect(run.at('web', 'starting')).toBeGreaterThanOrEqual(run.at('api', 'ready')!);
    expect(run.result.services.map((s) => `${s.service}=${s.state}`)).toEqual(['db=ready', 'api=ready', 'web=ready']);
    const db = run.result.services[0]!;
    expect(db.timings.readyMs).toBeGreaterThanOrEqual(300);
    expect(db.timings.readyMs).toBeLessThan(400);
    expect(db.attempts).toBeGreaterThan(1);
  });

  it('is DAG-parallel: a service starts as soon as ITS dependencies are ready, not when its level is', async () => {
    // slow and fast are on the same level; after-fast must not wait for slow.
    const stack = makeStack('demo', {
      slow: { probe: true },
      fast: { probe: true },
      'after-fast': { probe: true, dependsOn: ['fast'] },
      'after-slow': { probe: true, dependsOn: ['slow'] },
      both: { probe: true, dependsOn: ['after-fast', 'after-slow'] },
    });
    const runtime = runtimeFor(stack, {
      slow: { readyDelayMs: 2000 },
      fast: { readyDelayMs: 100 },
      'after-fast': { readyDelayMs: 100 },
      'after-slow': { readyDelayMs: 100 },
      both: { readyDelayMs: 0 },
    });
    const run = await runToEnd(stack, runtime);
    expect(run.result.ok).toBe(true);
    // slow and fast start together, at once.
    expect(run.at('slow', 'starting')).toBe(run.at('fast', 'starting'));
    // after-fast starts within one probe interval of fast being ready, long before slow is.
    expect(run.at('after-fast', 'starting')!).toBeLessThan(200);
    expect(run.at('after-fast', 'ready')!).toBeLessThan(run.at('slow', 'ready')!);
    expect(run.at('after-slow', 'starting')!).toBeGreaterThanOrEqual(2000);
    expect(run.at('both', 'starting')!).toBeGreaterThanOrEqual(run.at('after-slow', 'ready')!);
    // Whole run ≈ the critical path slow → after-slow → both, plus probe granularity.
    expect(run.result.durationMs).toBeLessThan(2000 + 100 + 150);
  });

  it('honours started and completed conditions', async () => {
    const stack = makeStack('demo', {
      db: { probe: true },
      migrate: { dependsOn: ['db'] },
      api: { probe: true, dependsOn: [{ service: 'migrate', condition: 'completed' }, { service: 'db', condition: 'started' }] },
      sidecar: { dependsOn: [{ service: 'db', condition: 'started' }] },
    });
    const runtime = runtimeFor(stack, { db: { readyDelayMs: 500 }, migrate: { exitAfterMs: 300, exitCode: 0 } });
    const run = await runToEnd(stack, runtime);
    expect(run.result.ok).toBe(true);
    expect(run.at('sidecar', 'starting')!).toBeLessThan(50); // db started is enough
    expect(run.at('migrate', 'starting')!).toBeGreaterThanOrEqual(500);
    expect(run.at('api', 'starting')!).toBeGreaterThanOrEqual(800);
    expect(run.result.services.find((s) => s.service === 'migrate')!.state).toBe('completed');
    expect(run.result.services.find((s) => s.service === 'sidecar')!.state).toBe('started');
  });

  it('caps concurrency with parallel', async () => {
    const stack = makeStack('demo', { a: { probe: true }, b: { probe: true }, c: { probe: true } });
    const runtime = runtimeFor(stack, { a: { readyDelayMs: 100 }, b: { readyDelayMs: 100 }, c: { readyDelayMs: 100 } });
    const run = await runToEnd(stack, runtime, { parallel: 1 });
    expect(run.result.ok).toBe(true);
    expect(run.at('b', 'starting')!).toBeGreaterThanOrEqual(run.at('a', 'ready')!);
    expect(run.at('c', 'starting')!).toBeGreaterThanOrEqual(run.at('b', 'ready')!);
  });
});

describe('up: failures', () => {
  const graph = (): Stack =>
    makeStack('demo', {
      db: { probe: true },
      cache: { probe: true },
      api: { probe: true, dependsOn: ['db', 'cache'] },
      web: { probe: true, dependsOn: ['api'] },
      worker: { probe: true, dependsOn: ['cache'] },
    });

  it('a service that exits blocks its dependents (root named, transitively); independent branches go on', async () => {
    const stack = graph();
    const runtime = runtimeFor(stack, {
      db: { exitAfterMs: 150, exitCode: 3, readyDelayMs: 1000, logLines: ['FATAL: boom'] },
      cache: { readyDelayMs: 100 },
      worker: { readyDelayMs: 100 },
    });
    const run = await runToEnd(stack, runtime);
    expect(run.result.ok).toBe(false);
    const state = Object.fromEntries(run.result.services.map((s) => [s.service, `${s.state}${s.blockedBy ? ` by ${s.blockedBy}` : ''}`]));
    expect(state).toEqual({ db: 'failed', cache: 'ready', api: 'blocked by db', web: 'blocked by db', worker: 'ready' });
    const db = run.result.services.find((s) => s.service === 'db')!;
    expect(db.diagnosis?.container?.exitCode).toBe(3);
    expect(db.diagnosis?.lastLogLines).toEqual(['FATAL: boom']);
    // Failure is detected at the exit, not at the probe deadline.
    expect(run.at('db', 'failed')!).toBeLessThan(400);
    expect(run.result.services.find((s) => s.service === 'web')!.diagnosis?.rootCause.summary).toMatch(/^blocked by db/);
    // Blocked services are never started (their containers were created up front, as compose does).
    expect(runtime.callsOf('startContainer')).not.toContain('demo-api');
    expect(runtime.containerByName('demo-api')?.status).toBe('created');
    // The failed event comes before the blocked ones, and each blocked service is announced.
    const order = run.events.filter((e) => e.type === 'service.failed' || e.type === 'service.blocked').map((e) => `${e.type}:${e.service}`);
    expect(order).toEqual(['service.failed:db', 'service.blocked:api', 'service.blocked:web']);
  });

  it('a probe that never passes fails at its deadline with the attempts and the last error', async () => {
    const stack = makeStack('demo', { cache: { probe: true, probeTimeoutMs: 1000 }, api: { probe: true, dependsOn: ['cache'] } });
    const runtime = runtimeFor(stack, { cache: { neverReady: true, probeError: 'NOAUTH Authentication required.' } });
    const run = await runToEnd(stack, runtime, {}, { diagnose: classifier(stack, new Redactor()) });
    const cache = run.result.services[0]!;
    expect(cache.state).toBe('failed');
    // The real classifier reads the probe's last error.
    expect(cache.diagnosis?.rootCause.code).toBe('redis-auth');
    expect(cache.diagnosis?.probe?.attempts).toBeGreaterThan(10);
    expect(cache.diagnosis?.probe?.lastError).toBe('NOAUTH Authentication required.');
    expect(run.at('cache', 'failed')!).toBeGreaterThanOrEqual(1000);
    expect(run.result.services[1]!.blockedBy).toBe('cache');
  });

  it('a probe error that cannot heal (credentials) fails after a short grace, not at the deadline', async () => {
    const stack = makeStack('demo', { api: { probe: true, probeTimeoutMs: 60_000 }, web: { probe: true, dependsOn: ['api'] } });
    const runtime = runtimeFor(stack, {
      api: { neverReady: true, probeError: 'GET /ready answered 503: {"checks": {"redis": "AuthenticationError: Authentication required."}}' },
    });
    const run = await runToEnd(stack, runtime, {}, { isFatal: fatalProbeError(stack), diagnose: classifier(stack, new Redactor()) });
    const api = run.result.services[0]!;
    expect(api.state).toBe('failed');
    expect(run.at('api', 'failed')!).toBeGreaterThanOrEqual(5000);
    expect(run.at('api', 'failed')!).toBeLessThan(6000);
    expect(api.diagnosis?.rootCause.code).toBe('redis-auth');
    expect(api.diagnosis?.probe?.lastError).toContain('Authentication required');
    // A refusal (a dependency still starting) is not fatal: it waits for the deadline.
    const slow = makeStack('demo', { api: { probe: true, probeTimeoutMs: 8000 } });
    const refusing = runtimeFor(slow, { api: { neverReady: true, probeError: 'connect ECONNREFUSED 127.0.0.1:49000' } });
    const waited = await runToEnd(slow, refusing, {}, { isFatal: fatalProbeError(slow) });
    expect(waited.at('api', 'failed')!).toBeGreaterThanOrEqual(8000 - 60);
  });

  it('what cannot heal is read from the probe failure\'s data when there is some, not from its message', () => {
    const isFatal = fatalProbeError(makeStack('demo', { api: { probe: true } }));
    const body = '{"checks": {"redis": "AuthenticationError: Authentication required."}}';
    // The service's own words in an HTTP answer are matched like its logs.
    expect(isFatal('GET /ready answered 503', { probe: 'http', kind: 'protocol', message: 'GET /ready answered 503', detail: body })).toBe(true);
    expect(isFatal('redis: AUTH refused', { probe: 'redis', kind: 'auth', auth: 'wrong-password', message: 'redis: AUTH refused', detail: '' })).toBe(true);
    // An HTTP probe whose credential the service refuses (401/403) waits no better than a refused database login.
    expect(isFatal('GET /ready answered 401', { probe: 'http', kind: 'auth', message: 'GET /ready answered 401', detail: '', status: 401, headers: ['X-API-Key'] })).toBe(true);
    expect(isFatal('GET /ready answered 503', { probe: 'http', kind: 'protocol', message: 'GET /ready answered 503', detail: 'starting' })).toBe(false);
    // A message that only looks like a credentials failure: the data says the connection was refused.
    expect(isFatal('WRONGPASS lookalike', { probe: 'tcp', kind: 'refused', message: 'WRONGPASS lookalike', detail: '' })).toBe(false);
  });

  it('a build failure fails the service before anything starts and blocks its dependents', async () => {
    const stack = makeStack('demo', {
      db: { probe: true },
      api: { dependsOn: ['db'], build: { context: '/src/api', args: {}, additionalContexts: {}, location: { file: 'x', line: 1, col: 1 } } },
      web: { dependsOn: ['api'] },
    });
    const runtime = runtimeFor(stack, { api: { buildFailure: 'RUN pip install failed' } });
    const run = await runToEnd(stack, runtime);
    expect(run.result.services.map((s) => s.state)).toEqual(['ready', 'failed', 'blocked']);
    expect(run.result.services[1]!.diagnosis?.rootCause.code).toBe('build-failed');
    expect(run.result.services[1]!.action).toBe('skip');
    expect(runtime.callsOf('startContainer')).toEqual(['demo-db']);
    expect(runtime.callsOf('createContainer')).not.toContain('demo-api'); // no image, nothing created
  });

  it('pulls an absent image; an image no registry has fails the service; --no-build never builds', async () => {
    const loc = { file: 'x', line: 1, col: 1 };
    const stack = makeStack('demo', {
      pulled: { probe: true },
      nowhere: { probe: true },
      built: { probe: true, build: { context: '/src/built', args: {}, additionalContexts: {}, location: loc } },
    });
    const runtime = new MemoryRuntime({ registry: { 'example/pulled:1': 'sha256:p' } });
    const run = await runToEnd(stack, runtime, { build: false });
    expect(run.result.services.map((s) => `${s.service}=${s.state}`)).toEqual(['pulled=ready', 'nowhere=failed', 'built=failed']);
    expect(runtime.callsOf('pullImage')).toEqual(['example/pulled:1', 'example/nowhere:1']);
    expect(runtime.callsOf('buildImage')).toEqual([]);
    expect(run.result.services[1]!.diagnosis?.rootCause.code).toBe('image-not-found');
    expect(run.result.services[2]!.diagnosis?.rootCause.summary).toMatch(/not built and --no-build was given/);
  });

  it('a start_timeout bounds the whole start of a service', async () => {
    const stack = makeStack('demo', { slow: { probe: true, startTimeoutMs: 500 } });
    const runtime = runtimeFor(stack, { slow: { readyDelayMs: 5000 } });
    const run = await runToEnd(stack, runtime);
    expect(run.result.services[0]!.state).toBe('failed');
    expect(run.at('slow', 'failed')!).toBeGreaterThanOrEqual(500);
    expect(run.at('slow', 'failed')!).toBeLessThan(700);
    expect(run.result.services[0]!.diagnosis?.rootCause.summary).toMatch(/start_timeout/);
  });

  it('--rollback removes what this run created; by default the failed stack stays', async () => {
    const stack = graph();
    const behaviours = { db: { exitAfterMs: 50, exitCode: 1, readyDelayMs: 1000 } };
    const kept = runtimeFor(stack, behaviours);
    const stays = await runToEnd(stack, kept);
    expect(stays.result.rolledBack).toEqual([]);
    expect(kept.containerByName('demo-cache')?.status).toBe('running');

    const runtime = runtimeFor(stack, behaviours);
    const foreign = runtime.addForeignContainer('someone-else');
    const run = await runToEnd(stack, runtime, { rollback: true });
    expect(run.result.ok).toBe(false);
    expect(run.result.rolledBack).toEqual(
      expect.arrayContaining(['container demo-db', 'container demo-cache', 'container demo-worker', 'network demo_default']),
    );
    expect([...runtime.containers.values()].map((c) => c.info.name)).toEqual(['someone-else']);
    expect(runtime.containers.has(foreign)).toBe(true);
  });

  it('--rollback reports what it could not undo, with the reason, instead of listing it as done', async () => {
    const stack = graph();
    const runtime = runtimeFor(stack, { db: { exitAfterMs: 50, exitCode: 1, readyDelayMs: 1000 } });
    runtime.removeNetwork = async () => {
      throw new Error('network demo_default has active endpoints');
    };
    const run = await runToEnd(stack, runtime, { rollback: true });
    expect(run.result.rolledBack).toEqual(expect.arrayContaining(['container demo-db']));
    expect(run.result.rolledBack).not.toContain('network demo_default');
    expect(run.result.rollbackFailures).toEqual(['remove network demo_default: network demo_default has active endpoints']);
  });

  it('--rollback: a stop that fails is reported as failed, never as stopped; what was removed is still listed', async () => {
    const stack = graph();
    const runtime = runtimeFor(stack, { db: { exitAfterMs: 50, exitCode: 1, readyDelayMs: 1000 } });
    const stop = runtime.stopContainer.bind(runtime);
    runtime.stopContainer = async (id, timeoutSeconds) => {
      if (runtime.containers.get(id)?.info.name === 'demo-cache') throw new Error('the engine timed out stopping it');
      return stop(id, timeoutSeconds);
    };
    const run = await runToEnd(stack, runtime, { rollback: true });
    expect(run.result.ok).toBe(false);
    expect(run.result.rollbackFailures).toEqual(
      expect.arrayContaining(['stop demo-cache: the engine timed out stopping it', 'remove demo-cache: container demo-cache is running: stop it first']),
    );
    expect(run.result.rolledBack).not.toContain('container demo-cache');
    // Teardown failed for cache, yet what it did remove is reported as removed.
    expect(run.result.rolledBack).toEqual(expect.arrayContaining(['container demo-db', 'container demo-worker']));
    const rollbackPhases = run.events.filter(
      (event) => event.type === 'service.phase' && event.service === 'cache' && ['stopped', 'removed', 'failed'].includes(event.phase) && event.at >= run.at('db', 'failed')!,
    );
    expect(rollbackPhases.map((event) => (event.type === 'service.phase' ? event.phase : ''))).toEqual(['failed', 'failed']);
    expect(runtime.containerByName('demo-cache')?.status).toBe('running');
  });

  it('--rollback: a container this run only started (it existed) is stopped — or reported as not stopped', async () => {
    const stack = graph();
    const behaviours = { db: { exitAfterMs: 50, exitCode: 1, readyDelayMs: 1000 } };
    const runtime = runtimeFor(stack, behaviours);
    await runToEnd(stack, runtime);
    const cache = runtime.containerByName('demo-cache')!;
    await runtime.stopContainer(cache.id, 0);
    runtime.stopContainer = async () => {
      throw new Error('permission denied');
    };
    const run = await runToEnd(stack, runtime, { rollback: true });
    expect(run.result.services.find((s) => s.service === 'cache')?.action).toBe('start');
    expect(run.result.rolledBack).not.toContain('stopped demo-cache');
    expect(run.result.rollbackFailures).toContain('stop demo-cache: permission denied');
  });
});

describe('up: cancellation', () => {
  it('stops scheduling, cancels probes and leaves the started containers as they are', async () => {
    const stack = makeStack('demo', { db: { probe: true }, cache: { probe: true }, api: { probe: true, dependsOn: ['db'] } });
    const runtime = runtimeFor(stack, { db: { readyDelayMs: 10_000 }, cache: { readyDelayMs: 50 } });
    const controller = new AbortController();
    const run = await runToEnd(stack, runtime, { signal: controller.signal }, {}, (elapsed) => {
      if (elapsed >= 300 && !controller.signal.aborted) controller.abort();
    });
    expect(run.result.cancelled).toBe(true);
    expect(run.result.ok).toBe(false);
    expect(run.result.services.map((s) => `${s.service}=${s.state}`)).toEqual(['db=cancelled', 'cache=ready', 'api=cancelled']);
    expect(run.result.durationMs).toBeLessThan(400);
    expect(runtime.callsOf('startContainer')).toEqual(['demo-db', 'demo-cache']);
    // Consistent: what started still runs, what did not is created and labelled — all adoptable by
    // the next up (which starts it); nothing half-made.
    expect(runtime.containerByName('demo-api')?.status).toBe('created');
    expect(runtime.containerByName('demo-db')?.status).toBe('running');
    expect(runtime.mutations().filter((c) => c.op === 'removeContainer' || c.op === 'stopContainer')).toEqual([]);
  });

  it('an already-aborted signal starts nothing', async () => {
    const stack = makeStack('demo', { db: { probe: true } });
    const runtime = runtimeFor(stack);
    const controller = new AbortController();
    controller.abort();
    const run = await runToEnd(stack, runtime, { signal: controller.signal });
    expect(run.result.cancelled).toBe(true);
    expect(runtime.callsOf('createContainer')).toEqual([]);
  });
});

describe('up: idempotence and recreate', () => {
  const stackWith = (mode: string): Stack =>
    makeStack('demo', {
      db: { probe: true },
      api: { probe: true, dependsOn: ['db'], environment: { MODE: mode } },
      web: { probe: true, dependsOn: ['api'] },
      other: { probe: true },
    });

  it('a second up on an unchanged running stack is a no-op plan with no mutation', async () => {
    const stack = stackWith('a');
    const runtime = runtimeFor(stack);
    expect((await runToEnd(stack, runtime)).result.ok).toBe(true);
    const mutationsBefore = runtime.mutations().length;
    const again = await runToEnd(stack, runtime);
    expect(again.result.ok).toBe(true);
    expect(again.result.noop).toBe(true);
    expect(formatPlan(again.result.plan).split('\n')[0]).toBe('stack demo: up to date, nothing to do (4 unchanged)');
    expect(runtime.mutations().length).toBe(mutationsBefore);
    expect(again.result.services.every((s) => s.action === 'keep' && s.state === 'ready')).toBe(true);
  });

  it('a changed service is recreated with its dependents; the others keep their containers', async () => {
    const runtime = runtimeFor(stackWith('a'));
    await runToEnd(stackWith('a'), runtime);
    const ids = Object.fromEntries([...runtime.containers.values()].map((c) => [c.info.service, c.info.id]));
    const run = await runToEnd(stackWith('b'), runtime);
    expect(run.result.ok).toBe(true);
    // In the graph's order: level by level (db and other have no dependencies), file order inside a level.
    expect(run.result.services.map((s) => `${s.service}=${s.action}`)).toEqual(['db=keep', 'other=keep', 'api=recreate', 'web=recreate']);
    const after = Object.fromEntries([...runtime.containers.values()].map((c) => [c.info.service, c.info.id]));
    expect(after.db).toBe(ids.db);
    expect(after.other).toBe(ids.other);
    expect(after.api).not.toBe(ids.api);
    expect(after.web).not.toBe(ids.web);
    expect(runtime.containers.size).toBe(4);
  });

  it('restarts a stopped service in place', async () => {
    const stack = stackWith('a');
    const runtime = runtimeFor(stack);
    await runToEnd(stack, runtime);
    const other = runtime.containerByName('demo-other')!;
    await runtime.stopContainer(other.id, 1);
    const run = await runToEnd(stack, runtime);
    expect(run.result.services.find((s) => s.service === 'other')!.action).toBe('start');
    expect(runtime.containerByName('demo-other')!.id).toBe(other.id);
    expect(runtime.containerByName('demo-other')!.status).toBe('running');
  });
});

describe('up: repairing what an engine crash left', () => {
  it('a stopped container the engine cannot start (stale endpoint) is recreated with a new id, and the run says so', async () => {
    const stack = makeStack('demo', { db: { probe: true }, api: { probe: true, dependsOn: ['db'] } });
    const runtime = runtimeFor(stack);
    await runToEnd(stack, runtime);
    const db = runtime.containerByName('demo-db')!;
    await runtime.stopContainer(db.id, 1);
    runtime.makeStale(db.id, 'endpoint with name demo-db already exists in network demo_default');
    const run = await runToEnd(stack, runtime);
    expect(run.result.ok).toBe(true);
    const result = run.result.services.find((s) => s.service === 'db')!;
    expect(result).toMatchObject({ state: 'ready', action: 'recreate', cause: 'stale engine state: endpoint with name demo-db already exists in network demo_default' });
    expect(runtime.containerByName('demo-db')!.id).not.toBe(db.id);
    expect(runtime.callsOf('discardStaleContainer')).toEqual(['demo-db']);
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'service.repaired', service: 'db', containerName: 'demo-db' }));
  });
});

describe('up: adoption', () => {
  it('re-probes every kept service at once instead of down the chain', async () => {
    const stack = makeStack('demo', { a: { probe: true }, b: { probe: true, dependsOn: ['a'] }, c: { probe: true, dependsOn: ['b'] } });
    const runtime = runtimeFor(stack);
    await runToEnd(stack, runtime);
    const run = await runToEnd(stack, runtime);
    expect(run.result.noop).toBe(true);
    expect(new Set(['a', 'b', 'c'].map((s) => run.at(s, 'probing'))).size).toBe(1);
  });

  it('a kept container that no longer answers its probe is not reported ready', async () => {
    const stack = makeStack('demo', { a: { probe: true, probeTimeoutMs: 1000 }, b: { probe: true } });
    const runtime = runtimeFor(stack);
    await runToEnd(stack, runtime);
    runtime.configure('a', { neverReady: true, probeError: 'connect ECONNREFUSED' });
    const run = await runToEnd(stack, runtime);
    expect(run.result.services.map((s) => `${s.service}=${s.action}/${s.state}`)).toEqual(['a=keep/failed', 'b=keep/ready']);
    expect(run.result.services[0]!.diagnosis?.probe?.lastError).toBe('connect ECONNREFUSED');
  });

  it('a kept service still waits for a dependency this run starts, and is blocked by its failure', async () => {
    const stack = makeStack('demo', { a: { probe: true }, b: { probe: true, dependsOn: ['a'] } });
    const runtime = runtimeFor(stack);
    await runToEnd(stack, runtime);
    await runtime.stopContainer(runtime.containerByName('demo-a')!.id, 1);
    runtime.configure('a', { exitAfterMs: 20, exitCode: 2, readyDelayMs: 1000 });
    const run = await runToEnd(stack, runtime);
    expect(run.result.services.map((s) => `${s.service}=${s.action}/${s.state}`)).toEqual(['a=start/failed', 'b=keep/blocked']);
  });
});
