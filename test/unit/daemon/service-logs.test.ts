/** Service logs alone: a fake runtime log, supervisor containers and collector. */
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import type { LogLine } from '../../../src/daemon/api-types.js';
import { ServiceLogs } from '../../../src/daemon/service-logs.js';
import type { ContainerInfo } from '../../../src/runtime/runtime.js';
import { makeStack } from '../../support/stack-builder.js';

const info = (id: string, status: ContainerInfo['status'] = 'running'): ContainerInfo => ({ id, name: `demo-${id}`, stack: 'demo', service: id, configHash: 'h', image: 'img', status, oomKilled: false, restartCount: 0, ports: [], labels: {} });

function scene() {
  const stack = makeStack('demo', { db: {}, api: {}, web: {}, job: {} });
  // db: the engine has its log; api: no container (removed); web: the engine's log fails; job: exited.
  const containers: Record<string, ContainerInfo> = { db: info('db'), web: info('web'), job: info('job', 'exited') };
  const runtime = {
    logs: vi.fn(async (id: string, tail: number) => {
      if (id === 'web') throw new Error('no such container');
      return id === 'db' ? `ready\r\nlistening on 5432\n`.split('\n').slice(-1 - tail).join('\n') : '';
    }),
  };
  const kept = (service: string): LogLine[] => [{ service, at: '2026-01-01T00:00:00.000Z', line: `${service}'s last line` }];
  const collector = {
    recent: vi.fn((services: string[]) => services.flatMap(kept)),
    subscribe: vi.fn(() => () => {}),
    attach: vi.fn(),
  };
  const supervised = {
    stack,
    supervisor: { container: (service: string) => containers[service] },
    collector,
    assertKnown: (services: string[]) => {
      const unknown = services.filter((s) => !stack.services.some((d) => d.name === s));
      if (unknown.length > 0) throw new UsageError(`unknown service "${unknown[0]}"`);
    },
  };
  return { logs: new ServiceLogs(supervised, runtime), runtime, collector };
}

describe('ServiceLogs', () => {
  it("reads the engine's complete log of a container that exists, else the collector's last lines, service by service", async () => {
    const s = scene();
    expect(await s.logs.recent([], 100)).toEqual([
      { service: 'db', line: 'ready' },
      { service: 'db', line: 'listening on 5432' },
      { service: 'api', at: '2026-01-01T00:00:00.000Z', line: "api's last line" },
      { service: 'web', at: '2026-01-01T00:00:00.000Z', line: "web's last line" },
    ]);
    expect(s.collector.recent.mock.calls).toEqual([[['api'], 100], [['web'], 100]]);
    expect(await s.logs.recent(['db'], 1)).toEqual([{ service: 'db', line: 'listening on 5432' }]);
  });

  it('refuses an unknown service, reading and following alike', async () => {
    const s = scene();
    await expect(s.logs.recent(['db', 'nope'], 10)).rejects.toThrow('unknown service "nope"');
    expect(() => s.logs.follow(['nope'], () => {})).toThrow(UsageError);
    expect(s.runtime.logs).not.toHaveBeenCalled();
    s.logs.follow(['db'], () => {});
    expect(s.collector.subscribe).toHaveBeenCalledWith(['db'], expect.any(Function));
  });

  it("attaches the collector to each service's current container, running or not, or to one service only", () => {
    const s = scene();
    s.logs.attach();
    expect(s.collector.attach.mock.calls).toEqual([
      ['db', 'db', true],
      ['api', undefined, false],
      ['web', 'web', true],
      ['job', 'job', false],
    ]);
    s.collector.attach.mockClear();
    s.logs.attach('web');
    expect(s.collector.attach.mock.calls).toEqual([['web', 'web', true]]);
  });
});
