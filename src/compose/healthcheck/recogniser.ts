/**
 * What every healthcheck recogniser shares: the context a translation runs in, the shape of a
 * recogniser (one per tool, each in its own file, listed in registry.ts), and the helpers they read
 * words with — container variables, options, local URLs and ports.
 */
import type { ProbeSpec, StatusRange } from '../../config/model.js';

export type VariableSyntax = 'resolved' | 'raw';

export interface HealthcheckContext {
  /** `resolved`: container variables are `$X` (loading); `raw`: `$$X` as written in the file (import). */
  syntax: VariableSyntax;
  /** A variable of the container's environment, in the form the probe should carry. */
  containerEnv(name: string): string | undefined;
  /** The service's command words (for `redis-server --requirepass …`). */
  command?: readonly string[];
}

export interface Recognised {
  probe: ProbeSpec;
  /** How it was translated, for comments and notes. */
  note: string;
}

/** One tool's healthcheck, read into the probe that proves the same thing from the host. */
export interface Recogniser {
  /** The tool, as the module documents it (`curl`, `pg_isready`, …). */
  tool: string;
  /** Does this recogniser read commands of `program` (the first word's base name)? */
  handles(program: string, words: readonly string[]): boolean;
  /** The probe, or undefined when this command is not one it can translate faithfully (it stays exec). */
  recognise(words: string[], ctx: HealthcheckContext, shown: string): Recognised | undefined;
}

export const ANY_RESPONSE: StatusRange = { min: 100, max: 599 };
export const SUCCESS_OR_REDIRECT: StatusRange = { min: 200, max: 399 };
export const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '::1']);

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

/** An option's value (`-p 5432`, `-p5432`, `--port=5432`): undefined when absent, null when it cannot be expanded. */
export function option(words: string[], names: string[], ctx: HealthcheckContext): string | undefined | null {
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

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * The local host and port a client tool is pointed at with `-h`/`--host` and `-p`/`--port`
 * (or the given names): undefined when it points elsewhere or a value cannot be read.
 */
export function localPort(words: string[], ctx: HealthcheckContext, defaultPort: number, names = { host: ['-h', '--host'], port: ['-p', '--port'] }): number | undefined {
  const host = option(words, names.host, ctx);
  if (host === null || (host !== undefined && !LOCAL_HOSTS.has(host))) return undefined;
  const portText = option(words, names.port, ctx);
  if (portText === null) return undefined;
  const port = portText === undefined ? defaultPort : Number(portText);
  return isPort(port) ? port : undefined;
}

export interface LocalUrl {
  port: number;
  path: string;
}

export function localHttpUrl(text: string, ctx: HealthcheckContext): LocalUrl | undefined {
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
  if (!isPort(port)) return undefined;
  return { port, path: `${url.pathname}${url.search}` || '/' };
}

export function httpProbe(url: LocalUrl, status: StatusRange, headers: Record<string, string> = {}, method = 'GET'): ProbeSpec {
  return { kind: 'http', port: url.port, path: url.path, method, headers, status };
}

/** `Name: value` of a header option, its value's container variables expanded; undefined when unreadable. */
export function headerOf(text: string, ctx: HealthcheckContext): [string, string] | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const value = expandContainerVariables(text.slice(colon + 1).trim(), ctx);
  return value === undefined ? undefined : [text.slice(0, colon).trim(), value];
}
