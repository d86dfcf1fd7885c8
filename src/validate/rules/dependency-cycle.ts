import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { findCycles } from '../../graph/cycles.js';
import { formatCycle } from '../../graph/graph.js';

export const dependencyCycle: Rule = {
  code: 'DEP002',
  name: 'dependency-cycle',
  category: 'dependencies',
  severity: 'error',
  summary: 'Services depend on each other in a cycle (named as `a → b → c → a`), so none of them can start first',
  leavesAlone: 'Graphs without cycles',
  check({ stack, graph }) {
    const out: Diagnostic[] = [];
    for (const cycle of findCycles(graph)) {
      const first = stack.services.find((s) => s.name === cycle[0]);
      if (!first) continue;
      const edge = first.dependsOn.find((d) => d.service === cycle[1]);
      const last = cycle[cycle.length - 2]!;
      out.push(
        finding(dependencyCycle, {
          service: first.name,
          location: edge?.location ?? first.location,
          message: `dependency cycle: ${formatCycle(cycle)}`,
          hint:
            cycle.length === 2
              ? `a service cannot depend on itself: remove ${first.name} from its own depends_on`
              : `break the cycle: remove one edge, e.g. ${last}'s dependency on ${first.name}; if they only need each other at run time, keep the dependency on the side that needs the other to start`,
        }),
      );
    }
    return out;
  },
};
