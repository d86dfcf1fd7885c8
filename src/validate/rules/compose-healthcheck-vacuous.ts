/**
 * COMPOSE108: a healthcheck that proves nothing (`exit 0`, `true`, `python -c "import sys; sys.exit(0)"`)
 * marks the container healthy whether or not it serves anything, so `service_healthy` waits for
 * nothing. stackctl does not use it as a readiness probe.
 */
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { isVacuousHealthcheck } from '../../compose/vacuous-healthcheck.js';

export const composeHealthcheckVacuous: Rule = {
  code: 'COMPOSE108',
  name: 'compose-healthcheck-vacuous',
  category: 'probes',
  severity: 'warning',
  summary: 'A healthcheck that proves nothing (`exit 0`, `true`, `python -c "import sys; sys.exit(0)"`): the container is "healthy" whatever it does; not used as a readiness probe',
  leavesAlone: 'Checks that pipe into or call a real probe (`echo stats | nc …`, `curl …`, `pg_isready`)',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const healthcheck = service.healthcheck;
      if (!healthcheck || !isVacuousHealthcheck(healthcheck.test)) continue;
      const waiting = stack.services.filter((s) => s.dependsOn.some((d) => d.service === service.name && d.condition === 'ready')).map((s) => s.name);
      out.push({
        code: composeHealthcheckVacuous.code,
        severity: composeHealthcheckVacuous.severity,
        service: service.name,
        location: healthcheck.location,
        message: `${service.name}'s healthcheck always succeeds, so it proves nothing${waiting.length > 0 ? `: ${waiting.join(', ')} ${waiting.length === 1 ? 'waits' : 'wait'} for "healthy" and ${waiting.length === 1 ? 'gets' : 'get'} no guarantee` : ''}; stackctl does not use it as a readiness probe`,
        hint: 'check what the service does: e.g. `test: ["CMD-SHELL", "wget -qO- http://localhost:PORT/health || exit 1"]`, `pg_isready`, `redis-cli ping` — or remove the healthcheck',
      });
    }
    return out;
  },
};
