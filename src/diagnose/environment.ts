/**
 * A container's environment as diagnose may show it: values of secret-looking names (the project's
 * isSecretName) become ***, passwords inside URLs too — for any stack, also one stackctl did not
 * load (so it knows no secret values). The values taken out feed the Redactor, so the same secret
 * cannot leak through a log line either.
 */
import { isSecretName, urlPasswords } from '../config/secret-values.js';
import { REDACTED } from '../secrets.js';

export interface EnvEntry {
  name: string;
  value: string;
}

/** Variables every image sets and nobody needs to read at 3 a.m. */
const NOISE = new Set(['PATH', 'HOSTNAME', 'HOME', 'TERM', 'LANG', 'GPG_KEY', 'PYTHONUNBUFFERED', 'DEBIAN_FRONTEND']);

export function secretValuesOf(env: readonly EnvEntry[]): string[] {
  const out: string[] = [];
  for (const { name, value } of env) {
    if (value === '') continue;
    if (isSecretName(name)) out.push(value);
    out.push(...urlPasswords(value));
  }
  return out;
}

export function redactEnvironment(env: readonly EnvEntry[]): EnvEntry[] {
  return env
    .filter(({ name }) => !NOISE.has(name))
    .map(({ name, value }) => {
      if (isSecretName(name) && value !== '') return { name, value: REDACTED };
      let shown = value;
      for (const password of urlPasswords(value)) shown = shown.split(`:${password}@`).join(`:${REDACTED}@`);
      return { name, value: shown };
    });
}
