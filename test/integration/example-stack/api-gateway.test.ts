/** api-gateway in front of all six real back ends (postgres and redis behind them). */
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER, docker, startStack, type Stack } from './harness.js';

let stack: Stack;
const BASE = 'appStackctlDemo';
const BACKENDS = ['platform-services', 'airtable-gateway', 'mcp-server', 'llm-orchestrator', 'automation-services', 'saga-orchestrator'];

beforeAll(async () => {
  stack = await startStack('gateway', ORDER.filter((service) => service !== 'frontend'));
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const gw = (method: string, path: string, options: Parameters<Stack['http']>[3] = {}) => stack.http('api-gateway', method, path, options);
const bearer = (token: string) => ({ apiKey: false, headers: { Authorization: `Bearer ${token}` } });

function sign(claims: Record<string, unknown>, secret: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function newUserToken(): Promise<{ token: string; userId: number; sessionId: string }> {
  const email = `gw-${randomBytes(4).toString('hex')}@example.com`;
  const reg = await gw('POST', '/api/auth/register', { json: { email, password: 'correct-horse-1' }, apiKey: false });
  expect(reg.status).toBe(201);
  const login = await gw('POST', '/api/auth/login', { json: { email, password: 'correct-horse-1' }, apiKey: false });
  expect(login.status).toBe(200);
  return { token: login.json.access_token, userId: login.json.user.id, sessionId: login.json.session_id };
}

describe('api-gateway', () => {
  it('is ready only when all six back ends answer with the API key', async () => {
    const ready = await gw('GET', '/ready', { apiKey: false });
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.json.checks).sort()).toEqual([...BACKENDS].sort());
  });

  it('aggregates /api/health of the six back ends (public)', async () => {
    const res = await gw('GET', '/api/health', { apiKey: false });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('ok');
    for (const name of BACKENDS) {
      expect(res.json.services[name].status, name).toBe('up');
      expect(typeof res.json.services[name].latency_ms).toBe('number');
    }
  });

  it('refuses a missing or wrong credential with 401, accepts the key as X-API-Key or Bearer', async () => {
    expect((await gw('GET', '/api/workflows', { apiKey: false })).status).toBe(401);
    const wrong = await gw('GET', '/api/workflows', { headers: { 'X-API-Key': 'wrong-key' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('unauthorized');
    expect((await gw('GET', '/api/workflows', bearer('wrong-key'))).status).toBe(401);
    expect((await gw('GET', '/api/workflows')).status).toBe(200);
    expect((await gw('GET', '/api/workflows', bearer(stack.apiKey))).status).toBe(200);
  });

  it('routes every prefix to its back end with the prefix stripped and the query kept', async () => {
    const bases = await gw('GET', '/api/airtable/meta/bases');
    expect(bases.json.bases.map((b: { id: string }) => b.id)).toContain(BASE);
    const page = await gw('GET', `/api/airtable/${BASE}/Tasks?pageSize=1`);
    expect(page.json.records).toHaveLength(1);
    expect(page.json.offset).toBeTruthy();
    expect((await gw('GET', '/api/mcp/tools')).json.tools.map((t: { name: string }) => t.name)).toContain('list_records');
    const rpc = await gw('POST', '/api/mcp/rpc', { json: { jsonrpc: '2.0', id: 7, method: 'tools/list' } });
    expect(rpc.json.id).toBe(7);
    const chat = await gw('POST', '/api/chat', { json: { message: 'list tables' } });
    expect(chat.json.tool_calls[0].name).toBe('list_tables');
    expect((await gw('GET', `/api/sessions/${chat.json.session_id}`)).json.messages).toHaveLength(2);
    expect((await gw('POST', '/api/workflows', { json: { name: 'via-gateway', steps: [{ tool: 'list_bases' }] } })).status).toBe(201);
    const file = await gw('POST', '/api/files?name=hello.txt', { body: 'hello' });
    expect(file.status).toBe(201);
    const download = await gw('GET', `/api/files/${file.json.id}`);
    expect(download.text).toBe('hello');
    expect(download.headers.get('content-disposition')).toContain('hello.txt');
    expect((await gw('GET', '/api/sagas?limit=1')).status).toBe(200);
    expect((await gw('GET', '/api/nowhere')).status).toBe(404);
    expect((await gw('GET', '/api/chatter')).status).toBe(404); // segment boundary, not a string prefix
  });

  it('refuses dot segments that would climb out of a prefix', async () => {
    for (const path of ['/api/airtable/../auth/sessions', '/api/airtable/%2e%2e/users/1', '/api/mcp/./tools']) {
      // fetch (and any URL string) would resolve the dots client-side: send the raw path.
      const { hostname, port } = new URL(stack.url('api-gateway'));
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ hostname, port, path, headers: { 'X-API-Key': stack.apiKey } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status, path).toBe(400);
    }
  });

  it('accepts a user JWT whose session is live; refuses bad signature, expiry and missing session', async () => {
    const { token, userId } = await newUserToken();
    expect((await gw('GET', '/api/workflows', bearer(token))).status).toBe(200);
    const validate = await gw('GET', '/api/auth/validate', bearer(token));
    expect(validate.json).toMatchObject({ valid: true, user: { id: userId } });

    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect((await gw('GET', '/api/workflows', bearer(tampered))).status).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: String(userId), email: 'x@example.com', sid: 'nope', iat: now - 100 };
    const expired = await gw('GET', '/api/workflows', bearer(sign({ ...claims, exp: now - 10 }, stack.env.JWT_SECRET!)));
    expect(expired.status).toBe(401);
    expect(expired.json.detail).toBe('token expired');
    const otherSecret = await gw('GET', '/api/workflows', bearer(sign({ ...claims, exp: now + 600 }, 'not-the-secret')));
    expect(otherSecret.json.detail).toBe('bad signature');
    // Well signed, but no such session in redis: platform-services says no.
    const noSession = await gw('GET', '/api/workflows', bearer(sign({ ...claims, exp: now + 600 }, stack.env.JWT_SECRET!)));
    expect(noSession.status).toBe(401);
    expect(noSession.json.detail).toBe('session expired or logged out');
  });

  it('caches a positive session check for at most 5 s; a logout through the gateway applies at once', async () => {
    const a = await newUserToken();
    expect((await gw('GET', '/api/workflows', bearer(a.token))).status).toBe(200);
    // Logged out behind the gateway's back: the cached check may still pass, but not after 5 s.
    const direct = await stack.http('platform-services', 'POST', '/auth/logout', bearer(a.token));
    expect(direct.status).toBe(200);
    expect((await gw('GET', '/api/workflows', bearer(a.token))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 5_300));
    expect((await gw('GET', '/api/workflows', bearer(a.token))).status).toBe(401);

    const b = await newUserToken();
    expect((await gw('GET', '/api/workflows', bearer(b.token))).status).toBe(200);
    expect((await gw('POST', '/api/auth/logout', bearer(b.token))).json).toEqual({ logged_out: true });
    expect((await gw('GET', '/api/workflows', bearer(b.token))).status).toBe(401);
  });

  it('echoes the request id and forwards it to the back end', async () => {
    const rid = `gw-test-${Date.now()}`;
    const res = await gw('GET', '/api/sagas?limit=1', { headers: { 'X-Request-Id': rid } });
    expect(res.headers.get('x-request-id')).toBe(rid);
    expect(await stack.logs('saga-orchestrator')).toContain(`"request_id":"${rid}"`);
    const generated = (await gw('GET', '/api/health', { apiKey: false })).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
  });

  it('passes the back end\'s own 413 for a file over 10 MiB', async () => {
    const res = await gw('POST', '/api/files?name=big.csv', { body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x62) });
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('file too large');
  });

  it('reports degraded within the 2 s timeouts when back ends are down or hang', async () => {
    await stack.stop('llm-orchestrator');
    await docker(['pause', stack.container('saga-orchestrator')]);
    try {
      const started = Date.now();
      const res = await gw('GET', '/api/health', { apiKey: false });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.json.status).toBe('degraded');
      expect(res.json.services['llm-orchestrator'].status).toBe('down');
      expect(res.json.services['saga-orchestrator']).toMatchObject({ status: 'down' });
      expect(res.json.services['saga-orchestrator'].latency_ms).toBeGreaterThanOrEqual(1900);
      expect(res.json.services['mcp-server'].status).toBe('up');
      expect(elapsed).toBeLessThan(3_000); // in parallel: not 2 s per back end
      const proxied = await gw('POST', '/api/chat', { json: { message: 'list tables' } });
      expect(proxied.status).toBe(502);
    } finally {
      await docker(['unpause', stack.container('saga-orchestrator')]);
      await stack.restart('llm-orchestrator');
    }
    expect((await gw('GET', '/api/health', { apiKey: false })).json.status).toBe('ok');
  });
});
