import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProbe, jsonPath, type HttpProbeSpec } from '../../../src/probes/http.js';
import { HopelessProbeError } from '../../../src/probes/probe.js';
import { Redactor } from '../../../src/secrets.js';
import { fakeTarget } from './fake-target.js';

const API_KEY = 'k3y-s3cr3t-value';
let server: http.Server;
let port: number;
const seen: Array<{ method?: string; url?: string; key?: string }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, key: request.headers['x-api-key'] as string | undefined });
    if (request.headers['x-api-key'] !== API_KEY) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    if (request.url === '/ready') {
      response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'not_ready', checks: { redis: 'NOAUTH Authentication required.' } }));
    } else if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', service: 'api', deps: [{ name: 'db', up: true }] }));
    } else if (request.url === '/text') {
      response.writeHead(200).end('all systems go');
    } else if (request.url === '/echo') {
      response.writeHead(500).end(`bad key ${String(request.headers['x-api-key'])}`);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
});

function spec(overrides: Partial<HttpProbeSpec> = {}): HttpProbeSpec {
  return { kind: 'http', port: 8000, path: '/health', method: 'GET', headers: { 'X-API-Key': API_KEY }, status: { min: 200, max: 299 }, ...overrides };
}

const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('HttpProbe', () => {
  it('passes on a status in range, sending method, path and headers', async () => {
    await new HttpProbe(spec()).check(fakeTarget({ 8000: port }), signal());
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/health', key: API_KEY });
  });

  it('describes itself with header names only', () => {
    const text = new HttpProbe(spec({ json: { status: 'ok' } })).describe(fakeTarget({ 8000: port }));
    expect(text).toBe(`HTTP GET http://127.0.0.1:${port}/health expecting 200-299, with header X-API-Key, JSON status="ok"`);
    expect(text).not.toContain(API_KEY);
  });

  it('reports the status and the body when out of range', async () => {
    await expect(new HttpProbe(spec({ path: '/ready', status: { min: 200, max: 200 } })).check(fakeTarget({ 8000: port }), signal())).rejects.toThrow(
      `GET http://127.0.0.1:${port}/ready answered 503 (expected 200): {"status":"not_ready","checks":{"redis":"NOAUTH Authentication required."}}`,
    );
    await expect(new HttpProbe(spec({ headers: {} })).check(fakeTarget({ 8000: port }), signal())).rejects.toThrow('answered 401 (expected 200-299): {"error":"unauthorized"}');
  });

  it('matches the body against a regular expression', async () => {
    await new HttpProbe(spec({ path: '/text', body: 'systems\\s+go' })).check(fakeTarget({ 8000: port }), signal());
    await expect(new HttpProbe(spec({ path: '/text', body: '^ready$' })).check(fakeTarget({ 8000: port }), signal())).rejects.toThrow(
      'answered 200 but the body does not match /^ready$/: all systems go',
    );
  });

  it('compares JSON fields by dot path', async () => {
    await new HttpProbe(spec({ json: { status: 'ok', 'deps.0.up': true, deps: [{ name: 'db', up: true }] } })).check(fakeTarget({ 8000: port }), signal());
    await expect(new HttpProbe(spec({ json: { status: 'ready' } })).check(fakeTarget({ 8000: port }), signal())).rejects.toThrow(
      'answered 200 but JSON field status is "ok", expected "ready"',
    );
    await expect(new HttpProbe(spec({ json: { 'deps.1.name': 'cache' } })).check(fakeTarget({ 8000: port }), signal())).rejects.toThrow(
      'JSON field deps.1.name is missing, expected "cache"',
    );
    await expect(new HttpProbe(spec({ path: '/text', json: { a: 1 } })).check(fakeTarget({ 8000: port }), signal())).rejects.toThrow(
      'answered 200 but the body is not JSON: all systems go',
    );
    expect(jsonPath({ a: { b: [1, { c: 2 }] } }, 'a.b.1.c')).toBe(2);
  });

  it('never lets a header value into an error, even when the server echoes it', async () => {
    const error = await new HttpProbe(spec({ path: '/echo' })).check(fakeTarget({ 8000: port }), signal()).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`GET http://127.0.0.1:${port}/echo answered 500 (expected 200-299): bad key ***`);
  });

  it('also redacts the stack secrets it is given', () => {
    const probe = new HttpProbe(spec({ path: '/?token=stack-secret-1' }), { redactor: new Redactor(['stack-secret-1']) });
    expect(probe.describe(fakeTarget({ 8000: port }))).toContain('/?token=***');
  });

  it('reports a refused connection', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as net.AddressInfo).port;
    closed.close();
    await expect(new HttpProbe(spec()).check(fakeTarget({ 8000: free }), signal())).rejects.toThrow(
      `GET http://127.0.0.1:${free}/health: connection refused (ECONNREFUSED)`,
    );
  });

  it('is hopeless when its port is not published', async () => {
    await expect(new HttpProbe(spec()).check(fakeTarget({}), signal())).rejects.toBeInstanceOf(HopelessProbeError);
    await expect(new HttpProbe(spec()).check(fakeTarget({}), signal())).rejects.toThrow(
      'container port 8000 of service "svc" is not published on 127.0.0.1: the probe cannot reach it',
    );
  });
});
