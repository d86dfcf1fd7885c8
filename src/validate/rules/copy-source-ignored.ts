import path from 'node:path';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { buildFacts, fromStackDir } from '../support/build.js';

export const copySourceIgnored: Rule = {
  code: 'BUILD005',
  name: 'copy-source-ignored',
  category: 'build',
  severity: 'error',
  summary: 'A COPY/ADD source exists but .dockerignore excludes it from the build context',
  leavesAlone: 'Contexts without .dockerignore; negated patterns that re-include the source',
  check({ stack, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const facts = buildFacts(service, files);
      if (!facts || !facts.ignore.file) continue;
      for (const copy of facts.copies) {
        if (copy.outside || copy.contextName !== undefined || copy.matches.length === 0 || copy.relative === '.') continue;
        const kept = copy.matches.filter((match) => !facts.ignore.ignores(path.relative(copy.root, match).split(path.sep).join('/')));
        if (kept.length > 0) continue;
        out.push(
          finding(copySourceIgnored, {
            service: service.name,
            location: copy.location,
            message: `${copy.instruction} ${copy.source}: excluded from the build context by ${fromStackDir(stack, facts.ignore.file)}`,
            hint: `remove the matching pattern from ${fromStackDir(stack, facts.ignore.file)}, or add an exception line \`!${copy.relative}\``,
          }),
        );
      }
    }
    return out;
  },
};
