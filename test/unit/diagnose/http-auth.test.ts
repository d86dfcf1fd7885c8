/**
 * An HTTP readiness probe refused with 401/403 (a wrong or missing API key / token) is its own root
 * cause, `http-auth-refused`, read from the probe's failure data: it names the header the probe sent
 * (never its value) and the variable behind it, with where the stack file writes it.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../../src/config/model.js';
import { diagnose } from '../../../src/diagnose/diagnose-service.js';
import { joinCauses } from '../../../src/diagnose/join.js';
import { loadStack } from '../../../src/load/load.js';
import { HttpProbe } from '../../../src/probes/http.js';
import { probeFailureOf, type ProbeFailure } from '../../../src/probes/probe-failure.js';
import { fakeTarget } from '../probes/fake-target.js';

const SERVICE_KEY = 'svc-key-9f8e7d6c5b4a';
const PROBE_KEY = 'probe-key-1a2b3c4d5e6f';

let server: http.Server;
let port: number;
const dirs: string[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/admin') return void response.writeHead(403).end('forbidden');
    if (request.headers['x-api-key'] !== SERVICE_KEY) return void response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid api key"}');
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function stackOf(lines: string[], env: Record<string, string>): Promise<Stack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-http-auth-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'stack.yaml'), `${lines.join('\n')}\n`);
  const loaded = await loadStack('stack.yaml', { env, cwd: dir });
  if (!loaded.stack) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.stack;
}

/** The failure the real probe reports against the test server. */
async function probeFailure(headers: Record<string, string>, urlPath = '/ready'): Promise<ProbeFailure> {
  const probe = new HttpProbe({ kind: 'http', port: 8000, path: urlPath, method: 'GET', headers, status: { min: 200, max: 200 } });
  const error = await probe.check(fakeTarget({ 8000: port }), AbortSignal.timeout(5000)).then(
    () => undefined,
    (e: unknown) => e,
  );
  const failure = probeFailureOf(error);
  if (!failure) throw new Error(`no failure data: ${String(error)}`);
  return failure;
}

const API = (probeHeader: string): string[] => [
  'name: demo',
  'services:',
  '  api:',
  '    image: demo/api:dev',
  '    ports: ["8000"]',
  '    environment:',
  '      API_KEY: ${API_KEY}',
  '    readiness:',
  `      http: { port: 8000, path: /ready, headers: { X-API-Key: "${probeHeader}" }, status: 200 }`,
  '    secrets: [API_KEY, PROBE_KEY]',
];

describe('http-auth-refused', () => {
  it('the probe records a 401 as a refused credential: the status and the header names, never the value', async () => {
    const failure = await probeFailure({ 'X-API-Key': PROBE_KEY, Accept: 'application/json' });
    expect(failure).toMatchObject({ probe: 'http', kind: 'auth', status: 401, headers: ['X-API-Key', 'Accept'], detail: '{"error":"invalid api key"}' });
    expect(JSON.stringify(failure)).not.toContain(PROBE_KEY);
    expect(await probeFailure({ 'X-API-Key': SERVICE_KEY }, '/admin')).toMatchObject({ kind: 'auth', status: 403, headers: ['X-API-Key'] });
  });

  it('a probe key from another variable than the service reads: the cause names the header, the variable and its line', async () => {
    const stack = await stackOf(API('${PROBE_KEY}'), { API_KEY: SERVICE_KEY, PROBE_KEY });
    const failure = await probeFailure({ 'X-API-Key': PROBE_KEY });
    const diagnosis = diagnose({ service: 'api', probe: { attempts: 7, lastError: failure.message, lastFailure: failure }, stack });
    expect(diagnosis.rootCause).toMatchObject({
      code: 'http-auth-refused',
      summary: '"api" refused the readiness probe\'s credential with HTTP 401 (header X-API-Key)',
      evidence: '{"error":"invalid api key"}',
    });
    expect(diagnosis.rootCause.hint).toContain("the probe's X-API-Key comes from ${PROBE_KEY} (stack.yaml:9)");
    expect(diagnosis.rootCause.hint).toContain('"api"\'s environment does not take PROBE_KEY');
    const text = JSON.stringify(diagnosis);
    expect(text).not.toContain(PROBE_KEY);
    expect(text).not.toContain(SERVICE_KEY);
  });

  it('the same variable on both sides: the service checks against another value (a stale container or a baked-in key)', async () => {
    const stack = await stackOf(API('${API_KEY}'), { API_KEY: SERVICE_KEY, PROBE_KEY });
    const diagnosis = diagnose({ service: 'api', probe: { attempts: 3, lastFailure: await probeFailure({ 'X-API-Key': PROBE_KEY }) }, stack });
    expect(diagnosis.rootCause.code).toBe('http-auth-refused');
    expect(diagnosis.rootCause.hint).toMatch(/comes from \$\{API_KEY\} \(stack\.yaml:9\); set API_KEY in \.env or the shell\. "api" reads the same variable \(stack\.yaml:7\)/);
  });

  it('an unset variable and a probe without a credential header are said as such', async () => {
    const unset = await stackOf(API('${PROBE_KEY}'), { API_KEY: SERVICE_KEY });
    const empty = diagnose({ service: 'api', probe: { attempts: 3, lastFailure: await probeFailure({ 'X-API-Key': '' }) }, stack: unset });
    expect(empty.rootCause.hint).toContain('${PROBE_KEY} (stack.yaml:9), which is unset');

    const none = diagnose({ service: 'api', probe: { attempts: 3, lastFailure: await probeFailure({}) } });
    expect(none.rootCause).toMatchObject({ code: 'http-auth-refused', summary: '"api" refused its readiness probe with HTTP 401: the probe sends no credential header' });
  });

  it('one refused key in several services is one root cause, shown once', () => {
    const cause = { code: 'http-auth-refused' as const, summary: 'refused', hint: 'h' };
    const { groups } = joinCauses([{ service: 'a', cause }, { service: 'b', cause }], []);
    expect(groups.map((g) => g.services)).toEqual([['a', 'b']]);
  });
});
