import path from 'node:path';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { buildFacts, fromStackDir, isInside, widenContextHint } from '../support/build.js';
import { didYouMean } from '../../config/normalize.js';

export const copySourceMissing: Rule = {
  code: 'BUILD003',
  name: 'copy-source-missing',
  category: 'build',
  severity: 'error',
  summary: 'A Dockerfile COPY/ADD source does not exist inside the build context (e.g. a shared module left outside it)',
  leavesAlone: 'URL and git sources; sources whose ARG cannot be resolved; `--from=` a stage or image',
  check({ stack, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const facts = buildFacts(service, files);
      if (!facts || !files.isDirectory(facts.build.context)) continue;
      for (const copy of facts.copies) {
        if (copy.outside || copy.matches.length > 0) continue;
        const contextLabel = copy.contextName ? `additional context "${copy.contextName}"` : `build context ${fromStackDir(stack, copy.root)}`;
        let hint: string;
        // Where does it exist, then? Beside the Dockerfile (paths are relative to the context, not the
        // Dockerfile), or outside the context (the context is too narrow)?
        const dockerfileDir = facts.build.dockerfile ? path.dirname(facts.build.dockerfile) : undefined;
        const besideDockerfile = dockerfileDir ? path.join(dockerfileDir, copy.relative) : undefined;
        const outsideCandidate = findOutside(copy.root, copy.relative, stack.dir, files);
        if (besideDockerfile && dockerfileDir !== copy.root && files.exists(besideDockerfile) && isInside(copy.root, besideDockerfile)) {
          hint = `COPY paths are relative to the context, not to the Dockerfile: write \`${copy.instruction} ${path.relative(copy.root, besideDockerfile).split(path.sep).join('/')} …\``;
        } else if (outsideCandidate) {
          hint = widenContextHint(stack, service, outsideCandidate);
        } else {
          const guess = didYouMean(copy.relative.split('/')[0]!, files.list(copy.root) ?? []);
          hint = guess
            ? `did you mean ${guess}? (${copy.instruction} sources are relative to the ${contextLabel})`
            : `create it in the ${contextLabel}, or fix the ${copy.instruction} source`;
        }
        out.push(
          finding(copySourceMissing, {
            service: service.name,
            location: copy.location,
            message: `${copy.instruction} ${copy.source}: not found in the ${contextLabel}, so the build fails (or the image misses it)`,
            hint,
          }),
        );
      }
    }
    return out;
  },
};

/** The nearest ancestor of `root` (up to the stack dir's parent) in which `relative` exists. */
function findOutside(root: string, relative: string, stackDir: string, files: { exists(p: string): boolean }): string | undefined {
  const limit = path.dirname(stackDir);
  let dir = path.dirname(root);
  const first = relative.split('/')[0]!;
  for (;;) {
    if (files.exists(path.join(dir, relative))) return path.join(dir, first);
    if (dir === limit || dir === path.dirname(dir)) return undefined;
    dir = path.dirname(dir);
  }
}
