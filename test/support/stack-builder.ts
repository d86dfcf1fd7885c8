/**
 * Small Stack values for unit tests, without YAML: `makeStack('demo', { db: {}, api: { dependsOn: ['db'] } })`.
 * Defaults mirror what the loader produces for a minimal service.
 */
import type { Dependency, DependencyCondition, ProbeSpec, Service, Stack } from '../../src/config/model.js';
import { DEFAULT_THRESHOLDS, emptyService } from '../../src/config/model.js';

const here = { file: '/test/stack.yaml', line: 1, col: 1 };

export interface ServiceSketch extends Partial<Omit<Service, 'dependsOn' | 'readiness' | 'name'>> {
  /** `'db'` (= ready), or `{ service: 'db', condition: 'completed' }`. */
  dependsOn?: Array<string | { service: string; condition?: DependencyCondition; required?: boolean }>;
  /** A probe, or true for a tcp probe on port 80. */
  probe?: ProbeSpec | true;
  probeTimeoutMs?: number;
}

export function makeService(name: string, sketch: ServiceSketch = {}): Service {
  const { dependsOn = [], probe, probeTimeoutMs, ...rest } = sketch;
  const deps: Dependency[] = dependsOn.map((dep) =>
    typeof dep === 'string'
      ? { service: dep, condition: 'ready', required: true, location: here }
      : { service: dep.service, condition: dep.condition ?? 'ready', required: dep.required ?? true, location: here },
  );
  const service: Service = {
    ...emptyService(name, here),
    image: `example/${name}:1`,
    dependsOn: deps,
    restartDependents: true,
    ...rest,
  };
  if (probe) {
    service.readiness = {
      probe: probe === true ? { kind: 'tcp', port: 80 } : probe,
      timeoutMs: probeTimeoutMs ?? 60_000,
      location: here,
    };
  }
  return service;
}

export function makeStack(name: string, services: Record<string, ServiceSketch>, extra: Partial<Stack> = {}): Stack {
  return {
    name,
    file: '/test/stack.yaml',
    dir: '/test',
    format: 'stackctl',
    services: Object.entries(services).map(([serviceName, sketch]) => makeService(serviceName, sketch)),
    volumes: {},
    networks: {},
    thresholds: DEFAULT_THRESHOLDS,
    variables: [],
    secretValues: [],
    ...extra,
  };
}
