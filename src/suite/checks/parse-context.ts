/**
 * What a check kind's parser gets from load-suite.ts (one parser per kind, beside its runner, listed in
 * parsers.ts): the check as written, where it stands, a way to report a problem at file:line, and the
 * request and address shapes several kinds share.
 */
import type { KeyPath, YamlSource } from '../../config/yaml-source.js';
import type { CheckSpec, HttpRequestSpec, StatusExpectation } from '../model.js';
import type { CheckFile } from '../schema.js';

export interface ParseContext {
  raw: CheckFile;
  /** The check's key path in the suite file (`categories.<i>.checks.<j>`). */
  base: KeyPath;
  source: YamlSource;
  /** The suite's `defaults.headers`. */
  defaultHeaders: Readonly<Record<string, string>>;
  /** A SUITE002 problem at `path` (its key with `key`), with a hint. */
  problem(path: KeyPath, message: string, hint: string, key?: boolean): void;
}

export interface ParsedCheck {
  spec?: CheckSpec;
  /** Names this check captures (later checks' `${captures.x}` may use them). */
  provides?: string[];
}

export interface CheckParser {
  /** The timeout when neither the check nor the suite's defaults set one. */
  defaultTimeoutMs: number;
  /** The suite's `defaults.timeout` does not cut this kind below defaultTimeoutMs (slow kinds). */
  keepsDefaultAsFloor?: boolean;
  /** Does the kind take `expect:` and `capture:` (http only)? */
  takesExpect?: boolean;
  parse(ctx: ParseContext): ParsedCheck;
}

/** The check's service, or a problem saying it needs one to build `what` from. */
export function needsService(ctx: ParseContext, what: string): string | undefined {
  if (ctx.raw.service !== undefined) return ctx.raw.service;
  ctx.problem(ctx.base, `check "${ctx.raw.name}" needs a service to build its ${what} from`, `add \`service: <name>\`, or give a full ${what}`);
  return undefined;
}

export interface RequestFields {
  method?: string;
  url?: string;
  path?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  follow_redirects?: boolean;
}

/** An HTTP request as http: and load: write it: url: or path: (on the service's URL), json: or body:. */
export function parseRequest(ctx: ParseContext, fields: RequestFields, at: KeyPath): HttpRequestSpec | undefined {
  if (fields.url !== undefined && fields.path !== undefined) {
    ctx.problem([...at, 'path'], 'give url: or path:, not both', 'path: is appended to ${services.<service>.url}', true);
    return undefined;
  }
  let url = fields.url;
  if (url === undefined) {
    if (fields.path === undefined) {
      ctx.problem(at, 'no url: or path:', 'add `path: /health` (with service:) or `url: ${services.NAME.url}/health`');
      return undefined;
    }
    const service = needsService(ctx, 'URL');
    if (service === undefined) return undefined;
    url = `\${services.${service}.url}${fields.path.startsWith('/') ? '' : '/'}${fields.path}`;
  }
  if (fields.json !== undefined && fields.body !== undefined) {
    ctx.problem([...at, 'body'], 'give json: or body:, not both', 'json: sends a JSON document, body: raw text', true);
    return undefined;
  }
  const hasBody = fields.json !== undefined || fields.body !== undefined;
  const headers: Record<string, string> = { ...ctx.defaultHeaders, ...(fields.headers ?? {}) };
  const spec: HttpRequestSpec = { method: (fields.method ?? (hasBody ? 'POST' : 'GET')).toUpperCase(), url, headers, followRedirects: fields.follow_redirects ?? false };
  if (fields.json !== undefined) spec.body = { kind: 'json', value: fields.json };
  else if (fields.body !== undefined) spec.body = { kind: 'text', text: fields.body };
  return spec;
}

/** host and port as tcp:, postgres: and redis: write them; by default the service's published address. */
export function parseEndpoint(ctx: ParseContext, fields: { host?: string; port?: number | string }, what: string): { host: string; port: string } | undefined {
  if (fields.host !== undefined && typeof fields.port === 'string') return { host: fields.host, port: fields.port };
  const service = needsService(ctx, `${what} address`);
  if (service === undefined) return undefined;
  return {
    host: fields.host ?? `\${services.${service}.host}`,
    port: fields.port === undefined ? `\${services.${service}.port}` : typeof fields.port === 'number' ? `\${services.${service}.ports.${fields.port}}` : fields.port,
  };
}

/** `200`, `"2xx"`, `"200-299"` or a list of them; the message when one is not. */
export function parseStatus(spec: number | string | Array<number | string> | undefined, fallback: StatusExpectation): StatusExpectation | string {
  if (spec === undefined) return fallback;
  const items = Array.isArray(spec) ? spec : [spec];
  const out: StatusExpectation = [];
  for (const item of items) {
    const text = String(item).trim();
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/i.exec(text))) out.push({ min: Number(m[1]) * 100, max: Number(m[1]) * 100 + 99 });
    else if ((m = /^(\d{3})\s*-\s*(\d{3})$/.exec(text)) && Number(m[1]) <= Number(m[2])) out.push({ min: Number(m[1]), max: Number(m[2]) });
    else if (/^\d{3}$/.test(text)) out.push({ min: Number(text), max: Number(text) });
    else return `invalid status "${text}": use 200, "2xx", "200-299" or a list of them`;
  }
  return out;
}
