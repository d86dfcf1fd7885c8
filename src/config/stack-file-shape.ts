/**
 * Is this file what it is named as? `-f /etc/shadow`, or a probe template pointing at a password file,
 * must not come back as one "unknown key" error per line — that would print the file. A file is taken
 * for a stack file (or template) when it is a YAML mapping with at least one of the keys such a file
 * has; otherwise one finding says it is not one and names at most its first key, shortened.
 *
 *   notAStackFile(source, knownKeys, what)  → the reason it is not one, or undefined
 */
import path from 'node:path';
import type { YamlSource } from './yaml-source.js';

/** Top-level keys of stack.yaml and of compose files (the compose specification's). */
export const STACK_FILE_KEYS = ['services', 'name', 'version', 'include', 'networks', 'volumes', 'secrets', 'configs', 'models', 'stackctl', 'thresholds', 'suite', 'env_file', 'secret_names', 'diagnose'];

const SHOWN_KEY_LENGTH = 8;

export function notAStackFile(source: YamlSource, knownKeys: readonly string[], what: string): string | undefined {
  if (source.text.trim() === '' || /^(\s*#[^\n\r]*[\r\n]*)*\s*$/.test(source.text)) return undefined;
  const known = (key: string): boolean => knownKeys.includes(key) || key.startsWith('x-');
  const shown = path.basename(source.file);
  if (!source.ok || source.value === undefined) {
    // Broken YAML: a stack file with a typo still has its keys at the start of lines.
    const keys = [...source.text.matchAll(/^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:/gm)].map((m) => m[1]!);
    return keys.some(known) ? undefined : `${shown} is not ${what} (it is not a YAML mapping of ${what} keys); its content is not shown`;
  }
  const value = source.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `${shown} is not ${what} (it is not a YAML mapping); its content is not shown`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0 || keys.some(known)) return undefined;
  const first = keys[0]!;
  const short = first.length > SHOWN_KEY_LENGTH ? `${first.slice(0, SHOWN_KEY_LENGTH)}…` : first;
  return `${shown} is not ${what}: its first key is \`${short}\` and none of its keys is one ${what} has; the rest of it is not shown`;
}
