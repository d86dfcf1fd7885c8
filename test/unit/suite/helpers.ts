/** A tiny app on 127.0.0.1 the suite runner is tested against, and stacks pointing at it. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_THRESHOLDS, type Service, type Stack } from '../../../src/config/model.js';

export const PASSWORD = 'correct-horse-battery-9';
export const API_KEY = 'k3y-d0nt-l3ak-7f2a91';

export interface TestApp {
  server: Server;
  port: number;
  /** Tokens the app has handed out (so a test can grep for them). */
  tokens: string[];
  requests: number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function html(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(`<!DOCTYPE html><html><head><title>t</title></head><body>${text}</body></html>`);
}

export async function startApp(): Promise<TestApp> {
  const tokens: string[] = [];
  const app: Partial<TestApp> = { tokens, requests: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      app.requests = (app.requests ?? 0) + 1;
      const url = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization ?? '';
      const cookie = req.headers.cookie ?? '';
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /health') return json(res, 200, { status: 'ok', service: 'app' }, { 'x-request-id': 'req-1' });
      if (route === 'POST /auth/login') {
        const input = JSON.parse((await body(req)) || '{}') as { email?: string; password?: string };
        if (input.password !== PASSWORD) return json(res, 401, { error: 'invalid credentials' });
        const token = `tok-${Math.random().toString(36).slice(2)}-${tokens.length}`;
        tokens.push(token);
        return json(res, 200, { access_token: token, token_type: 'bearer', user: { id: 7, email: input.email }, records: [{ id: 'rec1' }, { id: 'rec2' }] });
      }
      if (route === 'GET /auth/validate') {
        const token = auth.replace(/^Bearer /, '');
        return tokens.includes(token) ? json(res, 200, { valid: true, user: { id: 7 } }) : json(res, 401, { error: 'unauthorized' });
      }
      if (route === 'GET /secure') return req.headers['x-api-key'] === API_KEY ? json(res, 200, { ok: true }) : json(res, 401, { error: 'unauthorized' });
      if (route === 'GET /broken') return json(res, 500, { error: 'boom' });
      if (route === 'GET /echo') return json(res, 500, { error: `rejected ${url.searchParams.get('value') ?? ''} and ${req.headers['x-api-key'] ?? ''}` });
      if (route === 'GET /gateway') return json(res, 502, { error: 'upstream platform-services unreachable' });
      if (route === 'GET /slow') {
        await new Promise((r) => setTimeout(r, 300));
        return json(res, 200, { slow: true });
      }
      if (route === 'GET /login') {
        return html(res, 200, '<h1>Log in</h1><form method="post" action="/login"><input name="email"><input name="password" type="password"><button type="submit">Log in</button></form>');
      }
      if (route === 'POST /login') {
        const form = new URLSearchParams(await body(req));
        if (form.get('password') !== PASSWORD) return html(res, 401, '<p class="error">Invalid credentials</p>');
        return html(res, 303, '', { location: '/dashboard', 'set-cookie': 'session=good; HttpOnly; Path=/' });
      }
      if (route === 'GET /dashboard') {
        if (!cookie.includes('session=good')) return html(res, 303, '', { location: '/login' });
        return html(res, 200, '<h1>Dashboard</h1><table id="records"><tr class="record"><td>Buy milk</td></tr><tr class="record"><td>Ship it</td></tr></table>');
      }
      return json(res, 404, { error: 'not found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(app, {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as TestApp;
}

/** A port nothing listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const NOWHERE = { file: '/t/stack.yaml', line: 1, col: 1 };

export function service(name: string, port?: number, dependsOn: string[] = []): Service {
  return {
    name,
    location: NOWHERE,
    image: `test/${name}:dev`,
    environment: {},
    environmentLocations: {},
    envFiles: [],
    ports: port === undefined ? [] : [{ hostIp: '127.0.0.1', published: port, target: 8000, protocol: 'tcp', location: NOWHERE }],
    volumes: [],
    networks: [],
    dependsOn: dependsOn.map((dep) => ({ service: dep, condition: 'ready', required: true, location: NOWHERE })),
    startTimeoutMs: 120_000,
    restart: { name: 'no' },
    restartDependents: false,
    secrets: [],
    requiresEnv: [],
    profiles: [],
  };
}

export function makeStack(dir: string, services: Service[], extra: Partial<Stack> = {}): Stack {
  return {
    name: 'suitetest',
    file: `${dir}/stack.yaml`,
    dir,
    format: 'stackctl',
    services,
    volumes: {},
    networks: {},
    thresholds: { ...DEFAULT_THRESHOLDS },
    variables: [],
    secretValues: [API_KEY],
    ...extra,
  };
}
