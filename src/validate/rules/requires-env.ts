import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

/** A service's `requires_env` names a variable its container will not get (or gets empty). */
export const requiresEnv: Rule = {
  code: 'ENV003',
  name: 'required-env-missing',
  category: 'env',
  severity: 'error',
  summary: 'A variable listed in `requires_env` is not passed to the container, or is empty',
  leavesAlone: 'Variables the stack does not list in `requires_env`',
  check({ stack }) {
    const out = [];
    for (const service of stack.services) {
      for (const name of service.requiresEnv) {
        const value = service.environment[name];
        if (value !== undefined && value !== '') continue;
        out.push(
          finding(requiresEnv, {
            service: service.name,
            location: service.environmentLocations[name] ?? service.location,
            message:
              value === undefined
                ? `${service.name} requires ${name} at start, but its container does not get ${name}`
                : `${service.name} requires ${name} at start, but ${name} is empty`,
            hint:
              value === undefined
                ? `add \`${name}: \${${name}}\` under services.${service.name}.environment and set ${name} in .env`
                : `set ${name} in .env (or the environment) to a non-empty value`,
          }),
        );
      }
    }
    return out;
  },
};
