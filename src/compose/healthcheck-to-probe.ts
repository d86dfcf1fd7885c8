/**
 * Compose healthcheck → stackctl readiness probe. A recognisable check becomes the probe that proves
 * the same thing from outside the container (and authenticates where the healthcheck did not):
 *
 *   curl -f URL / wget --spider URL / python urllib.request.urlopen(URL) / httpx|requests.get(URL) → http
 *   pg_isready [-U user] [-d db] [-p port]                                    → postgres (credentials from env)
 *   redis-cli [-a pw] ping                                                    → redis (password from -a, env or --requirepass)
 *   nc -z localhost PORT                                                      → tcp
 *   anything else                                                             → exec (the command as written)
 *
 * Pure: the caller says how container variables look (`$X` after compose interpolation, `$$X` as
 * written in the file) and supplies the container environment to resolve them.
 */
import type { ProbeSpec, StatusRange } from '../config/model.js';
import { shellSplit } from '../config/normalize.js';

export type VariableSyntax = 'resolved' | 'raw';

export interface HealthcheckContext {
  /** `resolved`: container variables are `$X` (loading); `raw`: `$$X` as written in the file (import). */
  syntax: VariableSyntax;
  /** A variable of the container's environment, in the form the probe should carry. */
  containerEnv(name: string): string | undefined;
  /** The service's command words (for `redis-server --requirepass …`). */
  command?: readonly string[];
}

export type HealthcheckTranslation =
  | { kind: 'disabled' }
  | { kind: 'probe'; probe: ProbeSpec; /** how it was translated, for comments and notes */ note: string; recognised: boolean }
  | { kind: 'invalid'; message: string };

const ANY_RESPONSE: StatusRange = { min: 100, max: 599 };
const SUCCESS_OR_REDIRECT: StatusRange = { min: 200, max: 399 };

/** `test` as written: a string (= CMD-SHELL) or a list starting with NONE / CMD / CMD-SHELL. */
export function translateHealthcheck(test: unknown, ctx: HealthcheckContext): HealthcheckTranslation {
  let shell: string | undefined;
  let argv: string[] | undefined;
  if (typeof test === 'string') {
    if (test.trim() === '') return { kind: 'invalid', message: 'healthcheck test is empty' };
    shell = test;
  } else if (Array.isArray(test)) {
    if (test.some((item) => item !== null && typeof item === 'object')) return { kind: 'invalid', message: 'healthcheck test must be a list of strings' };
    const words = test.map((item) => (item === null || item === undefined ? '' : String(item)));
    const [head, ...rest] = words;
    if (head === 'NONE') return { kind: 'disabled' };
    if (head === 'CMD') {
      if (rest.length === 0) return { kind: 'invalid', message: 'healthcheck test ["CMD"] names no command' };
      argv = rest;
    } else if (head === 'CMD-SHELL') {
      if (rest.length === 0) return { kind: 'invalid', message: 'healthcheck test ["CMD-SHELL"] names no command' };
      shell = rest.join(' ');
    } else {
      return { kind: 'invalid', message: `healthcheck test must start with "CMD", "CMD-SHELL" or "NONE", not ${JSON.stringify(head ?? '')}` };
    }
  } else {
    return { kind: 'invalid', message: 'healthcheck test must be a string or a list' };
  }

  const execProbe = (): HealthcheckTranslation => ({
    kind: 'probe',
    probe: { kind: 'exec', command: argv ?? ['sh', '-c', shell ?? ''] },
    note: `kept as an exec probe (runs \`${(argv ?? [shell ?? '']).join(' ')}\` inside the container)`,
    recognised: false,
  });

  // `sh -c "…"` in CMD form is a shell command too.
  if (argv && argv.length === 3 && /^(\/bin\/|\/usr\/bin\/)?(ba)?sh$/.test(argv[0]!) && argv[1] === '-c') {
    shell = argv[2]!;
  }
  let words: string[] | undefined;
  if (shell !== undefined && (!argv || argv.length === 3)) {
    const simple = simplifyShell(shell);
    const split = simple === undefined ? undefined : shellSplit(simple);
    words = split?.ok ? split.value : undefined;
  } else {
    words = argv;
  }
  if (!words || words.length === 0) return execProbe();
  const probe = recognise(words, ctx);
  if (!probe) return execProbe();
  return { kind: 'probe', probe: probe.probe, note: probe.note, recognised: true };
}

