/** frontend over the whole ten-service stack: pages, cookie login, dashboard data, escaping. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER, startStack, type Stack } from './harness.js';

let stack: Stack;
const BASE = 'appStackctlDemo';
const PASSWORD = 'correct-horse-1';

beforeAll(async () => {
  stack = await startStack('frontend', ORDER);
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const form = (fields: Record<string, string>) => ({
  apiKey: false,
  body: new URLSearchParams(fields).toString(),
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});
const page = (method: string, path: string, options: Parameters<Stack['http']>[3] = {}) =>
  stack.http('frontend', method, path, { apiKey: false, ...options });
const withCookie = (token: string) => ({ headers: { Cookie: `session=${token}` } });

async function registerAndLogin(): Promise<{ email: string; token: string; setCookie: string }> {
  const email = `fe-${randomBytes(4).toString('hex')}@example.com`;
  const reg = await page('POST', '/register', form({ email, password: PASSWORD, name: 'Fe' }));
  expect(reg.status).toBe(303);
  expect(reg.headers.get('location')).toBe('/login?registered=1');
  const login = await page('POST', '/login', form({ email, password: PASSWORD }));
  expect(login.status).toBe(303);
  expect(login.headers.get('location')).toBe('/dashboard');
  const setCookie = login.headers.get('set-cookie') ?? '';
  const token = /^session=([^;]+)/.exec(setCookie)?.[1] ?? '';
  return { email, token, setCookie };
}

describe('frontend', () => {
  it('is ready through api-gateway, and its /api/health reports the gateway', async () => {
    expect((await page('GET', '/ready')).status).toBe(200);
    const health = await page('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
    expect(health.json.gateway.status).toBe('ok');
    expect(Object.keys(health.json.gateway.services)).toHaveLength(6);
  });

  it('redirects / to /login without a cookie, and serves the login and register forms', async () => {
    const root = await page('GET', '/');
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/login');
    const login = await page('GET', '/login');
    expect(login.headers.get('content-type')).toContain('text/html');
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(login.text).toContain('<form method="post" action="/login" id="login-form">');
    expect((await page('GET', '/register')).text).toContain('id="register-form"');
    expect((await page('GET', '/dashboard')).headers.get('location')).toBe('/login');
  });

  it('logs in with an HttpOnly cookie holding a JWT the platform accepts', async () => {
    const { token, setCookie } = await registerAndLogin();
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=3600/);
    expect(token.split('.')).toHaveLength(3);
    const validate = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false, headers: { Authorization: `Bearer ${token}` } });
    expect(validate.json.valid).toBe(true);
    const root = await page('GET', '/', withCookie(token));
    expect(root.headers.get('location')).toBe('/dashboard');
  });

  it('refuses a wrong password (401) and a duplicate registration (409), echoing input escaped', async () => {
    const { email } = await registerAndLogin();
    const wrong = await page('POST', '/login', form({ email, password: 'not-the-password' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(wrong.text).toContain('Invalid email or password.');
    const dup = await page('POST', '/register', form({ email, password: PASSWORD, name: '"><script>alert(1)</script>' }));
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(dup.text).not.toContain('<script>alert(1)');
    const short = await page('POST', '/register', form({ email: `s-${email}`, password: 'short' }));
    expect(short.status).toBe(400);
  });

  it('lists the Tasks records from airtable-gateway, one <tr class="record"> each, escaped', async () => {
    const hostile = '<img src=x onerror=alert(1)> & "quotes"';
    const created = await stack.http('airtable-gateway', 'POST', `/v0/${BASE}/Tasks`, { json: { fields: { Name: hostile, Status: 'Todo' } } });
    expect(created.status).toBe(200);
    const { email, token } = await registerAndLogin();

    const dashboard = await page('GET', '/dashboard', withCookie(token));
    expect(dashboard.status).toBe(200);
    const direct = await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks?pageSize=100`);
    const rows = dashboard.text.match(/<tr class="record"/g) ?? [];
    expect(rows.length).toBe(direct.json.records.length);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(dashboard.text).toContain('<table id="records">');
    for (const r of direct.json.records as { id: string }[]) expect(dashboard.text).toContain(`data-id="${r.id}"`);
    expect(dashboard.text).toContain(`<strong id="user-email">${email}</strong>`);
    expect(dashboard.text).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(dashboard.text).not.toContain('<img src=x');
    await stack.http('airtable-gateway', 'DELETE', `/v0/${BASE}/Tasks/${created.json.id}`);
  });

  it('reads the records with the user\'s JWT, not the API key: a forged cookie gets nowhere', async () => {
    const forged = await page('GET', '/dashboard', withCookie('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad'));
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('/login');
    expect(forged.headers.get('set-cookie')).toMatch(/^session=; .*Max-Age=0/);
    expect(forged.text).not.toContain('record');
  });

  it('logs out: the session ends in redis, the cookie is cleared, the old token is refused', async () => {
    const { token } = await registerAndLogin();
    expect((await page('GET', '/dashboard', withCookie(token))).status).toBe(200);
    const out = await page('POST', '/logout', withCookie(token));
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect(out.headers.get('set-cookie')).toMatch(/^session=; .*Max-Age=0/);
    const validate = await stack.http('platform-services', 'GET', '/auth/validate', { apiKey: false, headers: { Authorization: `Bearer ${token}` } });
    expect(validate.status).toBe(401);
    const again = await page('GET', '/dashboard', withCookie(token));
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/login');
  });

  it('shows a 502 page, not a crash, when api-gateway is down, and reports it in /api/health', async () => {
    await stack.stop('api-gateway');
    try {
      const login = await page('POST', '/login', form({ email: 'a@example.com', password: PASSWORD }));
      expect(login.status).toBe(502);
      expect(login.text).toContain('The API gateway cannot be reached');
      const health = await page('GET', '/api/health');
      expect(health.status).toBe(503);
      expect(health.json.gateway.status).toBe('down');
      expect((await page('GET', '/ready')).status).toBe(503);
    } finally {
      await stack.restart('api-gateway');
    }
    await stack.waitReady('frontend', 15_000);
  });
});
