/** llm-orchestrator against real redis, mcp-server, airtable-gateway and postgres containers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';

let stack: Stack;
const BASE = 'appStackctlDemo';

beforeAll(async () => {
  stack = await startStack('llm', ['postgres', 'redis', 'airtable-gateway', 'mcp-server', 'llm-orchestrator']);
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const chat = (message: string, sessionId?: string) =>
  stack.http('llm-orchestrator', 'POST', '/chat', { json: sessionId ? { message, session_id: sessionId } : { message } });

describe('llm-orchestrator', () => {
  it('answers /health, and /ready with redis and mcp-server checked', async () => {
    const health = await stack.http('llm-orchestrator', 'GET', '/health', { apiKey: false });
    expect(health.json).toEqual({ status: 'ok', service: 'llm-orchestrator' });
    const ready = await stack.http('llm-orchestrator', 'GET', '/ready', { apiKey: false });
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toEqual({ redis: 'ok', 'mcp-server': 'ok' });
  });

  it('refuses /chat without the API key or with a wrong one', async () => {
    const none = await stack.http('llm-orchestrator', 'POST', '/chat', { json: { message: 'list tables' }, apiKey: false });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: 'unauthorized' });
    const wrong = await stack.http('llm-orchestrator', 'POST', '/chat', {
      json: { message: 'list tables' },
      headers: { 'X-API-Key': 'not-the-key' },
    });
    expect(wrong.status).toBe(401);
  });

  it('plans "list tables" into a list_tables call and describes the result', async () => {
    const res = await chat('list tables');
    expect(res.status).toBe(200);
    expect(res.json.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.json.tool_calls).toHaveLength(1);
    expect(res.json.tool_calls[0].name).toBe('list_tables');
    const tables = res.json.tool_calls[0].result.tables.map((t: { name: string }) => t.name);
    expect(tables).toContain('Tasks');
    expect(res.json.reply).toContain('Tasks (Name, Status, Notes)');
  });

  it('creates, updates, shows and deletes a record; airtable-gateway confirms each change', async () => {
    const created = await chat('create a record in Tasks with Name=Buy milk, Status=Todo, Notes="eggs, bread"');
    expect(created.status).toBe(200);
    const call = created.json.tool_calls[0];
    expect(call.name).toBe('create_record');
    expect(call.arguments).toEqual({ table: 'Tasks', fields: { Name: 'Buy milk', Status: 'Todo', Notes: 'eggs, bread' } });
    const id: string = call.result.id;
    expect(id).toMatch(/^rec[A-Za-z0-9]{14}$/);
    const sessionId: string = created.json.session_id;

    const direct = await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${id}`);
    expect(direct.status).toBe(200);
    expect(direct.json.fields).toMatchObject({ Name: 'Buy milk', Status: 'Todo', Notes: 'eggs, bread' });

    const updated = await chat(`update record ${id} in Tasks set Status=Done`, sessionId);
    expect(updated.json.tool_calls[0].name).toBe('update_record');
    expect(updated.json.reply).toContain(`Updated record ${id}`);
    expect((await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${id}`)).json.fields.Status).toBe('Done');

    const shown = await chat(`show record ${id} in Tasks`, sessionId);
    expect(shown.json.tool_calls[0].name).toBe('get_record');
    expect(shown.json.reply).toBe(`Record ${id} in Tasks: Name=Buy milk, Notes=eggs, bread, Status=Done`);

    const listed = await chat('list records in Tasks', sessionId);
    expect(listed.json.tool_calls[0].result.records.map((r: { id: string }) => r.id)).toContain(id);

    const deleted = await chat(`delete record ${id} from Tasks`, sessionId);
    expect(deleted.json.tool_calls[0].name).toBe('delete_record');
    expect(deleted.json.reply).toBe(`Deleted record ${id} from Tasks.`);
    expect((await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${id}`)).status).toBe(404);

    const gone = await chat(`show record ${id} in Tasks`, sessionId);
    expect(gone.status).toBe(200);
    expect(gone.json.tool_calls[0].error.code).toBe(-32000);
    expect(gone.json.reply).toBe(`The get_record tool failed: Record ${id} not found`);
  });

  it('reports a tool error from upstream (unknown field) instead of claiming success', async () => {
    const res = await chat('create a record in Tasks with Colour=red');
    expect(res.status).toBe(200);
    expect(res.json.tool_calls[0].result).toBeNull();
    expect(res.json.tool_calls[0].error.data.body.error.type).toBe('UNKNOWN_FIELD_NAME');
    expect(res.json.reply).toContain('Unknown field name');
  });

  it('answers anything else with help and no tool call', async () => {
    const res = await chat('what is the weather like?');
    expect(res.json.tool_calls).toEqual([]);
    expect(res.json.reply).toContain('list records in Tasks');
  });

  it('rejects a bad body (400) and an unknown session (404)', async () => {
    expect((await stack.http('llm-orchestrator', 'POST', '/chat', { json: { message: '' } })).status).toBe(400);
    expect((await stack.http('llm-orchestrator', 'POST', '/chat', { body: 'not json' })).status).toBe(400);
    const unknown = await chat('list tables', 'no-such-session');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toBe('session not found');
  });

  it('keeps the conversation in redis with a 24 h TTL, and deletes it on request', async () => {
    const first = await chat('list tables');
    const sessionId: string = first.json.session_id;
    await chat('hello', sessionId);
    const session = await stack.http('llm-orchestrator', 'GET', `/sessions/${sessionId}`);
    expect(session.status).toBe(200);
    expect(session.json.messages.map((m: { role: string; content: string }) => [m.role, m.content.slice(0, 11)])).toEqual([
      ['user', 'list tables'],
      ['assistant', '1 table(s):'],
      ['user', 'hello'],
      ['assistant', 'I can work '],
    ]);
    expect(session.json.messages[0].ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const ttl = Number(await stack.redisCli('TTL', `chat:session:${sessionId}`));
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);

    const del = await stack.http('llm-orchestrator', 'DELETE', `/sessions/${sessionId}`);
    expect(del.json).toEqual({ session_id: sessionId, deleted: true });
    expect(await stack.redisCli('EXISTS', `chat:session:${sessionId}`)).toBe('0');
    expect((await stack.http('llm-orchestrator', 'GET', `/sessions/${sessionId}`)).status).toBe(404);
    expect((await stack.http('llm-orchestrator', 'DELETE', `/sessions/${sessionId}`)).status).toBe(404);
  });

  it('passes the caller request id on to mcp-server', async () => {
    const rid = `llm-test-${Date.now()}`;
    const res = await stack.http('llm-orchestrator', 'POST', '/chat', { json: { message: 'list bases' }, headers: { 'X-Request-Id': rid } });
    expect(res.headers.get('x-request-id')).toBe(rid);
    expect(await stack.logs('mcp-server')).toContain(`"request_id":"${rid}"`);
  });

  it('turns not ready and answers 503 when redis is gone, and recovers when it is back', async () => {
    await stack.stop('redis');
    try {
      const ready = await stack.http('llm-orchestrator', 'GET', '/ready', { apiKey: false });
      expect(ready.status).toBe(503);
      expect(ready.json.status).toBe('not_ready');
      expect(ready.json.checks['mcp-server']).toBe('ok');
      expect(ready.json.checks.redis).not.toBe('ok');
      const res = await chat('list tables');
      expect(res.status).toBe(503);
      expect(res.json.error).toBe('redis unavailable');
    } finally {
      await stack.restart('redis');
    }
    await stack.waitReady('llm-orchestrator', 15_000);
    expect((await chat('list tables')).status).toBe(200);
  });
});
