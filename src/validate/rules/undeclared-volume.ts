import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { didYouMean } from '../../config/normalize.js';

export const undeclaredVolume: Rule = {
  code: 'VOL001',
  name: 'undeclared-volume',
  category: 'resources',
  severity: 'error',
  summary: 'A service mounts a named volume that is not declared under the top-level `volumes:`',
  leavesAlone: 'Bind mounts, anonymous volumes, tmpfs',
  check({ stack }) {
    const out: Diagnostic[] = [];
    const declared = Object.keys(stack.volumes);
    for (const service of stack.services) {
      for (const mount of service.volumes) {
        if (mount.type !== 'volume' || mount.source === undefined || declared.includes(mount.source)) continue;
        const guess = didYouMean(mount.source, declared);
        out.push(
          finding(undeclaredVolume, {
            service: service.name,
            location: mount.location,
            message: `volume "${mount.source}" is not declared under the top-level volumes${guess ? ` — did you mean "${guess}"?` : ''}`,
            hint: guess ? `rename it to ${guess}` : `add \`volumes: { ${mount.source}: {} }\` at the top level (or write ./${mount.source} for a bind mount of a directory)`,
          }),
        );
      }
    }
    return out;
  },
};
