import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

export const probePort: Rule = {
  code: 'PROBE001',
  name: 'probe-port-not-declared',
  category: 'probes',
  severity: 'warning',
  summary: "A stack.yaml readiness probe's port is not one of the service's declared container ports (a likely typo); a compose healthcheck runs inside the container and proves its own port",
  leavesAlone: 'Compose healthchecks (they run inside the container and prove their own port); services without declared ports',
  check({ stack }) {
    const out: Diagnostic[] = [];
    if (stack.format === 'compose') return out;
    for (const service of stack.services) {
      const probe = service.readiness?.probe;
      if (!probe || !('port' in probe) || service.ports.length === 0) continue;
      if (service.ports.some((p) => p.target === probe.port)) continue;
      out.push(
        finding(probePort, {
          service: service.name,
          location: service.readiness!.location,
          message: `the ${probe.kind} readiness probe checks port ${probe.port}, but ${service.name}'s ports are ${service.ports.map((p) => p.target).join(', ')}`,
          hint: `probe one of the service's container ports (e.g. port: ${service.ports[0]!.target}), or add ${probe.port} to ports`,
        }),
      );
    }
    return out;
  },
};
