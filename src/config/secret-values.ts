/**
 * Every secret value a stack knows at load time, for the Redactor: the values of variables a service
 * names in `secrets`, of variables whose names say they are secret (src/secret-names.ts: the rule set
 * of secret scanners plus the stack's own `secret_names`), PEM private keys whatever holds them,
 * passwords inside connection URLs, build args with secret names, and probe credentials
 * (postgres/redis passwords, credential-looking HTTP headers). `stackRedactor(stack)` is the Redactor
 * that knows them and the stack's identifiers, which it never masks.
 */
import type { Stack } from './model.js';
import { isSecretName as isSecretNameByRules, looksLikePrivateKey, type SecretNamePolicy } from '../secret-names.js';
import { Redactor } from '../secrets.js';

const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password/i;

export type { SecretNamePolicy } from '../secret-names.js';

export function isSecretName(name: string, policy?: SecretNamePolicy): boolean {
  return isSecretNameByRules(name, policy);
}

/** The Redactor for a stack: its secret values, its name rules, and its identifiers kept readable. */
export function stackRedactor(stack: Pick<Stack, 'secretValues'> & Partial<Stack>, extra: Iterable<string> = []): Redactor {
  const policy = stack.secretNamePolicy;
  return new Redactor([...stack.secretValues, ...extra], { keep: stack.services ? stackIdentifiers(stack as Stack) : [], isSecretName: (name) => isSecretNameByRules(name, policy) });
}

/** The Redactor for a load result: the stack's when it loaded, else the secret values known so far, with the paths kept. */
export function loadResultRedactor(loaded: { stack?: Stack; secretValues?: string[] }, keep: Iterable<string> = []): Redactor {
  return loaded.stack ? stackRedactor(loaded.stack) : new Redactor(loaded.secretValues ?? [], { keep });
}

/**
 * Names and paths of a stack that output must show as they are, even when a secret equals one. The
 * engine-side names follow plan/names.ts (`<stack>-<service>`, `<stack>_<network|volume>`); config/ sits
 * below plan/, so they are spelled here rather than imported — a superset is harmless (these names are
 * only kept readable, never created).
 */
export function stackIdentifiers(stack: Stack): string[] {
  const out = new Set<string>([stack.name, stack.file, stack.dir]);
  for (const service of stack.services) {
    out.add(service.name);
    out.add(`${stack.name}-${service.name}`);
    for (const key of Object.keys(service.environment)) out.add(key);
    if (service.image) for (const part of service.image.split(/[/:@]/)) out.add(part);
    for (const network of service.networks) out.add(network.name);
  }
  for (const name of [...Object.keys(stack.networks ?? {}), ...Object.keys(stack.volumes ?? {})]) {
    out.add(name);
    out.add(`${stack.name}_${name}`);
  }
  for (const reference of stack.variables ?? []) out.add(reference.name);
  return [...out];
}

export function collectSecretValues(stack: Stack, env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value !== undefined && value.length > 0) values.add(value);
  };
  const policy = stack.secretNamePolicy;
  const declared = new Set(stack.services.flatMap((service) => service.secrets));
  const secret = (name: string, value: string | undefined): boolean =>
    declared.has(name) || isSecretName(name, policy) || (value !== undefined && looksLikePrivateKey(value));
  for (const [name, value] of Object.entries(env)) if (secret(name, value)) add(value);
  for (const service of stack.services) {
    for (const [name, value] of Object.entries(service.environment)) {
      if (secret(name, value)) add(value);
      for (const password of urlPasswords(value)) add(password);
    }
    for (const [name, value] of Object.entries(service.build?.args ?? {})) {
      if (secret(name, value)) add(value);
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
    if (reference.value !== undefined && secret(reference.name, reference.value)) add(reference.value);
  }
  return [...values];
}

/** Secret values of the variables alone (what is known when loading fails before there is a stack). */
export function secretValuesOfEnv(env: Readonly<Record<string, string | undefined>>, declared: Iterable<string> = [], policy?: SecretNamePolicy): string[] {
  const names = new Set(declared);
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && (names.has(name) || isSecretName(name, policy) || looksLikePrivateKey(value))) out.add(value);
  }
  return [...out];
}

/** Passwords in `scheme://user:password@host` URLs inside a value (decoded and as written). */
export function urlPasswords(value: string): string[] {
  const out: string[] = [];
  if (!value.includes('://')) return out;
  for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:([^@/]+)@/gi)) {
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
