import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { didYouMean } from '../../config/normalize.js';

export const unknownDependency: Rule = {
  code: 'DEP001',
  name: 'unknown-dependency',
  category: 'dependencies',
  severity: 'error',
  summary: '`depends_on` names a service the stack does not define (with a "did you mean")',
  leavesAlone: 'Dependencies with `required: false`',
  check({ stack }) {
    const names = stack.services.map((s) => s.name);
    const known = new Set(names);
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const dependency of service.dependsOn) {
        if (known.has(dependency.service) || !dependency.required) continue;
        const guess = didYouMean(dependency.service, names);
        out.push(
          finding(unknownDependency, {
            service: service.name,
            location: dependency.location,
            message: `${service.name} depends on "${dependency.service}", which is not a service of this stack${guess ? ` — did you mean "${guess}"?` : ''}`,
            hint: guess ? `rename the dependency to ${guess}` : `define services.${dependency.service}, or remove it from depends_on (services: ${names.join(', ')})`,
          }),
        );
      }
    }
    return out;
  },
};
