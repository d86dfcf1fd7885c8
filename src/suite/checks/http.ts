/**
 * An HTTP check: one request through the stack's published ports, expectations on status, body,
 * JSON fields, headers and response time, then captures for later checks. Every unmet expectation is
 * listed, not only the first.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RunContext } from '../context.js';
import type { HttpCheckSpec, JsonMatcher, SuiteCheck } from '../model.js';
import { getJsonPath } from '../json-path.js';
import { excerpt, timeoutSignal, type CheckExecutor, type Outcome } from './outcome.js';
import { describeStatus, prepareRequest, sendRequest, statusMatches, targetOf } from './request.js';
import { DEFAULT_CHECK_TIMEOUT_MS, type Capture, type HttpExpectation } from '../model.js';
import { parseRequest, parseStatus, type CheckParser } from './parse-context.js';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  return excerpt(JSON.stringify(value) ?? 'undefined', 80);
}

/** An unmet matcher as text, or undefined when it holds. */
export function checkMatcher(path: string, found: boolean, actual: unknown, matcher: JsonMatcher, ctx: RunContext): string | undefined {
  if (matcher.op === 'exists') {
    if (found === matcher.value) return undefined;
    return matcher.value ? `JSON field ${path} is missing` : `JSON field ${path} is present (expected absent)`;
  }
  if (!found) return `JSON field ${path} is missing`;
  switch (matcher.op) {
    case 'equals': {
      const expected = ctx.renderDeep(matcher.value);
      const equal = typeof expected === 'string' && typeof actual !== 'string' && typeof actual !== 'object' ? String(actual) === expected : isDeepStrictEqual(actual, expected);
      return equal ? undefined : `JSON field ${path} is ${show(actual)}, expected ${show(expected)}`;
    }
    case 'matches': {
      const pattern = ctx.render(matcher.pattern);
      const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
      return new RegExp(pattern).test(text) ? undefined : `JSON field ${path} is ${show(actual)}, which does not match /${pattern}/`;
    }
    case 'type':
      return typeOf(actual) === matcher.type ? undefined : `JSON field ${path} is a ${typeOf(actual)}, expected a ${matcher.type}`;
    case 'min_length': {
      const length = Array.isArray(actual) || typeof actual === 'string' ? actual.length : undefined;
      if (length === undefined) return `JSON field ${path} is a ${typeOf(actual)}, expected a list or string`;
      return length >= matcher.value ? undefined : `JSON field ${path} has ${length} item${length === 1 ? '' : 's'}, expected at least ${matcher.value}`;
    }
    case 'gte':
      return typeof actual === 'number' && actual >= matcher.value ? undefined : `JSON field ${path} is ${show(actual)}, expected ≥ ${matcher.value}`;
    case 'lte':
      return typeof actual === 'number' && actual <= matcher.value ? undefined : `JSON field ${path} is ${show(actual)}, expected ≤ ${matcher.value}`;
  }
}

