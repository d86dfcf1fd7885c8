/**
 * stackctl readiness probe → compose healthcheck `test`, as commands that work inside the example
 * images (Debian bookworm; python3 in the service images, psql in postgres, redis-cli in redis).
 * Credentials are never written as values: the check reads them from the container's own
 * environment (`$$VAR` in CMD-SHELL, `os.environ` in python), or at worst from a compose-level
 * `${VAR}` reference. Pure.
 */
import type { ProbeSpec } from '../config/model.js';
import { quoteShellWord } from './shell-words.js';

export interface CredentialSource {
  /** Name of a variable of the container's environment whose value is exactly `value`. */
  containerVariable(value: string): string | undefined;
  /** A compose-level `${VAR}` expression that yields `value` (when the value came from one). */
  composeExpression(value: string): string | undefined;
  /** True when `value` must never be written into the file. */
  isSecret(value: string): boolean;
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
      const password = shellValue(probe.password, 'postgres password', credentials);
      const user = shellValue(probe.user, 'postgres user', credentials);
      const database = shellValue(probe.database, 'postgres database', credentials);
      return {
        kind: 'test',
        // -h 127.0.0.1: a TCP login, so the password is really checked (like stackctl's probe).
        test: ['CMD-SHELL', `PGPASSWORD=${password} psql -h 127.0.0.1 -p ${probe.port} -U ${user} -d ${database} -tAc 'SELECT 1' >/dev/null`],
      };
    }
    case 'redis': {
      const auth = probe.password === undefined || probe.password === '' ? '' : `REDISCLI_AUTH=${shellValue(probe.password, 'redis password', credentials)} `;
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

/** A shell word for `value`: `"$$VAR"` from the container's env, a quoted literal, or `"${VAR}"`. */
function shellValue(value: string, what: string, credentials: CredentialSource): string {
  const variable = credentials.containerVariable(value);
  if (variable) return `"$$${variable}"`;
  if (!credentials.isSecret(value)) return escapeCompose(quoteShellWord(value));
  const expression = credentials.composeExpression(value);
  if (expression) return `"${expression}"`;
  throw new Unwritable(`the ${what} is secret and no variable of the container's environment holds it; add it to the service's environment`);
}

function pythonValue(value: string, what: string, credentials: CredentialSource): string {
  const variable = credentials.containerVariable(value);
  if (variable) return `os.environ.get(${pyString(variable)}, "")`;
  if (!credentials.isSecret(value)) return escapeCompose(pyString(value));
  const expression = credentials.composeExpression(value);
  if (expression) return pyString(expression);
  throw new Unwritable(`the ${what} is secret and no variable of the container's environment holds it; add it to the service's environment`);
}

function pyString(text: string): string {
  return JSON.stringify(text);
}

function httpScript(probe: Extract<ProbeSpec, { kind: 'http' }>, credentials: CredentialSource): string {
  const headers = Object.entries(probe.headers)
    .map(([name, value]) => `${pyString(name)}: ${pythonValue(value, `${name} header`, credentials)}`)
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
  if (probe.body !== undefined) lines.push(`ok = ok and re.search(${escapeCompose(pyString(probe.body))}, body) is not None`);
  if (probe.json !== undefined) {
    lines.push(
      'def field(doc, path):',
      '    for part in path.split("."):',
      '        doc = doc.get(part) if isinstance(doc, dict) else None',
      '    return doc',
      'try:',
      '    doc = json.loads(body)',
      'except ValueError:',
      '    doc = None',
      `ok = ok and all(field(doc, k) == v for k, v in json.loads(${escapeCompose(pyString(JSON.stringify(probe.json)))}).items())`,
    );
  }
  lines.push('sys.exit(0 if ok else 1)');
  return `${lines.join('\n')}\n`;
}
