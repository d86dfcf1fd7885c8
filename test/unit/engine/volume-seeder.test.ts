import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VolumeSeeder } from '../../../src/engine/volume-seeder.js';
import { makeStack } from '../../support/stack-builder.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';
import { runToEnd } from '../../support/engine-harness.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const here = { file: '/test/stack.yaml', line: 1, col: 1 };

describe('up with a volume seeder (--seed-snapshot)', () => {
  it('restores before any container exists, and keeps a service before its dependents are released', async () => {
    const stack = makeStack(
      'demo',
      {
        db: { probe: true, volumes: [{ type: 'volume', source: 'pgdata', target: '/data', readOnly: false, location: here }] },
        api: { probe: true, dependsOn: ['db'] },
      },
      { volumes: { pgdata: { external: false, location: here } } },
    );
    const runtime = new MemoryRuntime({ images: { 'example/db:1': 'sha256:db', 'example/api:1': 'sha256:api' }, services: { db: { readyDelayMs: 100 } } });
    const seen: string[] = [];
    let dbKeptAt = 0;
    const seeder: VolumeSeeder = {
      restore: async (imageIds, created) => {
        seen.push(`restore images=${[...imageIds.keys()].sort().join(',')} volumes=${created.join(',')} containers=${runtime.callsOf('createContainer').length}`);
      },
      ready: async (service) => {
        seen.push(`ready ${service} api-started=${runtime.callsOf('startContainer').includes('demo-api')}`);
        if (service !== 'db') return;
        await new Promise((resolve) => setTimeout(resolve, 500));
        dbKeptAt = Date.now();
      },
    };
    const run = await runToEnd(stack, runtime, { seeder });
    expect(run.result.ok).toBe(true);
    expect(seen).toEqual(['restore images=api,db volumes=demo_pgdata containers=0', 'ready db api-started=false', 'ready api api-started=true']);
    // api started only once the seeder was done with db.
    const apiStarted = runtime.calls.find((call) => call.op === 'startContainer' && call.target === 'demo-api')!.at;
    expect(dbKeptAt).toBeGreaterThan(0);
    expect(apiStarted).toBeGreaterThanOrEqual(dbKeptAt);
  });
});
