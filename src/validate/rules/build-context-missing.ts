import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { fromStackDir } from '../support/build.js';

export const buildContextMissing: Rule = {
  code: 'BUILD001',
  name: 'build-context-missing',
  category: 'build',
  severity: 'error',
  summary: 'A build context directory (or an additional context) does not exist',
  leavesAlone: 'Remote contexts (`https://…`, `git@…`) and named contexts (`docker-image://`, `service:`)',
  check({ stack, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const build = service.build;
      if (!build) continue;
      if (!files.isDirectory(build.context)) {
        out.push(
          finding(buildContextMissing, {
            service: service.name,
            location: build.location,
            message: `build context ${fromStackDir(stack, build.context)} ${files.exists(build.context) ? 'is not a directory' : 'does not exist'}`,
            hint: `build contexts are relative to ${fromStackDir(stack, stack.dir) === '.' ? 'the stack file' : stack.dir}; point context at the directory holding the sources`,
          }),
        );
      }
      for (const [name, target] of Object.entries(build.additionalContexts)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || files.isDirectory(target)) continue;
        out.push(
          finding(buildContextMissing, {
            service: service.name,
            location: build.location,
            message: `additional context "${name}" (${fromStackDir(stack, target)}) does not exist`,
            hint: 'additional_contexts paths are relative to the stack file; fix the path',
          }),
        );
      }
    }
    return out;
  },
};
