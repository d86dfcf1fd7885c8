import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

export const readyWithoutProbe: Rule = {
  code: 'DEP003',
  name: 'ready-without-probe',
  category: 'dependencies',
  severity: 'error',
  summary: 'A dependency waits for a service to be `ready`, but that service has no readiness probe to prove it',
  check({ stack, services }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const dependency of service.dependsOn) {
        if (dependency.condition !== 'ready') continue;
        const target = services.get(dependency.service);
        if (!target || target.readiness) continue;
        out.push(
          finding(readyWithoutProbe, {
            service: service.name,
            location: dependency.location,
            message: `${service.name} waits for ${target.name} to be ready, but ${target.name} has no readiness probe, so readiness cannot be proven`,
            hint: `add a readiness probe to ${target.name} (e.g. \`readiness: { tcp: { port: N } }\` or an authenticated http/postgres/redis probe), or depend on it with \`condition: started\``,
          }),
        );
      }
    }
    return out;
  },
};
