/** airtable-gateway against a real postgres container: seed, meta API, records API, Airtable errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';
import { eventuallyAnswer, pick, runVariant } from './variants.js';

let stack: Stack;
const BASE = 'appStackctlDemo';
const ID = (prefix: string) => new RegExp(`^${prefix}[A-Za-z0-9]{14}$`);

beforeAll(async () => {
  stack = await startStack('airtable', ['postgres', 'airtable-gateway']);
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const gw = (method: string, path: string, json?: unknown) => stack.http('airtable-gateway', method, path, { json });

describe('airtable-gateway', () => {
  it('is ready only after logging in to postgres, and requires the API key everywhere else', async () => {
    const ready = await stack.http('airtable-gateway', 'GET', '/ready', { apiKey: false });
    expect(ready.json).toEqual({ status: 'ready', checks: { postgres: 'ok' } });
    for (const headers of [{}, { 'X-API-Key': 'wrong' }, { Authorization: 'Bearer wrong' }]) {
      const res = await stack.http('airtable-gateway', 'GET', '/v0/meta/bases', { apiKey: false, headers });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'unauthorized' });
    }
    const bearer = await stack.http('airtable-gateway', 'GET', '/v0/meta/bases', { headers: { Authorization: `Bearer ${stack.apiKey}` } });
    expect(bearer.status).toBe(200);
  });

  it('seeds base "Demo" with table Tasks (Name, Status, Notes) and three records', async () => {
    const bases = await gw('GET', '/v0/meta/bases');
    expect(bases.json.bases).toContainEqual({ id: BASE, name: 'Demo', permissionLevel: 'create' });

    const tables = await gw('GET', `/v0/meta/bases/${BASE}/tables`);
    expect(tables.status).toBe(200);
    const tasks = tables.json.tables.find((t: { name: string }) => t.name === 'Tasks');
    expect(tasks.id).toMatch(ID('tbl'));
    expect(tasks.fields.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([
      ['Name', 'singleLineText'],
      ['Status', 'singleSelect'],
      ['Notes', 'multilineText'],
    ]);
    expect(tasks.primaryFieldId).toBe(tasks.fields[0].id);
    for (const field of tasks.fields) expect(field.id).toMatch(ID('fld'));

    const records = await gw('GET', `/v0/${BASE}/Tasks`);
    expect(records.json.records).toHaveLength(3);
    expect(records.json).not.toHaveProperty('offset');
    for (const record of records.json.records) {
      expect(record.id).toMatch(ID('rec'));
      expect(Date.parse(record.createdTime)).not.toBeNaN();
      expect(typeof record.fields.Name).toBe('string');
    }
    // The same table is reachable by id.
    const byId = await gw('GET', `/v0/${BASE}/${tasks.id}`);
    expect(byId.json.records.map((r: { id: string }) => r.id)).toEqual(records.json.records.map((r: { id: string }) => r.id));
  });

  it('creates, reads, patches (merging), replaces and deletes a record, persisting each in postgres', async () => {
    const created = await gw('POST', `/v0/${BASE}/Tasks`, { fields: { Name: 'Buy milk', Status: 'Todo' } });
    expect(created.status).toBe(200);
    const id: string = created.json.id;
    expect(id).toMatch(ID('rec'));
    expect(created.json.fields).toEqual({ Name: 'Buy milk', Status: 'Todo' });
    expect(await stack.psql(`SELECT fields->>'Name' FROM at_records WHERE id = '${id}'`)).toBe('Buy milk');

    const patched = await gw('PATCH', `/v0/${BASE}/Tasks/${id}`, { fields: { Status: 'Done', Notes: 'two litres' } });
    expect(patched.json.fields).toEqual({ Name: 'Buy milk', Status: 'Done', Notes: 'two litres' });
    const cleared = await gw('PATCH', `/v0/${BASE}/Tasks/${id}`, { fields: { Notes: null } });
    expect(cleared.json.fields).toEqual({ Name: 'Buy milk', Status: 'Done' });
    const replaced = await gw('PUT', `/v0/${BASE}/Tasks/${id}`, { fields: { Name: 'Buy oat milk' } });
    expect(replaced.json.fields).toEqual({ Name: 'Buy oat milk' });
    expect((await gw('GET', `/v0/${BASE}/Tasks/${id}`)).json).toEqual(replaced.json);

    const deleted = await gw('DELETE', `/v0/${BASE}/Tasks/${id}`);
    expect(deleted.json).toEqual({ id, deleted: true });
    const gone = await gw('GET', `/v0/${BASE}/Tasks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.error.type).toBe('NOT_FOUND');
    expect((await gw('DELETE', `/v0/${BASE}/Tasks/${id}`)).status).toBe(404);
    expect(await stack.psql(`SELECT count(*) FROM at_records WHERE id = '${id}'`)).toBe('0');
  });

  it('creates several records at once, at most ten per request', async () => {
    const batch = await gw('POST', `/v0/${BASE}/Tasks`, { records: [{ fields: { Name: 'one' } }, { fields: { Name: 'two' } }] });
    expect(batch.status).toBe(200);
    expect(batch.json.records.map((r: { fields: { Name: string } }) => r.fields.Name)).toEqual(['one', 'two']);
    const tooMany = await gw('POST', `/v0/${BASE}/Tasks`, { records: Array.from({ length: 11 }, (_, i) => ({ fields: { Name: `n${i}` } })) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error.type).toBe('INVALID_RECORDS');
  });

  it('answers Airtable-shaped 422s for unknown fields and wrong value types, writing nothing', async () => {
    const before = await stack.psql('SELECT count(*) FROM at_records');
    const unknown = await gw('POST', `/v0/${BASE}/Tasks`, { fields: { Name: 'x', Priority: 'high' } });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toEqual({ error: { type: 'UNKNOWN_FIELD_NAME', message: 'Unknown field name: "Priority"' } });
    const wrongType = await gw('POST', `/v0/${BASE}/Tasks`, { fields: { Name: 42 } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.error.type).toBe('INVALID_VALUE_FOR_COLUMN');
    const halfBad = await gw('POST', `/v0/${BASE}/Tasks`, { records: [{ fields: { Name: 'ok' } }, { fields: { Nope: 1 } }] });
    expect(halfBad.status).toBe(422);
    expect(await stack.psql('SELECT count(*) FROM at_records')).toBe(before);
  });

  it('answers 404 NOT_FOUND for an unknown base, table or record', async () => {
    for (const path of [`/v0/appNoSuchBase00000/Tasks`, `/v0/${BASE}/NoSuchTable`, `/v0/${BASE}/Tasks/recNoSuchRecord00`, `/v0/meta/bases/appNope/tables`]) {
      const res = await gw('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.json.error.type, path).toBe('NOT_FOUND');
    }
  });

  it('pages with pageSize and offset, in creation order, without gaps or repeats', async () => {
    const created = await gw('POST', `/v0/meta/bases/${BASE}/tables`, {
      name: 'Paging',
      fields: [{ name: 'N', type: 'number' }, { name: 'Label', type: 'singleLineText' }],
    });
    expect(created.status).toBe(200);
    for (let start = 0; start < 25; start += 10) {
      const records = Array.from({ length: Math.min(10, 25 - start) }, (_, i) => ({ fields: { N: start + i } }));
      expect((await gw('POST', `/v0/${BASE}/Paging`, { records })).status).toBe(200);
    }
    const seen: number[] = [];
    let offset: string | undefined;
    let pages = 0;
    do {
      const res = await gw('GET', `/v0/${BASE}/Paging?pageSize=7${offset ? `&offset=${encodeURIComponent(offset)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.json.records.length).toBeLessThanOrEqual(7);
      seen.push(...res.json.records.map((r: { fields: { N: number } }) => r.fields.N));
      offset = res.json.offset;
      pages += 1;
    } while (offset);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));

    expect((await gw('GET', `/v0/${BASE}/Paging?pageSize=101`)).status).toBe(422);
    expect((await gw('GET', `/v0/${BASE}/Paging?pageSize=0`)).status).toBe(422);
    const badOffset = await gw('GET', `/v0/${BASE}/Paging?offset=garbage`);
    expect(badOffset.status).toBe(422);
    expect(badOffset.json.error.type).toBe('LIST_RECORDS_ITERATOR_NOT_AVAILABLE');
  });

  it('creates bases and tables through the meta API, refusing duplicate names and unknown types', async () => {
    const base = await gw('POST', '/v0/meta/bases', {
      name: 'CRM',
      tables: [{ name: 'Contacts', fields: [{ name: 'Email', type: 'email' }, { name: 'Vip', type: 'checkbox' }] }],
    });
    expect(base.status).toBe(200);
    expect(base.json.id).toMatch(ID('app'));
    expect((await gw('GET', '/v0/meta/bases')).json.bases.map((b: { id: string }) => b.id)).toContain(base.json.id);
    const contact = await gw('POST', `/v0/${base.json.id}/Contacts`, { fields: { Email: 'a@b.c', Vip: true } });
    expect(contact.json.fields).toEqual({ Email: 'a@b.c', Vip: true });
    expect((await gw('POST', `/v0/${base.json.id}/Contacts`, { fields: { Vip: 'yes' } })).status).toBe(422);

    const duplicate = await gw('POST', `/v0/meta/bases/${BASE}/tables`, { name: 'Tasks', fields: [{ name: 'X', type: 'singleLineText' }] });
    expect(duplicate.status).toBe(422);
    expect(duplicate.json.error.type).toBe('DUPLICATE_TABLE_NAME');
    const badType = await gw('POST', `/v0/meta/bases/${BASE}/tables`, { name: 'Weird', fields: [{ name: 'X', type: 'hologram' }] });
    expect(badType.status).toBe(422);
    expect(badType.json.error.type).toBe('INVALID_FIELD_TYPE');
    const noFields = await gw('POST', `/v0/meta/bases/${BASE}/tables`, { name: 'Empty', fields: [] });
    expect(noFields.status).toBe(422);
    const tables = (await gw('GET', `/v0/meta/bases/${BASE}/tables`)).json.tables.map((t: { name: string }) => t.name);
    expect(tables).not.toContain('Weird');
    expect(tables).not.toContain('Empty');
  });

  it('seeds idempotently: a second instance on the same database adds nothing and serves the same data', async () => {
    const before = await gw('GET', `/v0/${BASE}/Tasks`);
    const tableIdBefore = await stack.psql(`SELECT id FROM at_tables WHERE base_id = '${BASE}' AND name = 'Tasks'`);
    const second = await runVariant(stack, 'airtable-gateway', 'second', pick(stack.env, ['DATABASE_URL', 'API_KEY', 'AIRTABLE_BASE']), 8002);
    const ready = await eventuallyAnswer(() => second.get('/ready'));
    expect(ready.status).toBe(200);
    const fromSecond = await second.get(`/v0/${BASE}/Tasks`, { 'X-API-Key': stack.apiKey });
    expect(fromSecond.json.records).toEqual(before.json.records);
    expect(await stack.psql(`SELECT id FROM at_tables WHERE base_id = '${BASE}' AND name = 'Tasks'`)).toBe(tableIdBefore);
    expect(await stack.psql(`SELECT count(*) FROM at_bases WHERE id = '${BASE}'`)).toBe('1');
    expect(await second.logs()).not.toContain('seeded demo base');
  });

  it('answers 503 "postgres unavailable" while postgres is down, and /ready reports it', async () => {
    await stack.stop('postgres');
    try {
      const ready = await stack.http('airtable-gateway', 'GET', '/ready', { apiKey: false });
      expect(ready.status).toBe(503);
      expect(ready.json.status).toBe('not_ready');
      expect(ready.json.checks.postgres).not.toBe('ok');
      const list = await gw('GET', `/v0/${BASE}/Tasks`);
      expect(list.status).toBe(503);
      expect(list.json.error).toBe('postgres unavailable');
    } finally {
      await stack.restart('postgres');
    }
    // Its pool dropped the broken connections: it serves again without a restart of its own.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await gw('GET', `/v0/${BASE}/Tasks`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 300));
    }
    expect(status).toBe(200);
  });

  it('exits 1 at start when postgres refuses its password, and names every missing variable', async () => {
    const wrong = await runVariant(stack, 'airtable-gateway', 'wrongdb', {
      ...pick(stack.env, ['API_KEY', 'AIRTABLE_BASE']),
      DATABASE_URL: `postgresql://${stack.env.POSTGRES_USER}:bad-password-123@postgres:5432/${stack.env.POSTGRES_DB}`,
    });
    expect(await wrong.exitCode()).toBe(1);
    const logs = await wrong.logs();
    expect(logs).toContain('password authentication failed');
    expect(logs).not.toContain('bad-password-123');

    const empty = await runVariant(stack, 'airtable-gateway', 'noenv', {});
    expect(await empty.exitCode()).toBe(1);
    expect((await empty.logs()).trim()).toBe(
      'airtable-gateway: cannot start: missing required environment variables: DATABASE_URL, API_KEY, AIRTABLE_BASE',
    );
  });
});
