import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { didYouMean } from '../../config/normalize.js';

export const undeclaredNetwork: Rule = {
  code: 'NET001',
  name: 'undeclared-network',
  category: 'resources',
  severity: 'error',
  summary: 'A service joins a network that is not declared under the top-level `networks:` (other than `default`)',
  leavesAlone: 'The `default` network',
  check({ stack }) {
    const out: Diagnostic[] = [];
    const declared = Object.keys(stack.networks);
    for (const service of stack.services) {
      for (const network of service.networks) {
        if (network.name === 'default' || declared.includes(network.name)) continue;
        const guess = didYouMean(network.name, declared);
        out.push(
          finding(undeclaredNetwork, {
            service: service.name,
            location: network.location,
            message: `network "${network.name}" is not declared under the top-level networks${guess ? ` — did you mean "${guess}"?` : ''}`,
            hint: guess ? `rename it to ${guess}` : `add \`networks: { ${network.name}: {} }\` at the top level`,
          }),
        );
      }
    }
    return out;
  },
};
