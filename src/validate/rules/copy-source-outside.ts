import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { buildFacts, widenContextHint } from '../support/build.js';

export const copySourceOutside: Rule = {
  code: 'BUILD004',
  name: 'copy-source-outside-context',
  category: 'build',
  severity: 'error',
  summary: 'A COPY/ADD source reaches outside the build context with `..` (Docker cannot send it)',
  leavesAlone: 'Paths that stay inside the context after normalisation',
  check({ stack, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const facts = buildFacts(service, files);
      if (!facts) continue;
      for (const copy of facts.copies) {
        if (!copy.outside) continue;
        out.push(
          finding(copySourceOutside, {
            service: service.name,
            location: copy.location,
            message: `${copy.instruction} ${copy.source} reaches outside the build context; Docker only sends the context to the builder`,
            hint: widenContextHint(stack, service, copy.absolute),
          }),
        );
      }
    }
    return out;
  },
};
