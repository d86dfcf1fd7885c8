/**
 * Every secret value a stack knows at load time, for the Redactor: the values of variables a service
 * names in `secrets`, of variables whose names say they are secret (…PASSWORD, …SECRET, …TOKEN, API_KEY,
 * …PRIVATE_KEY), passwords inside connection URLs, and probe credentials (postgres/redis passwords,
 * credential-looking HTTP headers).
 */
import type { Stack } from './model.js';

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIALS?)$|^(PGPASSWORD|AUTH_KEY)$/i;
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function collectSecretValues(stack: Stack, env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value !== undefined && value.length > 0) values.add(value);
  };
  const declared = new Set(stack.services.flatMap((service) => service.secrets));
  for (const [name, value] of Object.entries(env)) if (declared.has(name) || isSecretName(name)) add(value);
  for (const service of stack.services) {
    for (const [name, value] of Object.entries(service.environment)) {
      if (declared.has(name) || isSecretName(name)) add(value);
      for (const password of urlPasswords(value)) add(password);
    }
    const probe = service.readiness?.probe;
    if (probe?.kind === 'postgres' || probe?.kind === 'redis') add(probe.password);
    if (probe?.kind === 'http') {
      for (const [header, value] of Object.entries(probe.headers)) {
        if (CREDENTIAL_HEADER.test(header)) {
          add(value);
          const bearer = /^(?:Bearer|Basic|Token)\s+(.+)$/i.exec(value);
          if (bearer) add(bearer[1]);
        }
      }
    }
  }
  for (const reference of stack.variables) {
    if (reference.value !== undefined && (declared.has(reference.name) || isSecretName(reference.name))) add(reference.value);
  }
  return [...values];
}

/** Passwords in `scheme://user:password@host` URLs inside a value (decoded and as written). */
export function urlPasswords(value: string): string[] {
  const out: string[] = [];
  for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:([^\s@/]+)@/gi)) {
    const raw = match[1]!;
    out.push(raw);
    try {
      const decoded = decodeURIComponent(raw);
      if (decoded !== raw) out.push(decoded);
    } catch {
      // not percent-encoded
    }
  }
  return out;
}
