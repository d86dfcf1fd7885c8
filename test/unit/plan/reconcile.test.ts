import { describe, expect, it } from 'vitest';
import { configHash } from '../../../src/plan/config-hash.js';
import { emptyObservedState, type ObservedState } from '../../../src/plan/observed.js';
import { formatPlan, isNoop } from '../../../src/plan/plan.js';
import { reconcile } from '../../../src/plan/reconcile.js';
import { LABELS, type ContainerInfo, type ContainerStatus } from '../../../src/runtime/runtime.js';
import type { Stack } from '../../../src/config/model.js';
import { makeStack } from '../../support/stack-builder.js';

const images = { db: 'sha256:db1', cache: 'sha256:cache1', api: 'sha256:api1', web: 'sha256:web1' };

function stack(): Stack {
  return makeStack(
    'demo',
    {
      db: { volumes: [{ type: 'volume', source: 'data', target: '/var/lib/db', readOnly: false, location: { file: 'x', line: 1, col: 1 } }] },
      cache: {},
      api: { dependsOn: ['db', 'cache'], environment: { MODE: 'prod' } },
      web: { dependsOn: ['api'] },
    },
    { volumes: { data: { external: false, location: { file: 'x', line: 1, col: 1 } } } },
  );
}

let ids = 0;
function container(desired: Stack, service: string, status: ContainerStatus = 'running', hash?: string, exitCode?: number): ContainerInfo {
  const spec = desired.services.find((s) => s.name === service)!;
  const configHashValue = hash ?? configHash(desired, spec, images[service as keyof typeof images]);
  ids += 1;
  return {
    id: `c${ids}`.padEnd(64, '0'),
    name: `demo-${service}`,
    stack: 'demo',
    service,
    configHash: configHashValue,
    image: spec.image!,
    status,
    exitCode,
    oomKilled: false,
    restartCount: 0,
    ports: [],
    labels: { [LABELS.stack]: 'demo', [LABELS.service]: service, [LABELS.configHash]: configHashValue },
  };
}

function running(desired: Stack, overrides: Partial<Record<string, ContainerInfo>> = {}): ObservedState {
  return {
    stack: 'demo',
    containers: desired.services.map((service) => overrides[service.name] ?? container(desired, service.name)),
    networks: ['demo_default'],
    volumes: ['demo_data'],
  };
}

