/** Sending one templated HTTP request and timing it (shared by the http and load checks). */
import type { RunContext } from '../context.js';
import type { HttpRequestSpec, StatusExpectation } from '../model.js';
import { describeError, round1, type Outcome } from './outcome.js';

export interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SentRequest {
  ok: boolean;
  status?: number;
  headers?: Headers;
  body?: string;
  /** Request sent → body read; undefined when no response came. */
  latencyMs?: number;
  error?: string;
  transport?: Outcome['transportError'];
}

export function prepareRequest(spec: HttpRequestSpec, ctx: RunContext): PreparedRequest {
  const url = ctx.render(spec.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers)) headers[name] = ctx.render(value);
  const prepared: PreparedRequest = { method: spec.method, url, headers };
  if (spec.body?.kind === 'json') {
    prepared.body = JSON.stringify(ctx.renderDeep(spec.body.value));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  } else if (spec.body?.kind === 'text') {
    prepared.body = ctx.render(spec.body.text);
  }
  return prepared;
}

export async function sendRequest(request: PreparedRequest, followRedirects: boolean, signal: AbortSignal): Promise<SentRequest> {
  const started = performance.now();
  try {
    const init: RequestInit = { method: request.method, headers: request.headers, redirect: followRedirects ? 'follow' : 'manual', signal };
    if (request.body !== undefined) init.body = request.body;
    const response = await fetch(request.url, init);
    const body = await response.text();
    return { ok: true, status: response.status, headers: response.headers, body, latencyMs: round1(performance.now() - started) };
  } catch (error) {
    const { message, transport } = describeError(error);
    const elapsed = round1(performance.now() - started);
    return { ok: false, error: message, transport, ...(transport === 'timeout' ? { latencyMs: elapsed } : {}) };
  }
}

export function statusMatches(status: number, expected: StatusExpectation): boolean {
  return expected.some((range) => status >= range.min && status <= range.max);
}

export function describeStatus(expected: StatusExpectation): string {
  const parts = expected.map((r) => (r.min === r.max ? String(r.min) : r.min % 100 === 0 && r.max === r.min + 99 ? `${r.min / 100}xx` : `${r.min}-${r.max}`));
  return parts.length === 1 ? (parts[0] as string) : `one of ${parts.join(', ')}`;
}

export function targetOf(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}
