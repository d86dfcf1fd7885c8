/**
 * stackctl readiness probe → compose healthcheck `test`, as commands that work inside the example
 * images (Debian bookworm; python3 in the service images, psql in postgres, redis-cli in redis).
 * Credentials are never written as values: the check reads them from the container's own
 * environment (`$$VAR` in CMD-SHELL, `os.environ` in python), or at worst from a compose-level
 * `${VAR}` reference. Pure.
 */
import type { ProbeSpec } from '../config/model.js';
import { quoteShellWord } from './shell-words.js';
import { pythonBodyChecks } from './secret-file-check.js';

export type CredentialRef =
  /** A variable of the container's environment holds it. */
  | { kind: 'container'; name: string }
  /** A compose-level `${VAR}` expression yields it. */
  | { kind: 'expression'; text: string }
  /** Not secret: may be written as it is. */
  | { kind: 'literal' };

export interface CredentialSource {
  /**
   * How to write the probe field at `field` (e.g. ['password'], ['headers', 'X-API-Key']) whose loaded
   * value is `value`; undefined when it can only be written as a secret value (refused).
   */
  credential(field: readonly string[], value: string, prefer?: RegExp): CredentialRef | undefined;
}

export type HealthcheckExport =
  | { kind: 'test'; test: string[]; note?: string }
  | { kind: 'none'; reason: string };

/** `$` → `$$`: a literal written into a compose file must survive compose's interpolation. */
export function escapeCompose(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

class Unwritable extends Error {}

export function probeToHealthcheck(probe: ProbeSpec, credentials: CredentialSource): HealthcheckExport {
  try {
    return build(probe, credentials);
  } catch (error) {
    if (error instanceof Unwritable) return { kind: 'none', reason: error.message };
    throw error;
  }
}

function build(probe: ProbeSpec, credentials: CredentialSource): HealthcheckExport {
  switch (probe.kind) {
    case 'tcp':
      // bash's /dev/tcp: no extra tool needed in any Debian image.
      return { kind: 'test', test: ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${probe.port}`] };
    case 'http':
      return { kind: 'test', test: ['CMD', 'python3', '-c', httpScript(probe, credentials)] };
    case 'postgres': {
      const password = shellValue(['password'], probe.password, 'postgres password', credentials, /PASS/);
      const user = shellValue(['user'], probe.user, 'postgres user', credentials, /USER/);
      const database = shellValue(['database'], probe.database, 'postgres database', credentials, /DB|DATABASE/);
      return {
        kind: 'test',
        // -h 127.0.0.1: a TCP login, so the password is really checked (like stackctl's probe).
        test: ['CMD-SHELL', `PGPASSWORD=${password} psql -h 127.0.0.1 -p ${probe.port} -U ${user} -d ${database} -tAc 'SELECT 1' >/dev/null`],
      };
    }
    case 'redis': {
      // An empty password still authenticates when it was written as a variable: the export must not
      // depend on whether .env exists on the machine that runs it.
      const writtenAsVariable = probe.password !== undefined && credentials.credential(['password'], probe.password, /PASS|AUTH/)?.kind !== 'literal';
      const auth =
        probe.password === undefined || (probe.password === '' && !writtenAsVariable)
          ? ''
          : `REDISCLI_AUTH=${shellValue(['password'], probe.password, 'redis password', credentials, /PASS|AUTH/)} `;
      return { kind: 'test', test: ['CMD-SHELL', `${auth}redis-cli -h 127.0.0.1 -p ${probe.port} ping | grep -q PONG`] };
    }
    case 'exec':
      if (probe.command.length === 0) throw new Unwritable('the exec probe has an empty command');
      return { kind: 'test', test: ['CMD', ...probe.command.map(escapeCompose)] };
    case 'log':
      throw new Unwritable(
        `a log probe (/${probe.pattern}/) has no compose healthcheck equivalent; dependents only wait for the container to start`,
      );
  }
}

const REFUSED = (what: string): string =>
  `the ${what} is secret and no variable of the container's environment holds it; add it to the service's environment`;

/** A shell word for `value`: `"$$VAR"` from the container's env, a quoted literal, or `"${VAR}"`. */
function shellValue(field: readonly string[], value: string, what: string, credentials: CredentialSource, prefer?: RegExp): string {
  const ref = credentials.credential(field, value, prefer);
  if (!ref) throw new Unwritable(REFUSED(what));
  if (ref.kind === 'container') return `"$$${ref.name}"`;
  if (ref.kind === 'expression') return `"${ref.text}"`;
  return escapeCompose(quoteShellWord(value));
}

function pythonValue(field: readonly string[], value: string, what: string, credentials: CredentialSource): string {
  const ref = credentials.credential(field, value);
  if (!ref) throw new Unwritable(REFUSED(what));
  if (ref.kind === 'container') return `os.environ.get(${pyString(ref.name)}, "")`;
  if (ref.kind === 'expression') return pyString(ref.text);
  return escapeCompose(pyString(value));
}

function pyString(text: string): string {
  return JSON.stringify(text);
}

function httpScript(probe: Extract<ProbeSpec, { kind: 'http' }>, credentials: CredentialSource): string {
  const headers = Object.entries(probe.headers)
    .map(([name, value]) => `${pyString(name)}: ${pythonValue(['headers', name], value, `${name} header`, credentials)}`)
    .join(', ');
  const lines = [
    'import json, os, re, sys, urllib.error, urllib.request',
    `req = urllib.request.Request(${escapeCompose(pyString(`http://127.0.0.1:${probe.port}${probe.path}`))}, method=${pyString(probe.method)}, headers={${headers}})`,
    'try:',
    '    res = urllib.request.urlopen(req, timeout=5)',
    '    status, body = res.status, res.read().decode("utf-8", "replace")',
    'except urllib.error.HTTPError as err:',
    '    status, body = err.code, err.read().decode("utf-8", "replace")',
    `ok = ${probe.status.min} <= status <= ${probe.status.max}`,
  ];
  lines.push(...pythonBodyChecks(probe, (text) => escapeCompose(pyString(text))));
  lines.push('sys.exit(0 if ok else 1)');
  return `${lines.join('\n')}\n`;
}
