/** A ProbeTarget for unit tests: ports map to local servers, the runtime answers only what probes ask. */
import type { ContainerInfo, Runtime } from '../../../src/runtime/runtime.js';
import type { ProbeTarget } from '../../../src/probes/probe.js';

export function containerInfo(overrides: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: 'c1',
    name: 'unit-svc',
    stack: 'unit',
    service: 'svc',
    configHash: '',
    image: 'img',
    status: 'running',
    oomKilled: false,
    restartCount: 0,
    ports: [],
    labels: {},
    ...overrides,
  };
}

export function fakeTarget(ports: Record<number, number>, runtime: Partial<Runtime> = {}): ProbeTarget {
  const base: Partial<Runtime> = { inspectContainer: async () => containerInfo() };
  return {
    service: 'svc',
    containerId: 'c1',
    host: '127.0.0.1',
    hostPort: (containerPort) => ports[containerPort],
    runtime: { ...base, ...runtime } as Runtime,
  };
}
