import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stack } from '../../../src/config/model.js';
import { down } from '../../../src/engine/down.js';
import { LABELS } from '../../../src/runtime/runtime.js';
import { makeStack } from '../../support/stack-builder.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';
import { runToEnd } from '../../support/engine-harness.js';

const loc = { file: 'x', line: 1, col: 1 };

function stack(): Stack {
  return makeStack(
    'demo',
    {
      db: { probe: true, volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: false, location: loc }] },
      api: { probe: true, dependsOn: ['db'] },
      web: { probe: true, dependsOn: ['api'] },
      cache: { probe: true },
    },
    { volumes: { data: { external: false, location: loc } } },
  );
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function started(): Promise<MemoryRuntime> {
  const s = stack();
  const runtime = new MemoryRuntime({ images: Object.fromEntries(s.services.map((x) => [x.image!, `sha256:${x.name}`])) });
  const run = await runToEnd(s, runtime);
  expect(run.result.ok).toBe(true);
  return runtime;
}

describe('down', () => {
  it('stops in reverse dependency order, removes containers and the network, keeps volumes without -v', async () => {
    const runtime = await started();
    const foreign = runtime.addForeignContainer('not-ours');
    const other = runtime.addForeignContainer('other-stack-db', { [LABELS.stack]: 'other', [LABELS.service]: 'db' });
    const result = await down(stack(), { runtime });
    const stops = runtime.callsOf('stopContainer');
    expect(stops.indexOf('demo-web')).toBeLessThan(stops.indexOf('demo-api'));
    expect(stops.indexOf('demo-api')).toBeLessThan(stops.indexOf('demo-db'));
    expect(result.containers.sort()).toEqual(['demo-api', 'demo-cache', 'demo-db', 'demo-web']);
    expect(result.networks).toEqual(['demo_default']);
    expect(result.volumes).toEqual([]);
    expect(runtime.volumes.has('demo_data')).toBe(true);
    expect([...runtime.containers.keys()].sort()).toEqual([foreign, other].sort());
    expect(runtime.containerByName('not-ours')!.status).toBe('running');
  });

  it('-v removes the stack volumes too; a second down has nothing left to do', async () => {
    const runtime = await started();
    const result = await down(stack(), { runtime, removeVolumes: true });
    expect(result.volumes).toEqual(['demo_data']);
    expect(runtime.volumes.size).toBe(0);
    expect(runtime.networks.size).toBe(0);
    const again = await down(stack(), { runtime, removeVolumes: true });
    expect(again).toMatchObject({ containers: [], networks: [], volumes: [] });
  });

  it('works from the labels alone (no stack file) and removes orphans', async () => {
    const runtime = await started();
    runtime.addForeignContainer('demo-legacy', { [LABELS.stack]: 'demo', [LABELS.service]: 'legacy', [LABELS.configHash]: 'abc' });
    const result = await down('demo', { runtime });
    expect(result.containers.sort()).toEqual(['demo-api', 'demo-cache', 'demo-db', 'demo-legacy', 'demo-web']);
    expect(runtime.containers.size).toBe(0);
  });

  it('never touches a container that only inherited the stack labels from its image (no config hash)', async () => {
    const runtime = await started();
    // `docker run` of an image stackctl built: the image's labels carry over to the container.
    const inherited = runtime.addForeignContainer('someone-ran-db', { [LABELS.stack]: 'demo', [LABELS.service]: 'db' });
    await runToEnd(stack(), runtime);
    await down(stack(), { runtime, removeVolumes: true });
    expect([...runtime.containers.keys()]).toEqual([inherited]);
    expect(runtime.calls.filter((call) => call.target === 'someone-ran-db')).toEqual([]);
  });
});
