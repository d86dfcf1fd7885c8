/** platform-services against real postgres and redis containers: users, sessions, JWT, credentials. */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';
import { eventuallyAnswer, pick, runVariant } from './variants.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('platform', ['postgres', 'redis', 'platform-services']);
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

function signJwt(header: object, claims: object, secret: string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  stack.http('platform-services', 'POST', path, { json, apiKey: false, headers });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function registerAndLogin(email: string, password = 'correct horse battery') {
  const registered = await post('/auth/register', { email, password, name: 'Test User' });
  expect(registered.status).toBe(201);
  const login = await post('/auth/login', { email, password });
  expect(login.status).toBe(200);
  return { user: registered.json, login: login.json, password };
}

describe('platform-services', () => {
  it('answers /health without dependencies and /ready after logging in to postgres and redis', async () => {
    const health = await stack.http('platform-services', 'GET', '/health', { apiKey: false });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', service: 'platform-services' });
    const ready = await stack.http('platform-services', 'GET', '/ready', { apiKey: false });
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('registers a user, normalising the e-mail, and stores only a salted PBKDF2 hash', async () => {
    const res = await post('/auth/register', { email: '  Alice@Example.COM ', password: 'wonderland-42', name: 'Alice' });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: expect.any(Number), email: 'alice@example.com', name: 'Alice' });
    const stored = await stack.psql(`SELECT password_hash FROM users WHERE id = ${res.json.id}`);
    expect(stored).toMatch(/^pbkdf2_sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('wonderland-42');

    const again = await post('/auth/register', { email: 'bob@example.com', password: 'wonderland-42' });
    const otherHash = await stack.psql(`SELECT password_hash FROM users WHERE id = ${again.json.id}`);
    expect(otherHash.split('$')[2]).not.toBe(stored.split('$')[2]); // per-user salt
  });

  it('refuses a duplicate e-mail (409), a short password and malformed input (400)', async () => {
    await post('/auth/register', { email: 'dup@example.com', password: 'long-enough' });
    const duplicate = await post('/auth/register', { email: 'DUP@example.com', password: 'long-enough' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error).toBe('email already registered');
    expect((await post('/auth/register', { email: 'short@example.com', password: '1234567' })).status).toBe(400);
    expect((await post('/auth/register', { email: 'not-an-email', password: 'long-enough' })).status).toBe(400);
    expect((await post('/auth/register', { password: 'long-enough' })).status).toBe(400);
    const badJson = await stack.http('platform-services', 'POST', '/auth/register', { body: '{nope', apiKey: false });
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toBe('invalid JSON body');
    expect(await stack.psql("SELECT count(*) FROM users WHERE email = 'short@example.com'")).toBe('0');
  });

  it('logs in with the right password only, issuing an HS256 JWT and a redis session with the same lifetime', async () => {
    await post('/auth/register', { email: 'carol@example.com', password: 'carol-password' });
    expect((await post('/auth/login', { email: 'carol@example.com', password: 'carol-passwore' })).status).toBe(401);
    expect((await post('/auth/login', { email: 'nobody@example.com', password: 'carol-password' })).status).toBe(401);

    const res = await post('/auth/login', { email: 'CAROL@example.com', password: 'carol-password' });
    expect(res.status).toBe(200);
    const { access_token: token, token_type, expires_in, session_id, user } = res.json;
    expect(token_type).toBe('bearer');
    expect(user.email).toBe('carol@example.com');

    const [header, payload, signature] = token.split('.');
    expect(decodePart(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodePart(payload);
    expect(claims).toMatchObject({ sub: String(user.id), email: 'carol@example.com', sid: session_id });
    expect(claims.exp - claims.iat).toBe(expires_in);
    const expected = createHmac('sha256', stack.env.JWT_SECRET!).update(`${header}.${payload}`).digest('base64url');
    expect(signature).toBe(expected);

    const ttl = Number(await stack.redisCli('TTL', `session:${session_id}`));
    expect(ttl).toBeGreaterThan(expires_in - 10);
    expect(ttl).toBeLessThanOrEqual(expires_in);
  });

  it('validates a token only while its signature, expiry and session all hold', async () => {
    const { login, user } = await registerAndLogin('dave@example.com');
    const ok = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false, headers: bearer(login.access_token) });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ valid: true, user: { id: user.id, email: 'dave@example.com' }, session_id: login.session_id });

    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: String(user.id), email: 'dave@example.com', sid: login.session_id, iat: now - 100 };
    const forged = signJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now + 600 }, 'not-the-secret');
    const expired = signJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 1 }, stack.env.JWT_SECRET!);
    const unsigned = `${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify({ ...claims, exp: now + 600 }))}.`;
    const otherUser = signJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: '999999', exp: now + 600 }, stack.env.JWT_SECRET!);
    const [h, p, s] = login.access_token.split('.');
    const tampered = `${h}.${b64url(JSON.stringify({ ...decodePart(p), sub: '1' }))}.${s}`;

    for (const [token, reason] of [
      [forged, 'bad signature'],
      [expired, 'token expired'],
      [unsigned, 'unsupported algorithm'],
      [tampered, 'bad signature'],
      [otherUser, 'session expired or logged out'],
    ] as const) {
      const res = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false, headers: bearer(token) });
      expect(res.status, reason).toBe(401);
      expect(res.json).toEqual({ error: 'unauthorized', detail: reason });
    }
    const none = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false });
    expect(none.status).toBe(401);
  });

  it('lists the user\'s sessions and logs one out: validate then fails and the redis key is gone', async () => {
    const { login } = await registerAndLogin('erin@example.com', 'erin-password');
    const second = await post('/auth/login', { email: 'erin@example.com', password: 'erin-password' });
    const sessions = await stack.http('platform-services', 'GET', '/auth/sessions', { apiKey: false, headers: bearer(login.access_token) });
    expect(sessions.status).toBe(200);
    const ids = sessions.json.sessions.map((s: { session_id: string }) => s.session_id).sort();
    expect(ids).toEqual([login.session_id, second.json.session_id].sort());
    for (const s of sessions.json.sessions) expect(s.ttl).toBeGreaterThan(0);

    const out = await post('/auth/logout', {}, bearer(login.access_token));
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ logged_out: true });
    expect(await stack.redisCli('EXISTS', `session:${login.session_id}`)).toBe('0');
    const after = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false, headers: bearer(login.access_token) });
    expect(after.status).toBe(401);
    const stillIn = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false, headers: bearer(second.json.access_token) });
    expect(stillIn.status).toBe(200);
  });

  it('serves /users/{id} only with the API key; DELETE removes the user and ends their sessions', async () => {
    const { user, login } = await registerAndLogin('frank@example.com');
    const path = `/users/${user.id}`;
    expect((await stack.http('platform-services', 'GET', path, { apiKey: false })).status).toBe(401);
    expect((await stack.http('platform-services', 'GET', path, { headers: { 'X-API-Key': 'wrong-key' } })).status).toBe(401);
    const viaBearer = await stack.http('platform-services', 'GET', path, { headers: { Authorization: `Bearer ${stack.apiKey}` } });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.json).toMatchObject({ id: user.id, email: 'frank@example.com', name: 'Test User' });
    expect(viaBearer.json).not.toHaveProperty('password_hash');

    const deleted = await stack.http('platform-services', 'DELETE', path);
    expect(deleted.json).toEqual({ id: user.id, deleted: true });
    expect((await stack.http('platform-services', 'GET', path)).status).toBe(404);
    expect((await stack.http('platform-services', 'DELETE', path)).status).toBe(404);
    expect(await stack.redisCli('EXISTS', `session:${login.session_id}`)).toBe('0');
    expect((await stack.http('platform-services', 'GET', '/users/abc')).status).toBe(400);
  });

  it('echoes X-Request-Id and logs each request as JSON with method, path, status and duration', async () => {
    const res = await stack.http('platform-services', 'GET', '/users/424242', { headers: { 'X-Request-Id': 'it-platform-rid-1' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('it-platform-rid-1');
    const generated = await stack.http('platform-services', 'GET', '/health', { apiKey: false });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);

    const lines = (await stack.logs('platform-services')).split('\n').filter((l) => l.startsWith('{'));
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.request_id === 'it-platform-rid-1');
    expect(line).toMatchObject({ level: 'info', service: 'platform-services', msg: 'request', method: 'GET', path: '/users/424242', status: 404 });
    expect(line.duration_ms).toEqual(expect.any(Number));
    expect(Date.parse(line.ts)).not.toBeNaN();
  });

  it('never writes a secret or a user password to its log', async () => {
    const logs = await stack.logs('platform-services');
    expect(logs.length).toBeGreaterThan(1000);
    for (const name of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'API_KEY', 'JWT_SECRET']) {
      expect(logs, name).not.toContain(stack.env[name]!);
    }
    for (const password of ['wonderland-42', 'carol-password', 'correct horse battery']) expect(logs).not.toContain(password);
  });

  it('is not ready, and says why, when its REDIS_URL has a wrong password or none', async () => {
    const env = { ...pick(stack.env, ['DATABASE_URL', 'API_KEY', 'JWT_SECRET']) };
    const wrong = await runVariant(stack, 'platform-services', 'wrongpass', { ...env, REDIS_URL: 'redis://:not-the-password@redis:6379/0' }, 8007);
    const none = await runVariant(stack, 'platform-services', 'nopass', { ...env, REDIS_URL: 'redis://redis:6379/0' }, 8007);
    const wrongReady = await eventuallyAnswer(() => wrong.get('/ready'));
    expect(wrongReady.status).toBe(503);
    expect(wrongReady.json.status).toBe('not_ready');
    expect(wrongReady.json.checks.postgres).toBe('ok');
    expect(wrongReady.json.checks.redis).toMatch(/WRONGPASS/);
    const noneReady = await eventuallyAnswer(() => none.get('/ready'));
    expect(noneReady.status).toBe(503);
    expect(noneReady.json.checks.redis).toMatch(/Authentication required/);

    await stack.http('platform-services', 'POST', '/auth/register', { json: { email: 'gina@example.com', password: 'gina-password' }, apiKey: false });
    const login = await wrong.request('POST', '/auth/login', { json: { email: 'gina@example.com', password: 'gina-password' } });
    expect(login.status).toBe(503);
    expect(login.json.error).toBe('redis unavailable');
    const logs = await wrong.logs();
    expect(logs).toContain('"msg":"not ready"');
    expect(logs).not.toContain('not-the-password');
  });

  it('exits 1 at start when postgres refuses its password, without printing the password', async () => {
    const url = `postgresql://${stack.env.POSTGRES_USER}:wrong-db-password@postgres:5432/${stack.env.POSTGRES_DB}`;
    const variant = await runVariant(stack, 'platform-services', 'wrongdb', {
      ...pick(stack.env, ['REDIS_URL', 'API_KEY', 'JWT_SECRET']),
      DATABASE_URL: url,
    });
    expect(await variant.exitCode()).toBe(1);
    const logs = await variant.logs();
    expect(logs).toContain(`password authentication failed for user`);
    expect(logs).not.toContain('wrong-db-password');
  });

  it('exits 1 with one line naming every missing variable', async () => {
    const variant = await runVariant(stack, 'platform-services', 'noenv', { API_KEY: stack.apiKey, DATABASE_URL: '' });
    expect(await variant.exitCode()).toBe(1);
    expect((await variant.logs()).trim()).toBe(
      'platform-services: cannot start: missing required environment variables: DATABASE_URL, REDIS_URL, JWT_SECRET',
    );
  });
});
