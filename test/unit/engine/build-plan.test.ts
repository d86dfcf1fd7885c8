import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BuildSpec } from '../../../src/config/model.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { buildSchedulingFromEnv, criticalPathRank, prefixTag, priorityLimiter } from '../../../src/engine/build-plan.js';
import { makeStack } from '../../support/stack-builder.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';
import { runToEnd } from '../../support/engine-harness.js';

describe('build scheduling, pure parts', () => {
  it('ranks a service by the longest chain of dependents it heads', () => {
    const stack = makeStack('demo', {
      db: {},
      cache: {},
      api: { dependsOn: ['db', 'cache'] },
      worker: { dependsOn: ['db'] },
      web: { dependsOn: ['api'] },
    });
    expect(Object.fromEntries(criticalPathRank(stack))).toEqual({ db: 3, cache: 3, api: 2, worker: 1, web: 1 });
  });

  it('a free slot goes to the waiting task of highest priority, ties in call order', async () => {
    const limit = priorityLimiter(1);
    const order: string[] = [];
    let release!: () => void;
    const first = limit(0, () => new Promise<void>((resolve) => (release = resolve)));
    const rest = [
      limit(1, async () => void order.push('low-a')),
      limit(5, async () => void order.push('high')),
      limit(1, async () => void order.push('low-b')),
    ];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['high', 'low-a', 'low-b']);
  });

  it('reads its switches from the environment', () => {
    expect(buildSchedulingFromEnv({})).toEqual({ sharing: 'prefix', criticalPath: true });
    expect(buildSchedulingFromEnv({ STACKCTL_BUILD_SHARING: 'none', STACKCTL_BUILD_ORDER: 'declared' })).toEqual({ sharing: 'none', criticalPath: false });
    expect(buildSchedulingFromEnv({ STACKCTL_BUILD_SHARING: 'context' }).sharing).toBe('context');
  });

  it('tags a stage image under the stack name', () => {
    expect(prefixTag('PyAirtable', 'abcdef0123456789')).toBe('pyairtable-build-prefix:abcdef012345');
  });
});

describe('up with fresh builds (in-memory engine, real Dockerfiles)', () => {
  let dir: string;
  const loc = { file: 'x', line: 1, col: 1 };
  const build = (context: string, dockerfile: string): BuildSpec => ({ context: path.join(dir, context), dockerfile: path.join(dir, context, dockerfile), args: {}, additionalContexts: {}, location: loc });

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-build-plan-'));
    mkdirSync(path.join(dir, 'db'));
    writeFileSync(path.join(dir, 'db/Dockerfile'), 'FROM debian:bookworm-slim\nRUN apt-get install -y postgresql\n');
    mkdirSync(path.join(dir, 'apps/common'), { recursive: true });
    writeFileSync(path.join(dir, 'apps/common/lib.py'), 'X = 1\n');
    for (const app of ['api', 'web']) {
      mkdirSync(path.join(dir, 'apps', app));
      writeFileSync(path.join(dir, 'apps', app, 'main.py'), `print("${app}")\n`);
      writeFileSync(path.join(dir, 'apps', app, 'Dockerfile'), `FROM debian:bookworm-slim\nRUN apt-get install -y python3\nCOPY common /opt/common\nCOPY ${app} /app\n`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  const stackOf = () =>
    makeStack('demo', {
      db: { probe: true, build: build('db', 'Dockerfile') },
      api: { probe: true, dependsOn: ['db'], build: build('apps', 'api/Dockerfile') },
      web: { probe: true, dependsOn: ['api'], build: build('apps', 'web/Dockerfile') },
    });

  it('builds the shared steps once as a stage image before the images that start with them', async () => {
    const runtime = new MemoryRuntime({ services: { db: { buildDelayMs: 100 }, api: { buildDelayMs: 100 }, web: { buildDelayMs: 100 } } });
    const run = await runToEnd(stackOf(), runtime);
    expect(run.result.ok).toBe(true);
    const builds = runtime.callsOf('buildImage');
    expect(builds).toHaveLength(4);
    const stage = builds.findIndex((tag) => tag.startsWith('demo-build-prefix:'));
    expect(stage).toBeGreaterThanOrEqual(0);
    expect(builds.indexOf('example/api:1')).toBeGreaterThan(stage);
    expect(builds.indexOf('example/web:1')).toBeGreaterThan(stage);
    const shared = run.events.find((event) => event.type === 'service.phase' && event.service === 'web' && event.phase === 'building' && event.detail?.includes('shared'));
    expect(shared).toBeDefined();
  });

  it('starts a service whose image is built while later images still build; every container gets its real config hash', async () => {
    const runtime = new MemoryRuntime({ services: { db: { buildDelayMs: 100, readyDelayMs: 50 }, api: { buildDelayMs: 100 }, web: { buildDelayMs: 3000 } } });
    const run = await runToEnd(stackOf(), runtime);
    expect(run.result.ok).toBe(true);
    const webBuilt = run.events.find((event) => event.type === 'service.phase' && event.service === 'web' && event.detail?.startsWith('image built'))!.at - (run.events[0]?.at ?? 0);
    expect(run.at('db', 'ready')!).toBeLessThan(webBuilt);
    expect(run.at('api', 'ready')!).toBeLessThan(webBuilt);
    for (const entry of run.result.plan.services) {
      expect(entry.imageId).toMatch(/^sha256:/);
      const create = entry.operations.find((operation) => operation.kind === 'create');
      expect(create?.kind === 'create' && create.spec.labels?.['io.stackctl.config-hash']).toBe(entry.configHash);
    }
  });

  it('with STACKCTL_BUILD_ORDER=declared, nothing starts before every image is built', async () => {
    vi.stubEnv('STACKCTL_BUILD_ORDER', 'declared');
    const runtime = new MemoryRuntime({ services: { db: { buildDelayMs: 100 }, api: { buildDelayMs: 100 }, web: { buildDelayMs: 1000 } } });
    const run = await runToEnd(stackOf(), runtime);
    expect(run.result.ok).toBe(true);
    expect(run.at('db', 'starting')!).toBeGreaterThanOrEqual(1000);
  });

  it('Ctrl-C while a service waits for its image cancels it (not a build failure)', async () => {
    const runtime = new MemoryRuntime({ services: { db: { buildDelayMs: 100 }, api: { buildDelayMs: 100 }, web: { buildDelayMs: 5000 } } });
    const controller = new AbortController();
    // Interrupted once api is ready, while web's image (5 s) still builds.
    const onEvent = (event: EngineEvent): void => {
      if (event.type === 'service.phase' && event.service === 'api' && event.phase === 'ready') controller.abort(new Error('interrupted'));
    };
    const run = await runToEnd(stackOf(), runtime, { signal: controller.signal, onEvent });
    expect(run.result.cancelled).toBe(true);
    expect(run.result.services.map((s) => `${s.service}=${s.state}`)).toEqual(['db=ready', 'api=ready', 'web=cancelled']);
    expect(run.result.services[2]!.diagnosis).toBeUndefined();
  });

  it('a fresh build that fails fails its service and blocks its dependents; the others start', async () => {
    const runtime = new MemoryRuntime({ services: { api: { buildFailure: 'RUN pip install failed' } } });
    const run = await runToEnd(stackOf(), runtime);
    expect(run.result.services.map((s) => `${s.service}=${s.state}`)).toEqual(['db=ready', 'api=failed', 'web=blocked']);
    expect(run.result.services[1]!.diagnosis?.rootCause.code).toBe('build-failed');
    expect(runtime.callsOf('createContainer')).not.toContain('demo-api');
  });
});
