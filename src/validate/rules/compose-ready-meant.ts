/**
 * COMPOSE101: a dependency that only waits for the container to *start* where waiting for it to be
 * *ready* was surely meant — the dependency has a healthcheck/probe, or is a database, cache or broker.
 * compose's plain `depends_on` list means exactly this, and it is why "startup sequence not enforcing
 * proper dependency order" was in the post-mortem.
 */
import { serviceByName, type Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { serviceKind } from '../../compose/service-kind.js';

export const composeReadyMeant: Rule = {
  code: 'COMPOSE101',
  name: 'compose-ready-meant',
  category: 'dependencies',
  severity: 'warning',
  summary: "A dependency waits only for the start (compose's plain `depends_on` list; an explicit `condition: service_started` is a choice and left alone) where its target has a healthcheck/probe or is a database, cache or broker: readiness was surely meant",
  leavesAlone: 'An explicit `condition: service_started` (a choice); application targets without a healthcheck',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const dependency of service.dependsOn) {
        // `condition: service_started` written out is a choice, not a missed readiness check.
        if (dependency.condition !== 'started' || dependency.explicit) continue;
        const target = serviceByName(stack, dependency.service);
        if (!target) continue;
        const kind = serviceKind(target);
        if (!target.readiness && kind === 'app') continue;
        const why = target.readiness ? `${target.name} has a ${stack.format === 'compose' ? 'healthcheck' : 'readiness probe'}` : `${target.name} is a ${kind === 'redis' || kind === 'memcached' ? 'cache' : kind === 'broker' ? 'message broker' : kind === 'search' ? 'search server' : 'database'}`;
        const fix =
          stack.format === 'compose'
            ? `write \`depends_on: { ${target.name}: { condition: service_healthy } }\`${target.readiness ? '' : ` and give ${target.name} a healthcheck (see COMPOSE102)`}`
            : `write \`depends_on: { ${target.name}: { condition: ready } }\` (or list it in a plain depends_on list)${target.readiness ? '' : ` and give ${target.name} a readiness probe`}`;
        out.push({
          code: composeReadyMeant.code,
          severity: composeReadyMeant.severity,
          service: service.name,
          location: dependency.location,
          message: `${service.name} waits only until ${target.name}'s container has started, not until it is ready (${why}); start order is not enforced`,
          hint: fix,
        });
      }
    }
    return out;
  },
};
