import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { isSecretName } from '../../config/secret-values.js';

/** `${VAR}` where VAR is set to "": an error where the value matters (secrets, commands, probes, requires_env). */
export const emptyVariable: Rule = {
  code: 'ENV002',
  name: 'empty-variable',
  category: 'env',
  severity: 'warning',
  summary:
    'A referenced variable is set but empty; an error when it is a secret, required (requires_env), or used in a command or readiness probe',
  leavesAlone: 'Variables with an operator (`${VAR:-}`); empty values written literally in the file',
  check({ stack, services }) {
    const out = [];
    const seen = new Set<string>();
    for (const ref of stack.variables) {
      if (ref.value !== '' || ref.operator !== undefined) continue;
      const key = `${ref.location.file}:${ref.location.line}:${ref.location.col}:${ref.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const service = ref.service === undefined ? undefined : services.get(ref.service);
      const part = ref.path[2];
      const critical =
        isSecretName(ref.name) ||
        (service !== undefined && (service.secrets.includes(ref.name) || service.requiresEnv.includes(ref.name))) ||
        part === 'command' ||
        part === 'entrypoint' ||
        part === 'readiness';
      out.push(
        finding(emptyVariable, {
          ...(ref.service !== undefined ? { service: ref.service } : {}),
          severity: critical ? 'error' : 'warning',
          location: ref.location,
          message: `${ref.name} is set but empty, so ${ref.expression} becomes an empty string`,
          hint: `give ${ref.name} a value in .env (or the environment)${critical ? '' : `, or write \${${ref.name}:-default}`}`,
        }),
      );
    }
    return out;
  },
};
