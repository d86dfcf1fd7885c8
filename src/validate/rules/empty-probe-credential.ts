import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { isUnset } from '../support/variables.js';

const CREDENTIAL_HEADER = /auth|key|token|secret|password/i;

/** A readiness probe credential that resolves to nothing: the probe can never authenticate. */
export const emptyProbeCredential: Rule = {
  code: 'ENV004',
  name: 'empty-probe-credential',
  category: 'env',
  severity: 'error',
  summary: 'A readiness probe credential (postgres user/password, redis password, credential header) resolves to an empty value',
  leavesAlone: 'A compose healthcheck whose credential comes from an unset variable (ENV001 names that cause once)',
  check({ stack }) {
    const out = [];
    for (const service of stack.services) {
      const readiness = service.readiness;
      if (!readiness) continue;
      // A compose healthcheck's probe takes its credentials from the container's variables: when one of
      // those is an unset `${VAR}`, ENV001 already names the cause.
      if (stack.format === 'compose' && stack.variables.some((ref) => ref.service === service.name && isUnset(ref))) continue;
      const probe = readiness.probe;
      const empty: string[] = [];
      if (probe.kind === 'postgres') {
        if (probe.user === '') empty.push('user');
        if (probe.password === '') empty.push('password');
      } else if (probe.kind === 'redis') {
        if (probe.password === '') empty.push('password');
      } else if (probe.kind === 'http') {
        for (const [header, value] of Object.entries(probe.headers)) {
          if (CREDENTIAL_HEADER.test(header) && (value.trim() === '' || /^(Bearer|Basic|Token)\s*$/i.test(value.trim()))) empty.push(`header ${header}`);
        }
      }
      for (const what of empty) {
        out.push(
          finding(emptyProbeCredential, {
            service: service.name,
            location: readiness.location,
            message: `the ${probe.kind} readiness probe's ${what} is empty, so the probe cannot authenticate and ${service.name} will never be ready`,
            hint: `write the credential as a variable (e.g. \`password: \${${probe.kind === 'redis' ? 'REDIS' : probe.kind === 'postgres' ? 'POSTGRES' : 'API'}_${what === 'user' ? 'USER' : what.startsWith('header') ? 'KEY' : 'PASSWORD'}}\`) and set it in .env`,
          }),
        );
      }
    }
    return out;
  },
};
