/**
 * stackctl readiness probe → an argv that proves the same thing from inside a container, with every
 * secret credential read from a mounted secret file (Kubernetes Secret volume, Docker secret under
 * /run/secrets) and never written into the command: postgres login + `SELECT 1` (psql), redis
 * AUTH + PING (redis-cli), HTTP with the API key header (python3), tcp through bash's /dev/tcp.
 *
 * The same argv serves two places: the service's own check (host 127.0.0.1: a readinessProbe, a Swarm
 * healthcheck) and a dependant's wait for it (host = the dependency's service name: an init container,
 * an entrypoint wait). It runs in the dependency's own image, which has the tools its own check needs.
 * Pure.
 */
import type { ProbeSpec } from '../config/model.js';
import { quoteShellWord } from './shell-words.js';

/** Where one probe field's value comes from. */
export type CheckCredential =
  /** A secret file holds it (absolute path inside the container). */
  | { kind: 'file'; path: string }
  /** Not secret: written as it is. */
  | { kind: 'literal' };

export interface CheckCredentials {
  /**
   * How to obtain the probe field at `field` (['password'], ['headers', 'X-API-Key'], ['user']) whose
   * value is `value`; undefined when it is secret and no secret file holds it (the check is refused).
   */
  credential(field: readonly string[], value: string): CheckCredential | undefined;
}

export type SecretFileCheck =
  | { kind: 'argv'; argv: string[]; files: string[] }
  | { kind: 'none'; reason: string };

class Refused extends Error {}

/** The check for `probe` against `host` (127.0.0.1 for the service itself). */
export function secretFileCheck(probe: ProbeSpec, host: string, credentials: CheckCredentials): SecretFileCheck {
  const files: string[] = [];
  const shellValue = (field: readonly string[], value: string, what: string): string => {
    const credential = credentials.credential(field, value);
    if (!credential) throw new Refused(`the ${what} is secret and no secret holds it`);
    if (credential.kind === 'literal') return quoteShellWord(value);
    files.push(credential.path);
    return `"$(cat ${quoteShellWord(credential.path)})"`;
  };
  try {
    switch (probe.kind) {
      case 'tcp':
        return { kind: 'argv', argv: ['bash', '-c', `exec 3<>/dev/tcp/${host}/${probe.port}`], files };
      case 'postgres': {
        const password = shellValue(['password'], probe.password, 'postgres password');
        const user = shellValue(['user'], probe.user, 'postgres user');
        const database = shellValue(['database'], probe.database, 'postgres database');
        // -h: a TCP login, so the password is really checked (like stackctl's own probe).
        const script = `PGPASSWORD=${password} psql -h ${host} -p ${probe.port} -U ${user} -d ${database} -tAc 'SELECT 1' >/dev/null`;
        return { kind: 'argv', argv: ['sh', '-c', script], files };
      }
      case 'redis': {
        const auth = probe.password === undefined || probe.password === '' ? '' : `REDISCLI_AUTH=${shellValue(['password'], probe.password, 'redis password')} `;
        return { kind: 'argv', argv: ['sh', '-c', `${auth}redis-cli -h ${host} -p ${probe.port} ping | grep -q PONG`], files };
      }
      case 'http':
        return { kind: 'argv', argv: ['python3', '-c', httpScript(probe, host, credentials, files)], files };
      case 'exec':
        if (probe.command.length === 0) return { kind: 'none', reason: 'the exec probe has an empty command' };
        if (host !== '127.0.0.1') return { kind: 'none', reason: 'an exec probe runs inside its own container and cannot be run from another one' };
        return { kind: 'argv', argv: probe.command, files };
      case 'log':
        return { kind: 'none', reason: `a log probe (/${probe.pattern}/) watches the container's output, which no check inside a container can read` };
    }
  } catch (error) {
    if (error instanceof Refused) return { kind: 'none', reason: error.message };
    throw error;
  }
}

/** A wait until the dependency's port accepts connections (for `started` edges and probe-less services). */
export function tcpWait(host: string, port: number): string[] {
  return ['bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`];
}

/** `until <check>; do sleep; done` around a check argv, for an init container or an entrypoint wait. */
export function waitLoop(dependency: string, check: readonly string[], intervalSeconds = 2): string[] {
  const script = `until "$@" 2>/dev/null; do echo "waiting for ${dependency}"; sleep ${intervalSeconds}; done; echo "${dependency} is ready"`;
  return ['sh', '-c', script, `wait-for-${dependency}`, ...check];
}

function py(text: string): string {
  return JSON.stringify(text);
}

function httpScript(probe: Extract<ProbeSpec, { kind: 'http' }>, host: string, credentials: CheckCredentials, files: string[]): string {
  const headers = Object.entries(probe.headers)
    .map(([name, value]) => {
      const credential = credentials.credential(['headers', name], value);
      if (!credential) throw new Refused(`the ${name} header is secret and no secret holds it`);
      if (credential.kind === 'literal') return `${py(name)}: ${py(value)}`;
      files.push(credential.path);
      return `${py(name)}: open(${py(credential.path)}).read().strip()`;
    })
    .join(', ');
  const lines = [
    'import json, re, sys, urllib.error, urllib.request',
    `req = urllib.request.Request(${py(`http://${host}:${probe.port}${probe.path}`)}, method=${py(probe.method)}, headers={${headers}})`,
    'try:',
    '    res = urllib.request.urlopen(req, timeout=5)',
    '    status, body = res.status, res.read().decode("utf-8", "replace")',
    'except urllib.error.HTTPError as err:',
    '    status, body = err.code, err.read().decode("utf-8", "replace")',
    'except OSError:',
    '    sys.exit(1)',
    `ok = ${probe.status.min} <= status <= ${probe.status.max}`,
  ];
  lines.push(...pythonBodyChecks(probe, py), 'sys.exit(0 if ok else 1)');
  return `${lines.join('\n')}\n`;
}

/**
 * Python lines that narrow `ok` by the probe's body pattern and JSON fields (`body` holds the response);
 * `literal` writes a Python string literal (escaped for where the script goes).
 */
export function pythonBodyChecks(probe: Extract<ProbeSpec, { kind: 'http' }>, literal: (text: string) => string): string[] {
  const lines: string[] = [];
  if (probe.body !== undefined) lines.push(`ok = ok and re.search(${literal(probe.body)}, body) is not None`);
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
      `ok = ok and all(field(doc, k) == v for k, v in json.loads(${literal(JSON.stringify(probe.json))}).items())`,
    );
  }
  return lines;
}
