/**
 * The stack's secrets as named keys, and each service's environment split by what it may show:
 * a plain value (a ConfigMap, a compose `environment:`), a secret key (a Secret, a Docker secret), or a
 * value composed from secret keys (`postgresql://app:$(POSTGRES_PASSWORD)@postgres:5432/app`), so a
 * target engine's manifests hold the secrets' names and never their values. Pure.
 *
 * The keys are the stack's secret variables (named in a service's `secrets:` or named like a secret:
 * …PASSWORD, …API_KEY, …) with the values they had at load time, plus environment entries that are
 * secret but were written as literals (compose files often do). A secret value that appears inside
 * another value is replaced by a reference to its key.
 */
import { isSecretName } from './secret-values.js';
import type { Service, Stack } from './model.js';

export type EnvSource =
  | { kind: 'plain'; value: string }
  | { kind: 'secret'; key: string }
  /** `parts` joined: literal text and secret keys, in order. */
  | { kind: 'composed'; parts: Array<{ text: string } | { key: string }> };

export interface StackSecrets {
  /** Secret key → its value at load time ('' when unknown, e.g. no .env). Sorted by key. */
  keys: Map<string, string>;
  /** service → environment variable → where its value comes from. */
  environment: Map<string, Map<string, EnvSource>>;
  /** Finds the key holding a secret value (undefined when none does). */
  keyForValue(value: string, prefer?: RegExp): string | undefined;
  /** `value` cut at every secret key's value (a command line holding a password). */
  split(value: string): Array<{ text: string } | { key: string }>;
}

/** Characters a Kubernetes Secret key / Docker secret name may hold. */
const KEY_CHARS = /[^-._a-zA-Z0-9]/g;

export function stackSecrets(stack: Stack): StackSecrets {
  const declared = new Set(stack.services.flatMap((service) => service.secrets));
  const secretName = (name: string): boolean => declared.has(name) || isSecretName(name);
  const keys = new Map<string, string>();
  for (const reference of stack.variables) {
    if (!secretName(reference.name)) continue;
    const value = reference.value ?? (reference.defaulted ? defaultOf(reference.expression) : undefined) ?? '';
    if (!keys.has(reference.name) || (keys.get(reference.name) === '' && value !== '')) keys.set(reference.name, value);
  }
  for (const name of declared) if (!keys.has(name)) keys.set(name, variableValue(stack, name) ?? '');

  const keyForValue = (value: string, prefer?: RegExp): string | undefined => {
    if (value === '') return undefined;
    const candidates = [...keys].filter(([, v]) => v === value).map(([k]) => k);
    return (prefer ? candidates.find((k) => prefer.test(k)) : undefined) ?? candidates[0];
  };

  const environment = new Map<string, Map<string, EnvSource>>();
  for (const service of stack.services) {
    const out = new Map<string, EnvSource>();
    for (const [name, value] of Object.entries(service.environment)) {
      if (secretName(name)) {
        out.set(name, { kind: 'secret', key: keyForValue(value, new RegExp(`^${escapeRegExp(name)}$`)) ?? literalKey(keys, service, name, value) });
        continue;
      }
      const parts = splitBySecrets(value, keys);
      if (parts.some((part) => 'key' in part)) {
        out.set(name, { kind: 'composed', parts });
        continue;
      }
      const leaked = stack.secretValues.some((secret) => secret.length > 0 && value.includes(secret));
      out.set(name, leaked ? { kind: 'secret', key: literalKey(keys, service, name, value) } : { kind: 'plain', value });
    }
    environment.set(service.name, out);
  }
  const sorted = new Map([...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  keys.clear();
  for (const [k, v] of sorted) keys.set(k, v);
  return { keys, environment, keyForValue, split: (value) => splitBySecrets(value, keys) };
}

/** The default of `${VAR:-default}` / `${VAR-default}`, the value a defaulted reference took. */
function defaultOf(expression: string): string | undefined {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}$/.exec(expression)?.[1];
}

function variableValue(stack: Stack, name: string): string | undefined {
  return stack.variables.find((reference) => reference.name === name && reference.value !== undefined)?.value;
}

/** A key for a secret written as a literal: its variable name, or `<service>.<name>` when taken. */
function literalKey(keys: Map<string, string>, service: Service, name: string, value: string): string {
  const plain = name.replace(KEY_CHARS, '_');
  for (const candidate of [plain, `${service.name}.${plain}`.replace(KEY_CHARS, '_')]) {
    const existing = keys.get(candidate);
    if (existing === undefined || existing === value || existing === '') {
      keys.set(candidate, value);
      return candidate;
    }
  }
  let n = 2;
  while (keys.has(`${service.name}.${plain}.${n}`)) n += 1;
  keys.set(`${service.name}.${plain}.${n}`, value);
  return `${service.name}.${plain}.${n}`;
}

/** Splits `value` at every occurrence of a key's (non-empty) value; longest values first. */
function splitBySecrets(value: string, keys: Map<string, string>): Array<{ text: string } | { key: string }> {
  const secrets = [...keys].filter(([, v]) => v.length >= 4).sort(([, a], [, b]) => b.length - a.length);
  let parts: Array<{ text: string } | { key: string }> = [{ text: value }];
  for (const [key, secret] of secrets) {
    parts = parts.flatMap((part) => {
      if (!('text' in part) || !part.text.includes(secret)) return [part];
      const pieces = part.text.split(secret);
      return pieces.flatMap((piece, index) => (index === 0 ? [{ text: piece }] : [{ key }, { text: piece }])).filter((p) => !('text' in p) || p.text !== '');
    });
  }
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