/** Strips `|| exit 1`-style tails and `| grep PONG`; returns undefined for other compound commands. */
function simplifyShell(text: string): string | undefined {
  let s = text.trim();
  s = s.replace(/\s*;?\s*$/, '');
  s = s.replace(/\s*\|\|\s*(exit\s+1|false|exit)\s*;?$/, '');
  s = s.replace(/\s*\|\s*grep\s+(-q\s+)?['"]?PONG['"]?$/i, '');
  s = s.replace(/\s*(>|1>|2>)\s*\/dev\/null(\s+2>&1)?/g, '');
  if (/(&&|\|\||[;|`]|\$\()/.test(stripQuoted(s))) return undefined;
  return s;
}

function stripQuoted(text: string): string {
  return text.replace(/'[^']*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

interface Recognised {
  probe: ProbeSpec;
  note: string;
}

function recognise(allWords: string[], outer: HealthcheckContext): Recognised | undefined {
  const shown = allWords.join(' ');
  // `PGPASSWORD="$$POSTGRES_PASSWORD" psql …`: leading assignments are the command's own environment.
  const assigned: Record<string, string> = {};
  let start = 0;
  while (start < allWords.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(allWords[start]!)) {
    const word = allWords[start]!;
    const eq = word.indexOf('=');
    const value = expandContainerVariables(word.slice(eq + 1), outer);
    if (value === undefined) return undefined;
    assigned[word.slice(0, eq)] = value;
    start++;
  }
  const words = allWords.slice(start);
  const ctx: HealthcheckContext = { ...outer, containerEnv: (name) => assigned[name] ?? outer.containerEnv(name) };
  const program = (words[0] ?? '').split('/').pop() ?? '';
  if (program === 'exec' && words.length === 2) return recogniseDevTcp(words[1]!, shown);
  if (program === 'psql') return recognisePsql(words, ctx, shown);
  if (program === 'curl') return recogniseCurl(words, ctx, shown);
  if (program === 'wget') return recogniseWget(words, ctx, shown);
  if (/^python(\d(\.\d+)?)?$/.test(program)) return recognisePython(words, ctx, shown);
  if (program === 'pg_isready') return recognisePgIsReady(words, ctx, shown);
  if (program === 'redis-cli') return recogniseRedisCli(words, ctx, shown);
  if (program === 'nc' || program === 'netcat') return recogniseNetcat(words, ctx, shown);
  return undefined;
}

// ---------------------------------------------------------------- variables

/**
 * Expands the container variables of one word. Returns undefined when a variable has no value the
 * probe could carry (the translation then keeps the exec probe, which resolves it at run time).
 */
export function expandContainerVariables(word: string, ctx: HealthcheckContext): string | undefined {
  const pattern =
    ctx.syntax === 'raw'
      ? /\$\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g
      : /(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  let failed = false;
  const out = word.replace(pattern, (_match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = ctx.containerEnv(name);
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    failed = true;
    return '';
  });
  return failed ? undefined : out;
}

function option(words: string[], names: string[], ctx: HealthcheckContext): string | undefined | null {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    for (const name of names) {
      if (word === name && i + 1 < words.length) return expandContainerVariables(words[i + 1]!, ctx) ?? null;
      if (name.startsWith('--') && word.startsWith(`${name}=`)) return expandContainerVariables(word.slice(name.length + 1), ctx) ?? null;
      if (!name.startsWith('--') && word.startsWith(name) && word.length > name.length && !word.startsWith('--'))
        return expandContainerVariables(word.slice(name.length), ctx) ?? null;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- http

interface LocalUrl {
  port: number;
  path: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '::1']);

function localHttpUrl(text: string, ctx: HealthcheckContext): LocalUrl | undefined {
  const expanded = expandContainerVariables(text, ctx);
  if (expanded === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(expanded);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || !LOCAL_HOSTS.has(url.hostname) || url.username || url.password) return undefined;
  const port = url.port === '' ? 80 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { port, path: `${url.pathname}${url.search}` || '/' };
}

function httpProbe(url: LocalUrl, status: StatusRange, headers: Record<string, string> = {}, method = 'GET'): ProbeSpec {
  return { kind: 'http', port: url.port, path: url.path, method, headers, status };
}

const CURL_VALUE_OPTIONS = new Set([
  '-o', '--output', '-m', '--max-time', '--connect-timeout', '--retry', '--retry-delay', '--retry-max-time', '-w', '--write-out',
  '-A', '--user-agent', '-u', '--user', '-d', '--data', '--data-raw', '--data-binary', '-e', '--referer', '-b', '--cookie',
]);

function recogniseCurl(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  let url: string | undefined;
  let fail = false;
  let method = 'GET';
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-H' || word === '--header') {
      const header = words[++i];
      if (header === undefined) return undefined;
      const colon = header.indexOf(':');
      if (colon <= 0) return undefined;
      const value = expandContainerVariables(header.slice(colon + 1).trim(), ctx);
      if (value === undefined) return undefined;
      headers[header.slice(0, colon).trim()] = value;
    } else if (word === '-X' || word === '--request') {
      method = (words[++i] ?? 'GET').toUpperCase();
    } else if (word === '-I' || word === '--head') {
      method = 'HEAD';
    } else if (word === '--fail' || word === '--fail-with-body') {
      fail = true;
    } else if (/^-[a-zA-Z]+$/.test(word)) {
      if (word.includes('f')) fail = true;
      if ('omwAudeb'.includes(word.slice(-1))) i++;
    } else if (CURL_VALUE_OPTIONS.has(word)) {
      i++;
    } else if (word.startsWith('-')) {
      // flags without values (--silent, --show-error, --insecure, --location, …)
    } else if (url === undefined) {
      url = word;
    } else {
      return undefined;
    }
  }
  if (url === undefined) return undefined;
  const local = localHttpUrl(url, ctx);
  if (!local) return undefined;
  const status = fail ? SUCCESS_OR_REDIRECT_CURL : ANY_RESPONSE;
  return {
    probe: httpProbe(local, status, headers, method),
    note: `translated from \`${shown}\` (${fail ? 'status below 400' : 'any HTTP response'}, checked from the host)`,
  };
}

/** curl -f fails on >= 400 and does not follow redirects without -L: 1xx-3xx pass. */
const SUCCESS_OR_REDIRECT_CURL: StatusRange = { min: 100, max: 399 };

function recogniseWget(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  const urls = words.slice(1).filter((word) => !word.startsWith('-') && /^[a-z]+:\/\/|^\$|^localhost/.test(word));
  const valued = new Set(['-O', '--output-document', '-T', '--timeout', '-t', '--tries', '--header', '-U', '--user-agent']);
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    if (words[i] === '--header') {
      const header = words[i + 1] ?? '';
      const colon = header.indexOf(':');
      if (colon > 0) {
        const value = expandContainerVariables(header.slice(colon + 1).trim(), ctx);
        if (value === undefined) return undefined;
        headers[header.slice(0, colon).trim()] = value;
      }
    }
    if (valued.has(words[i]!)) i++;
  }
  const candidates = urls.filter((url) => !valued.has(url));
  if (candidates.length !== 1) return undefined;
  const raw = candidates[0]!;
  const local = localHttpUrl(raw.includes('://') ? raw : `http://${raw}`, ctx);
  if (!local) return undefined;
  return { probe: httpProbe(local, SUCCESS_OR_REDIRECT, headers), note: `translated from \`${shown}\` (status below 400, checked from the host)` };
}

function recognisePython(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  const c = words.indexOf('-c');
  if (c < 0 || c + 1 >= words.length) return undefined;
  const code = words[c + 1]!;
  const generated = recogniseGeneratedPython(code, ctx, shown);
  if (generated) return generated;
  const call = /(?:urllib\.request\.)?urlopen\(\s*(['"])([^'"]+)\1|(?:httpx|requests)\.get\(\s*(['"])([^'"]+)\3/.exec(code);
  if (!call) return undefined;
  const url = call[2] ?? call[4] ?? '';
  const local = localHttpUrl(url, ctx);
  if (!local) return undefined;
  let status: StatusRange;
  const equals = /status(?:_code)?\s*==\s*(\d{3})/.exec(code);
  if (equals) status = { min: Number(equals[1]), max: Number(equals[1]) };
  else if (call[2] !== undefined || /raise_for_status\(\)/.test(code)) status = SUCCESS_OR_REDIRECT;
  else if (/\.is_success|\.ok\b/.test(code)) status = { min: 200, max: 299 };
  else status = ANY_RESPONSE;
  return { probe: httpProbe(local, status), note: `translated from the python HTTP check \`${shown}\` (checked from the host)` };
}

// ---------------------------------------------------------------- databases

function recognisePgIsReady(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  const host = option(words, ['-h', '--host'], ctx);
  if (host === null || (host !== undefined && !LOCAL_HOSTS.has(host))) return undefined;
  const portText = option(words, ['-p', '--port'], ctx);
  if (portText === null) return undefined;
  const port = portText === undefined ? 5432 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const userOption = option(words, ['-U', '--username'], ctx);
  const dbOption = option(words, ['-d', '--dbname'], ctx);
  if (userOption === null || dbOption === null) return undefined;
  const user = userOption ?? ctx.containerEnv('POSTGRES_USER') ?? ctx.containerEnv('PGUSER') ?? 'postgres';
  const password = ctx.containerEnv('POSTGRES_PASSWORD') ?? ctx.containerEnv('PGPASSWORD');
  if (password === undefined || password === '') return undefined;
  const database = dbOption ?? ctx.containerEnv('POSTGRES_DB') ?? ctx.containerEnv('PGDATABASE') ?? user;
  return {
    probe: { kind: 'postgres', port, user, password, database },
    note: `translated from \`${shown}\`: stackctl logs in with POSTGRES_USER/POSTGRES_PASSWORD and runs SELECT 1 (pg_isready checks no credentials)`,
  };
}

function recogniseRedisCli(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  const args = words.slice(1);
  if (!args.some((word) => /^ping$/i.test(word))) return undefined;
  const host = option(words, ['-h'], ctx);
  if (host === null || (host !== undefined && !LOCAL_HOSTS.has(host))) return undefined;
  const portText = option(words, ['-p'], ctx);
  if (portText === null) return undefined;
  let port = portText === undefined ? 6379 : Number(portText);
  let password = option(words, ['-a', '--pass'], ctx);
  if (password === null) return undefined;
  const uri = option(words, ['-u'], ctx);
  if (uri === null) return undefined;
  if (uri !== undefined) {
    try {
      const url = new URL(uri);
      if (url.password) password = decodeURIComponent(url.password);
      if (url.port) port = Number(url.port);
    } catch {
      return undefined;
    }
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  password ??= ctx.containerEnv('REDISCLI_AUTH') ?? requirepassOf(ctx) ?? ctx.containerEnv('REDIS_PASSWORD');
  const probe: ProbeSpec = password === undefined || password === '' ? { kind: 'redis', port } : { kind: 'redis', port, password };
  return {
    probe,
    note: `translated from \`${shown}\`: stackctl sends ${probe.kind === 'redis' && probe.password !== undefined ? 'AUTH then ' : ''}PING and expects PONG`,
  };
}

function requirepassOf(ctx: HealthcheckContext): string | undefined {
  const command = ctx.command ?? [];
  const index = command.indexOf('--requirepass');
  if (index < 0 || index + 1 >= command.length) return undefined;
  return command[index + 1];
}

function recogniseNetcat(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  if (!words.some((word) => /^-[a-yA-Z]*z[a-zA-Z]*$/.test(word))) return undefined;
  const positional = words.slice(1).filter((word) => !word.startsWith('-'));
  if (positional.length !== 2) return undefined;
  const host = expandContainerVariables(positional[0]!, ctx);
  const port = Number(expandContainerVariables(positional[1]!, ctx));
  if (host === undefined || !LOCAL_HOSTS.has(host) || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { probe: { kind: 'tcp', port }, note: `translated from \`${shown}\` (a TCP connect, from the host)` };
}

/** `exec 3<>/dev/tcp/127.0.0.1/PORT` (bash): stackctl's exported tcp check. */
function recogniseDevTcp(word: string, shown: string): Recognised | undefined {
  const match = /^\d*<>\/dev\/tcp\/(127\.0\.0\.1|localhost)\/(\d{1,5})$/.exec(word);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { probe: { kind: 'tcp', port }, note: `translated from \`${shown}\` (a TCP connect, from the host)` };
}

/** `psql -h 127.0.0.1 -U user -d db -c 'SELECT 1'`: a login check, as stackctl's postgres probe does. */
function recognisePsql(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined {
  const command = option(words, ['-c', '--command', '-tAc', '-tc', '-Atc'], ctx);
  if (typeof command !== 'string' || !/^\s*select\s+1\s*;?\s*$/i.test(command)) return undefined;
  const host = option(words, ['-h', '--host'], ctx);
  if (host === null || (host !== undefined && !LOCAL_HOSTS.has(host))) return undefined;
  const portText = option(words, ['-p', '--port'], ctx);
  if (portText === null) return undefined;
  const port = portText === undefined ? 5432 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const userOption = option(words, ['-U', '--username'], ctx);
  const dbOption = option(words, ['-d', '--dbname'], ctx);
  if (userOption === null || dbOption === null) return undefined;
  const user = userOption ?? ctx.containerEnv('PGUSER') ?? ctx.containerEnv('POSTGRES_USER') ?? 'postgres';
  const password = ctx.containerEnv('PGPASSWORD') ?? ctx.containerEnv('POSTGRES_PASSWORD');
  if (password === undefined || password === '') return undefined;
  const database = dbOption ?? ctx.containerEnv('PGDATABASE') ?? ctx.containerEnv('POSTGRES_DB') ?? user;
  return { probe: { kind: 'postgres', port, user, password, database }, note: `translated from \`${shown.split(' -tAc')[0]} …\`: a postgres login + SELECT 1` };
}

/** The python check `stackctl export compose` writes (probe-to-healthcheck.ts), read back exactly. */
function recogniseGeneratedPython(code: string, ctx: HealthcheckContext, shown: string): Recognised | undefined {
  const request = /urllib\.request\.Request\(("(?:[^"\\]|\\.)*"), method=("\w+"), headers=\{(.*)\}\)/.exec(code);
  const status = /^ok = (\d{3}) <= status <= (\d{3})$/m.exec(code);
  if (!request || !status) return undefined;
  const local = localHttpUrl(JSON.parse(request[1]!) as string, { ...ctx, syntax: 'resolved', containerEnv: () => undefined });
  if (!local) return undefined;
  const headers: Record<string, string> = {};
  const headerText = request[3]!;
  for (const entry of headerText.matchAll(/("(?:[^"\\]|\\.)*"): (?:os\.environ\.get\(("(?:[^"\\]|\\.)*"), ""\)|("(?:[^"\\]|\\.)*"))/g)) {
    const name = JSON.parse(entry[1]!) as string;
    if (entry[2] !== undefined) {
      const value = ctx.containerEnv(JSON.parse(entry[2]) as string);
      if (value === undefined) return undefined;
      headers[name] = value;
    } else {
      headers[name] = JSON.parse(entry[3]!) as string;
    }
  }
  const probe: Extract<ProbeSpec, { kind: 'http' }> = {
    kind: 'http',
    port: local.port,
    path: local.path,
    method: JSON.parse(request[2]!) as string,
    headers,
    status: { min: Number(status[1]), max: Number(status[2]) },
  };
  const body = /^ok = ok and re\.search\(("(?:[^"\\]|\\.)*"), body\)/m.exec(code);
  if (body) probe.body = JSON.parse(body[1]!) as string;
  const json = /json\.loads\(("(?:[^"\\]|\\.)*")\)\.items\(\)/.exec(code);
  if (json) probe.json = JSON.parse(JSON.parse(json[1]!) as string) as Record<string, unknown>;
  void shown;
  return { probe, note: `stackctl's own exported http check (${probe.method} ${probe.path} on port ${probe.port})` };
}