export const httpCheck: CheckExecutor<HttpCheckSpec> = {
  async run(check: SuiteCheck & { spec: HttpCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const { request: spec, expect, captures } = check.spec;
    const prepared = prepareRequest(spec, ctx);
    const outcome: Outcome = { status: 'failed', request: { method: prepared.method, url: prepared.url } };
    const target = targetOf(prepared.url);
    if (target) outcome.target = target;
    const sent = await sendRequest(prepared, spec.followRedirects, timeoutSignal(signal, check.timeoutMs));
    if (sent.latencyMs !== undefined) outcome.latencyMs = sent.latencyMs;
    if (!sent.ok || sent.status === undefined) {
      outcome.message = sent.transport === 'timeout' ? `no response within ${check.timeoutMs} ms (${prepared.method} ${prepared.url})` : (sent.error ?? 'request failed');
      if (sent.transport) outcome.transportError = sent.transport;
      return outcome;
    }
    outcome.response = { status: sent.status };
    const body = sent.body ?? '';
    const problems: string[] = [];
    if (!statusMatches(sent.status, expect.status)) {
      // The other expectations describe the expected response; judged against another, they are noise.
      outcome.message = `expected status ${describeStatus(expect.status)}, got ${sent.status}${body ? `: ${excerpt(body, 160)}` : ''}`;
      return outcome;
    }
    if (expect.body !== undefined) {
      const pattern = ctx.render(expect.body);
      if (!new RegExp(pattern).test(body)) problems.push(`body does not match /${pattern}/: ${excerpt(body, 120)}`);
    }
    for (const [name, pattern] of Object.entries(expect.headers)) {
      const value = sent.headers?.get(name);
      const regex = ctx.render(pattern);
      if (value === null || value === undefined) problems.push(`header ${name} is missing`);
      else if (!new RegExp(regex).test(value)) problems.push(`header ${name} is "${excerpt(value, 80)}", which does not match /${regex}/`);
    }
    let json: unknown;
    let jsonError: string | undefined;
    const needsJson = expect.json.length > 0 || captures.some((c) => 'json' in c.from);
    if (needsJson) {
      try {
        json = JSON.parse(body) as unknown;
      } catch {
        jsonError = `response is not JSON: ${excerpt(body, 120)}`;
      }
    }
    if (expect.json.length > 0) {
      if (jsonError) problems.push(jsonError);
      else {
        for (const { path, matchers } of expect.json) {
          const { found, value } = getJsonPath(json, path);
          if (!found && !matchers.some((m) => m.op === 'exists' && !m.value)) {
            problems.push(`JSON field ${path} is missing`);
            continue;
          }
          for (const matcher of matchers) {
            const problem = checkMatcher(path, found, value, matcher, ctx);
            if (problem) problems.push(problem);
          }
        }
      }
    }
    if (expect.maxMs !== undefined && sent.latencyMs !== undefined && sent.latencyMs > expect.maxMs) {
      problems.push(`response took ${Math.round(sent.latencyMs)} ms, limit ${expect.maxMs} ms`);
    }
    if (problems.length === 0) {
      for (const capture of captures) {
        let value: string | undefined;
        let where: string;
        if ('json' in capture.from) {
          where = `JSON field ${capture.from.json}`;
          if (!jsonError) {
            const found = getJsonPath(json, capture.from.json);
            if (found.found && found.value !== null && found.value !== undefined) value = typeof found.value === 'string' ? found.value : JSON.stringify(found.value);
          }
        } else if ('header' in capture.from) {
          where = capture.from.regex === undefined ? `header ${capture.from.header}` : `/${capture.from.regex}/ in header ${capture.from.header}`;
          const header = sent.headers?.get(capture.from.header) ?? undefined;
          value = header === undefined || capture.from.regex === undefined ? header : new RegExp(capture.from.regex).exec(header)?.[capture.from.group];
        } else {
          where = `/${capture.from.regex}/ in the body`;
          value = new RegExp(capture.from.regex).exec(body)?.[capture.from.group];
        }
        if (value === undefined) {
          problems.push(`cannot capture ${capture.name}: ${where} not found${jsonError ? ` (${jsonError})` : ''}`);
          continue;
        }
        if (capture.secret) ctx.redactor.add(value);
        ctx.captures.set(capture.name, value);
      }
    }
    if (problems.length > 0) {
      outcome.message = problems.join('; ');
      return outcome;
    }
    outcome.status = 'passed';
    return outcome;
  },
};

/** A capture name that holds a secret by its name (its value is redacted wherever it appears). */
function isSecretCaptureName(name: string): boolean {
  return /token|secret|password|passwd|jwt|session|cookie|api_?key|credential/i.test(name);
}

function jsonMatchers(value: unknown): JsonMatcher[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const m = value as Record<string, unknown>;
    const out: JsonMatcher[] = [];
    if ('equals' in m) out.push({ op: 'equals', value: m.equals });
    if (typeof m.exists === 'boolean') out.push({ op: 'exists', value: m.exists });
    if (typeof m.matches === 'string') out.push({ op: 'matches', pattern: m.matches });
    if (typeof m.type === 'string') out.push({ op: 'type', type: m.type as Extract<JsonMatcher, { op: 'type' }>['type'] });
    if (typeof m.min_length === 'number') out.push({ op: 'min_length', value: m.min_length });
    if (typeof m.gte === 'number') out.push({ op: 'gte', value: m.gte });
    if (typeof m.lte === 'number') out.push({ op: 'lte', value: m.lte });
    return out;
  }
  return [{ op: 'equals', value }];
}

/** `http:` with `expect:` and `capture:`. */
export const httpParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
  takesExpect: true,
  parse(ctx) {
    const { raw, base, problem } = ctx;
    const req = parseRequest(ctx, raw.http ?? {}, [...base, 'http']);
    const status = parseStatus(raw.expect?.status, [{ min: 200, max: 299 }]);
    if (typeof status === 'string') problem([...base, 'expect', 'status'], status, 'e.g. status: 201');
    for (const pattern of [raw.expect?.body, ...Object.values(raw.expect?.headers ?? {})]) {
      if (pattern === undefined || pattern.includes('${')) continue;
      try {
        new RegExp(pattern);
      } catch (error) {
        problem([...base, 'expect'], `invalid regular expression /${pattern}/: ${(error as Error).message}`, 'fix the pattern (JavaScript syntax)');
      }
    }
    const captures: Capture[] = [];
    for (const [name, c] of Object.entries(raw.capture ?? {})) {
      const at = [...base, 'capture', name];
      if (typeof c === 'string') {
        captures.push({ name, from: { json: c }, secret: isSecretCaptureName(name) });
        continue;
      }
      const sources = [c.json, c.header ?? c.regex].filter((x) => x !== undefined);
      if (sources.length !== 1) {
        problem(at, `capture "${name}" needs exactly one of json:, header:, regex:`, 'e.g. `token: { json: access_token }` (header: may be narrowed by regex:)');
        continue;
      }
      const group = c.regex === undefined ? 0 : (c.group ?? (/\((?!\?)/.test(c.regex) ? 1 : 0));
      const from: Capture['from'] =
        c.json !== undefined
          ? { json: c.json }
          : c.header !== undefined
            ? { header: c.header.toLowerCase(), ...(c.regex !== undefined ? { regex: c.regex } : {}), group }
            : { regex: c.regex as string, group };
      captures.push({ name, from, secret: c.secret ?? isSecretCaptureName(name) });
    }
    const provides = captures.map((capture) => capture.name);
    if (!req || typeof status === 'string') return { provides };
    const expect: HttpExpectation = {
      status,
      json: Object.entries(raw.expect?.json ?? {}).map(([path, value]) => ({ path, matchers: jsonMatchers(value) })),
      headers: Object.fromEntries(Object.entries(raw.expect?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
    if (raw.expect?.body !== undefined) expect.body = raw.expect.body;
    if (raw.expect?.max_ms !== undefined) expect.maxMs = raw.expect.max_ms;
    return { spec: { kind: 'http', request: req, expect, captures }, provides };
  },
};
