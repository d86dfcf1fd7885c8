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
  /**
   * Each variable the document now references in place of a secret, with the value it stands for: what
   * the .env given to docker compose must set. In memory only: stackctl never prints or writes it.
   */
  references: Map<string, string>;
}

/** The secret values an export must not write: names the stack uses are not (they are guessable, and said so). */
function exportedSecrets(stack: Stack): string[] {
  const identifiers = new Set(stackIdentifiers(stack));
  return [...stack.secretValues].filter((value) => value.length >= 3 && !identifiers.has(value)).sort((a, b) => b.length - a.length);
}

/** Whether `text` holds `value` as the export would replace it (a short value only as a whole word). */
function holdsValue(text: string, value: string): boolean {
  if (!text.includes(value)) return false;
  return value.length >= 8 || replaceWord(text, value, () => '') !== text;
}

/** Whether a value carried as written (x-compose) holds one of the stack's secret values outside a `${…}` reference. */
export function holdsSecretValue(stack: Stack, value: unknown): boolean {
  const text = (JSON.stringify(value) ?? '').replace(/\$\{[^}]*\}/g, '');
  return exportedSecrets(stack).some((secret) => holdsValue(text, secret) || holdsValue(text, escapeCompose(secret)));
}

export function scrubSecrets(stack: Stack, doc: unknown): SecretScrub {
  const names = secretVariableNames(stack);
  const invented: string[] = [];
  const unexportable: string[] = [];
  const references = new Map<string, string>();
  // A secret equal to a name (a password `postgres` beside `image: postgres`) is guessable — validate
  // says so — and replacing the name would change what the file does: names stay.
  const secrets = exportedSecrets(stack);
  const redactor = stackRedactor(stack);
  const nameOf = (value: string): string => {
    let name = names.get(value);
    if (!name) {
      name = `STACKCTL_SECRET_${names.size + 1}`;
      names.set(value, name);
      invented.push(name);
    }
    references.set(name, value);
    return name;
  };
  const scrub = (text: string, at: string): string => {
    // `${NAME:-secret}`: the default is a secret written in the file; `${NAME}` stands for it, and NAME
    // must be set (compose 1.29 cannot nest a reference in a default).
    let out = text.replace(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=])([^${}]*)\}/g, (expression, name: string, _operator: string, fallback: string) => {
      if (!secrets.some((value) => holdsValue(fallback, value) || holdsValue(fallback, escapeCompose(value)))) return expression;
      const value = fallback.replace(/\$\$/g, '$');
      const bound = [...names].find(([, other]) => other === name)?.[0] ?? references.get(name);
      if (bound !== undefined && bound !== value) return `\${${nameOf(value)}}`;
      references.set(name, value);
      if (!invented.includes(name)) invented.push(name);
      return `\${${name}}`;
    });
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
  return { value: visit(doc, ''), invented, unexportable, references };
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
      if (secret.has(value) && !names.has(value) && isSecretName(key, stack.secretNamePolicy) && !variableHoldsOther(stack, key, value)) names.set(value, key);
    }
  }
  return names;
}

/**
 * Whether the stack references `${name}` as a variable with another value than `value` (or unset): then
 * an environment key of that name cannot stand for `value` in the export, or one .env would have to give
 * it two values.
 */
export function variableHoldsOther(stack: Stack, name: string, value: string): boolean {
  return stack.variables.some((reference) => reference.name === name && reference.value !== value);
}