describe('reconcile', () => {
  it('creates everything from scratch, in dependency order', () => {
    const plan = reconcile(stack(), emptyObservedState('demo'), images);
    expect(formatPlan(plan)).toBe(`stack demo: 4 to create, 0 to recreate, 0 to start, 0 unchanged
network demo_default: create (not found)
volume demo_data: create (not found)
db: create (no container)
  create demo-db from example/db:1 (no container)
  start demo-db (new container)
cache: create (no container)
  create demo-cache from example/cache:1 (no container)
  start demo-cache (new container)
api: create (no container)
  create demo-api from example/api:1 (no container)
  start demo-api (new container)
web: create (no container)
  create demo-web from example/web:1 (no container)
  start demo-web (new container)
`);
  });

  it('is a no-op on an unchanged running stack', () => {
    const desired = stack();
    const plan = reconcile(desired, running(desired), images);
    expect(isNoop(plan)).toBe(true);
    expect(formatPlan(plan)).toBe(`stack demo: up to date, nothing to do (4 unchanged)
network demo_default: keep (exists)
volume demo_data: keep (exists)
db: keep (unchanged)
cache: keep (unchanged)
api: keep (unchanged)
web: keep (unchanged)
`);
  });

  it('recreates a changed service together with its dependents and leaves the others alone', () => {
    const before = stack();
    const observed = running(before);
    const after = stack();
    after.services.find((s) => s.name === 'api')!.environment.MODE = 'debug';
    const plan = reconcile(after, observed, images);
    const oldApi = observed.containers.find((c) => c.service === 'api')!;
    const newHash = configHash(after, after.services.find((s) => s.name === 'api')!, images.api);
    expect(formatPlan(plan)).toBe(`stack demo: 0 to create, 2 to recreate, 0 to start, 2 unchanged
network demo_default: keep (exists)
volume demo_data: keep (exists)
db: keep (unchanged)
cache: keep (unchanged)
api: recreate (config hash changed ${oldApi.configHash.slice(0, 12)} → ${newHash.slice(0, 12)})
  stop demo-api (replaced)
  remove demo-api (replaced)
  create demo-api from example/api:1 (config hash changed ${oldApi.configHash.slice(0, 12)} → ${newHash.slice(0, 12)})
  start demo-api (new container)
web: recreate (dependency api recreated)
  stop demo-web (replaced)
  remove demo-web (replaced)
  create demo-web from example/web:1 (dependency api recreated)
  start demo-web (new container)
`);
  });

  it('recreates on a new image id, and only there and downstream', () => {
    const desired = stack();
    const plan = reconcile(desired, running(desired), { ...images, cache: 'sha256:cache2' });
    expect(plan.services.map((s) => `${s.service}=${s.action}`)).toEqual(['db=keep', 'cache=recreate', 'api=recreate', 'web=recreate']);
    expect(plan.services[2]!.cause).toBe('dependency cache recreated');
  });

  it("with dependents: 'reprobe' (watch), keeps the running dependents of a replaced service and says why", () => {
    const desired = stack();
    const plan = reconcile(desired, running(desired), { ...images, cache: 'sha256:cache2' }, { dependents: 'reprobe' });
    expect(plan.services.map((s) => `${s.service}=${s.action}`)).toEqual(['db=keep', 'cache=recreate', 'api=keep', 'web=keep']);
    expect(plan.services[2]!.cause).toBe('re-probe: dependency cache recreated');
    expect(plan.services[2]!.operations).toEqual([]);
    expect(plan.services[0]!.cause).toBe('unchanged');
  });

  it('ignores what does not change the container: depends_on order and conditions, probes, map key order', () => {
    const desired = stack();
    const observed = running(desired);
    const edited = stack();
    const api = edited.services.find((s) => s.name === 'api')!;
    api.dependsOn.reverse();
    api.dependsOn[0]!.condition = 'started';
    api.readiness = { probe: { kind: 'exec', command: ['true'] }, timeoutMs: 5000, location: api.location };
    api.environment = { ZZZ: '1', ...api.environment };
    const observedWithZ = running(desired, {
      api: container(edited, 'api'),
    });
    expect(isNoop(reconcile(edited, observedWithZ, images))).toBe(true);
    // …but the environment is part of the hash.
    expect(isNoop(reconcile(edited, observed, images))).toBe(false);
  });

  it('starts stopped containers and keeps a completed job', () => {
    const desired = makeStack('demo', { migrate: {}, api: { dependsOn: [{ service: 'migrate', condition: 'completed' }] }, worker: {} });
    const jobImages = { migrate: 'sha256:m', api: 'sha256:a', worker: 'sha256:w' };
    const observed: ObservedState = {
      stack: 'demo',
      networks: ['demo_default'],
      volumes: [],
      containers: [
        { ...container(desired, 'migrate', 'exited', configHash(desired, desired.services[0]!, 'sha256:m'), 0) },
        { ...container(desired, 'api', 'exited', configHash(desired, desired.services[1]!, 'sha256:a'), 137) },
        { ...container(desired, 'worker', 'created', configHash(desired, desired.services[2]!, 'sha256:w')) },
      ],
    };
    const text = formatPlan(reconcile(desired, observed, jobImages));
    expect(text).toContain('migrate: keep (completed (exit 0))\n');
    expect(text).toMatch(/api: start \(stopped \(exit 137\)\)\n  start demo-api \(stopped \(exit 137\)\)\n/);
    expect(text).toMatch(/worker: start \(created, never started\)\n  start demo-worker/);
  });

  it('skips a service whose image is unavailable, removes duplicates, lists orphans', () => {
    const desired = stack();
    const observed = running(desired);
    const extra = { ...container(desired, 'cache'), name: 'demo-cache-old' };
    const orphan = { ...container(desired, 'db'), name: 'demo-legacy', service: 'legacy', id: 'orphan'.padEnd(64, '0') };
    observed.containers.push(extra, orphan);
    const { web: _web, ...withoutWeb } = images;
    const text = formatPlan(reconcile(desired, observed, withoutWeb));
    expect(text).toContain('web: skip (image unavailable)\n');
    expect(text).toContain('cache: keep (unchanged)\n  stop demo-cache-old (duplicate container of the service)\n  remove demo-cache-old (duplicate container of the service)\n');
    expect(text).toContain('orphan demo-legacy: left alone (service "legacy" is not in the stack file; `stackctl down` removes it)\n');
  });

  it('is pure: same inputs, same plan', () => {
    const desired = stack();
    const observed = running(desired);
    expect(formatPlan(reconcile(desired, observed, images))).toBe(formatPlan(reconcile(desired, observed, images)));
  });
});
