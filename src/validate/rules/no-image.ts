import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

export const noImage: Rule = {
  code: 'SVC001',
  name: 'no-image-or-build',
  category: 'resources',
  severity: 'error',
  summary: 'A service has neither `image` nor `build`, so there is nothing to run',
  leavesAlone: 'Services whose `extends` failed (COMPOSE003 already says why)',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      if (service.image !== undefined || service.build !== undefined) continue;
      out.push(
        finding(noImage, {
          service: service.name,
          location: service.location,
          message: `${service.name} has neither image nor build`,
          hint: 'add `image: NAME:TAG`, or `build: DIR` to build it from a Dockerfile',
        }),
      );
    }
    return out;
  },
};
