/** saga-orchestrator against real postgres, redis, platform-services and airtable-gateway containers. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';

let stack: Stack;
const BASE = 'appStackctlDemo';

beforeAll(async () => {
  // Scan for orphans every second (15 s by default) so the orphan-recovery test does not wait for the scan.
  stack = await startStack('saga', ['postgres', 'redis', 'platform-services', 'airtable-gateway', 'saga-orchestrator'], {
    environment: { 'saga-orchestrator': { ORPHAN_SCAN_EVERY_S: '1' } },
  });
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const email = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@example.com`;
const startSaga = (body: unknown) => stack.http('saga-orchestrator', 'POST', '/sagas', { json: body });
const user = (id: unknown) => stack.http('platform-services', 'GET', `/users/${id}`);
const record = (table: string, id: unknown) => stack.http('airtable-gateway', 'GET', `/v0/${BASE}/${table}/${id}`);
const steps = (saga: { steps: { name: string; status: string }[] }) => saga.steps.map((s) => `${s.name}:${s.status}`);

describe('saga-orchestrator', () => {
  it('is ready only with postgres, platform-services and airtable-gateway answering', async () => {
    const ready = await stack.http('saga-orchestrator', 'GET', '/ready', { apiKey: false });
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toEqual({ postgres: 'ok', 'platform-services': 'ok', 'airtable-gateway': 'ok' });
  });

  it('requires the API key and a valid body', async () => {
    expect((await stack.http('saga-orchestrator', 'GET', '/sagas', { apiKey: false })).status).toBe(401);
    const bad = await startSaga({ type: 'onboard_user', payload: { email: 'nope' }, fail_at: 'launch' });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toEqual([
      'payload.email must be an email address',
      'payload.password must be a non-empty string',
      "fail_at must be one of ['create_user', 'create_record', 'notify']",
    ]);
    expect((await startSaga({ type: 'offboard_user', payload: {} })).status).toBe(400);
    expect(await stack.psql('SELECT count(*) FROM sagas')).toBe('0');
  });

  it('completes onboard_user: the user, the record and the notification all exist', async () => {
    const address = email('ok');
    const res = await startSaga({
      type: 'onboard_user',
      payload: { email: address, password: 'correct-horse-1', name: 'Olga', fields: { Name: 'Welcome Olga', Status: 'Todo' } },
    });
    expect(res.status).toBe(201);
    expect(res.json.status).toBe('completed');
    expect(steps(res.json)).toEqual(['create_user:done', 'create_record:done', 'notify:done']);
    const [createUser, createRecord] = res.json.steps;

    const u = await user(createUser.detail.user_id);
    expect(u.status).toBe(200);
    expect(u.json.email).toBe(address);
    const r = await record('Tasks', createRecord.detail.record_id);
    expect(r.json.fields).toMatchObject({ Name: 'Welcome Olga', Status: 'Todo' });
    expect(await stack.psql(`SELECT recipient FROM saga_notifications WHERE saga_id = '${res.json.id}'`)).toBe(address);

    // The user can log in with the password the saga registered.
    const login = await stack.http('platform-services', 'POST', '/auth/login', { json: { email: address, password: 'correct-horse-1' }, apiKey: false });
    expect(login.status).toBe(200);

    // Persisted as returned, and the password is never stored.
    expect((await stack.http('saga-orchestrator', 'GET', `/sagas/${res.json.id}`)).json).toEqual(res.json);
    expect(await stack.psql(`SELECT payload->>'password' FROM sagas WHERE id = '${res.json.id}'`)).toBe('***');
    expect(await stack.psql("SELECT count(*) FROM sagas WHERE payload::text LIKE '%correct-horse-1%'")).toBe('0');
  });

  it('fail_at notify: compensates create_record then create_user, in reverse, for real', async () => {
    const res = await startSaga({ type: 'onboard_user', payload: { email: email('notify'), password: 'correct-horse-1' }, fail_at: 'notify' });
    expect(res.status).toBe(201);
    expect(res.json.status).toBe('compensated');
    expect(steps(res.json)).toEqual(['create_user:compensated', 'create_record:compensated', 'notify:failed']);
    expect(res.json.steps[2].detail.error).toBe('failure injected by fail_at');
    const [createUser, createRecord] = res.json.steps;
    expect((await user(createUser.detail.user_id)).status).toBe(404);
    expect((await record(createRecord.detail.table, createRecord.detail.record_id)).status).toBe(404);
    expect(await stack.psql(`SELECT status FROM sagas WHERE id = '${res.json.id}'`)).toBe('compensated');
    expect(await stack.psql(`SELECT count(*) FROM saga_notifications WHERE saga_id = '${res.json.id}'`)).toBe('0');
  });

  it('a real upstream failure (unknown table) compensates the created user', async () => {
    const res = await startSaga({ type: 'onboard_user', payload: { email: email('table'), password: 'correct-horse-1', table: 'NoSuchTable' } });
    expect(res.json.status).toBe('compensated');
    expect(steps(res.json)).toEqual(['create_user:compensated', 'create_record:failed']);
    expect(res.json.steps[1].detail.upstream.status).toBe(404);
    expect((await user(res.json.steps[0].detail.user_id)).status).toBe(404);
  });

  it('fails without side effects when the first step fails (duplicate email)', async () => {
    const address = email('dup');
    const first = await startSaga({ type: 'onboard_user', payload: { email: address, password: 'correct-horse-1' } });
    expect(first.json.status).toBe('completed');
    const again = await startSaga({ type: 'onboard_user', payload: { email: address, password: 'correct-horse-1' } });
    expect(again.status).toBe(201);
    expect(again.json.status).toBe('failed');
    expect(steps(again.json)).toEqual(['create_user:failed']);
    expect(again.json.steps[0].detail.upstream).toEqual({ status: 409, body: { error: 'email already registered' } });
    // The first saga's user is untouched.
    expect((await user(first.json.steps[0].detail.user_id)).status).toBe(200);
  });

  it('lists sagas newest first, filters by status, and 404s an unknown id', async () => {
    const all = await stack.http('saga-orchestrator', 'GET', '/sagas');
    expect(all.json.sagas.length).toBeGreaterThanOrEqual(5);
    const times = all.json.sagas.map((s: { created_at: string }) => Date.parse(s.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const compensated = await stack.http('saga-orchestrator', 'GET', '/sagas?status=compensated');
    expect(compensated.json.sagas.length).toBeGreaterThanOrEqual(2);
    expect(compensated.json.sagas.every((s: { status: string }) => s.status === 'compensated')).toBe(true);
    expect((await stack.http('saga-orchestrator', 'GET', '/sagas?status=bogus')).status).toBe(400);
    expect((await stack.http('saga-orchestrator', 'GET', '/sagas/nope')).status).toBe(404);
  });

  it('compensates a saga whose runner died mid-way (orphan recovery)', async () => {
    // A user created by a runner that "crashed" right after create_user was persisted.
    const registered = await stack.http('platform-services', 'POST', '/auth/register', {
      json: { email: email('orphan'), password: 'correct-horse-1' },
      apiKey: false,
    });
    expect(registered.status).toBe(201);
    const userId = registered.json.id;
    const steps = JSON.stringify([{ name: 'create_user', status: 'done', detail: { user_id: userId } }]);
    await stack.psql(
      `INSERT INTO sagas (id, type, status, payload, steps, updated_at)
       VALUES ('orphan-test', 'onboard_user', 'running', '{"email":"x@example.com"}', '${steps}', now() - interval '5 minutes')`,
    );
    const deadline = Date.now() + 40_000;
    let status = '';
    while (Date.now() < deadline) {
      status = await stack.psql("SELECT status FROM sagas WHERE id = 'orphan-test'");
      if (status === 'compensated') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(status).toBe('compensated');
    expect((await user(userId)).status).toBe(404);
  }, 60_000);
});
