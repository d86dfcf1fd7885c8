/**
 * The last step of `export compose`: no secret value reaches the written file. Every string of the
 * document (keys are names, not values) is searched for the stack's secret values, as written and as
 * escaped for compose (`$` → `$$`); each one is replaced by a `${VAR}` reference to the variable that
 * holds it (the stack file's own reference first, else a secret-named environment key of the service),
 * so `docker compose` reads it from the .env at run time. A secret no variable holds gets a new
 * variable name and a warning saying to set it. A 12+ character fragment that is still left (a
 * shortened or re-cased copy) cannot be turned into a reference: it is reported as unexportable.
 */
import type { Stack } from '../config/model.js';
import { isSecretName, stackIdentifiers, stackRedactor } from '../config/secret-values.js';
import { escapeCompose } from './probe-to-healthcheck.js';

export interface SecretScrub {
  /** The document with references in place of secret values. */
  value: unknown;
  /** Variables the export now references and the stack file did not name (to be set in .env). */
  invented: string[];
  /** Key paths where a fragment of a secret is left that no reference can stand for. */
  unexportable: string[];
}

export function scrubSecrets(stack: Stack, doc: unknown): SecretScrub {
  const names = secretVariableNames(stack);
  const invented: string[] = [];
  const unexportable: string[] = [];
  // A secret equal to a name (a password `postgres` beside `image: postgres`) is guessable — validate
  // says so — and replacing the name would change what the file does: names stay.
  const identifiers = new Set(stackIdentifiers(stack));
  const secrets = [...stack.secretValues].filter((value) => value.length >= 3 && !identifiers.has(value)).sort((a, b) => b.length - a.length);
  const redactor = stackRedactor(stack);
  const nameOf = (value: string): string => {
    let name = names.get(value);
    if (!name) {
      name = `STACKCTL_SECRET_${names.size + 1}`;
      names.set(value, name);
      invented.push(name);
    }
    return name;
  };
  const scrub = (text: string, at: string): string => {
    let out = text;
    for (const value of secrets) {
      for (const form of new Set([escapeCompose(value), value])) {
        if (!out.includes(form)) continue;
        out = value.length >= 8 ? out.split(form).join(`\${${nameOf(value)}}`) : replaceWord(out, form, () => `\${${nameOf(value)}}`);
      }
    }
    if (out.length >= 12 && redactor.holdsSecret(out.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, ' '))) unexportable.push(at);
    return out;
  };
  const visit = (node: unknown, at: string): unknown => {
    if (typeof node === 'string') return scrub(node, at);
    if (Array.isArray(node)) return node.map((item, index) => visit(item, `${at}[${index}]`));
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, visit(item, at ? `${at}.${key}` : key)]));
    return node;
  };
  return { value: visit(doc, ''), invented, unexportable };
}

/** Replaces `word` where no letter, digit or `_` touches it. */
function replaceWord(text: string, word: string, by: () => string): string {
  let out = '';
  let cursor = 0;
  for (let index = text.indexOf(word); index >= 0; index = text.indexOf(word, index + word.length)) {
    if (/[A-Za-z0-9_]/.test(text[index - 1] ?? '') || /[A-Za-z0-9_]/.test(text[index + word.length] ?? '')) continue;
    out += text.slice(cursor, index) + by();
    cursor = index + word.length;
  }
  return out + text.slice(cursor);
}

/** Secret value → the variable that holds it: the stack file's references first, then environment keys. */
function secretVariableNames(stack: Stack): Map<string, string> {
  const names = new Map<string, string>();
  const secret = new Set(stack.secretValues);
  for (const reference of stack.variables) {
    if (reference.value !== undefined && secret.has(reference.value) && !names.has(reference.value) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(reference.name)) names.set(reference.value, reference.name);
  }
  for (const service of stack.services) {
    for (const [key, value] of Object.entries(service.environment)) {
      if (secret.has(value) && !names.has(value) && isSecretName(key, stack.secretNamePolicy)) names.set(value, key);
    }
  }
  return names;
}
