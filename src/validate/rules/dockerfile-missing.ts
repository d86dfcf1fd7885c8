import path from 'node:path';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { fromStackDir } from '../support/build.js';

export const dockerfileMissing: Rule = {
  code: 'BUILD002',
  name: 'dockerfile-missing',
  category: 'build',
  severity: 'error',
  summary: 'The Dockerfile of a build does not exist',
  leavesAlone: '`dockerfile_inline`',
  check({ stack, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const build = service.build;
      if (!build?.dockerfile || !files.isDirectory(build.context) || files.isFile(build.dockerfile)) continue;
      const relative = path.relative(build.context, build.dockerfile);
      const besideStack = path.resolve(stack.dir, relative);
      const hint = files.isFile(besideStack) && besideStack !== build.dockerfile
        ? `\`dockerfile\` is relative to the context: write \`dockerfile: ${path.relative(build.context, besideStack).split(path.sep).join('/')}\``
        : `create ${fromStackDir(stack, build.dockerfile)}, or set \`dockerfile:\` (relative to the context ${fromStackDir(stack, build.context)})`;
      out.push(
        finding(dockerfileMissing, {
          service: service.name,
          location: build.location,
          message: `Dockerfile ${fromStackDir(stack, build.dockerfile)} does not exist`,
          hint,
        }),
      );
    }
    return out;
  },
};
