/**
 * COMPOSE103: a secret variable falls back to a default written in the file
 * (`${JWT_SECRET:-default-jwt-secret-change-in-production}`): everyone who can read the file can
 * forge tokens, and the stack "works" so nobody notices.
 */
import type { Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { isSecretName } from '../../config/secret-values.js';

export const composeDefaultSecret: Rule = {
  code: 'COMPOSE103',
  name: 'compose-default-secret',
  category: 'credentials',
  severity: 'warning',
  summary: 'A secret variable falls back to a default written in the file (`${JWT_SECRET:-change-me}`)',
  leavesAlone: 'Defaults that are flags or numbers (`${REQUIRE_API_KEY:-true}`), empty defaults, defaults that are other variables',
  check({ stack }) {
    const out: Diagnostic[] = [];
    const declared = new Set(stack.services.flatMap((service) => service.secrets));
    for (const reference of stack.variables) {
      if (!reference.defaulted || (reference.operator !== ':-' && reference.operator !== '-')) continue;
      if (!isSecretName(reference.name) && !declared.has(reference.name)) continue;
      const inner = reference.expression.slice(reference.expression.indexOf(reference.operator) + reference.operator.length, -1);
      // Flags and numbers (`${REQUIRE_API_KEY:-true}`) are settings, not secret values.
      if (inner === '' || /^\$\{?[A-Za-z_]/.test(inner) || /^(true|false|yes|no|on|off|\d+)$/i.test(inner)) continue;
      const diagnostic: Diagnostic = {
        code: composeDefaultSecret.code,
        severity: composeDefaultSecret.severity,
        location: reference.location,
        message: `${reference.name} is not set, so the secret falls back to the default written in the file (${reference.expression.replace(inner, '…')})`,
        hint: `remove the default (write \`\${${reference.name}:?set ${reference.name}}\`) and set ${reference.name} in .env to a random value, e.g. \`openssl rand -hex 32\``,
      };
      if (reference.service !== undefined) diagnostic.service = reference.service;
      out.push(diagnostic);
    }
    return out;
  },
};
