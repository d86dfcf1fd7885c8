import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

export const completedLongRunning: Rule = {
  code: 'DEP004',
  name: 'completed-never-ends',
  category: 'dependencies',
  severity: 'warning',
  summary: 'A dependency waits for a service to complete, but that service restarts always / unless-stopped, so it never completes',
  leavesAlone: 'One-shot jobs (`restart: no` / `on-failure`)',
  check({ stack, services }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const dependency of service.dependsOn) {
        if (dependency.condition !== 'completed') continue;
        const target = services.get(dependency.service);
        if (!target || (target.restart.name !== 'always' && target.restart.name !== 'unless-stopped')) continue;
        out.push(
          finding(completedLongRunning, {
            service: service.name,
            location: dependency.location,
            message: `${service.name} waits for ${target.name} to complete, but ${target.name} has restart: ${target.restart.name} and is restarted whenever it exits`,
            hint: `give ${target.name} \`restart: no\` (a one-shot job), or depend on it with \`condition: ready\``,
          }),
        );
      }
    }
    return out;
  },
};
