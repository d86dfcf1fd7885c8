/** mcp-server against real airtable-gateway and postgres containers: JSON-RPC 2.0 tools. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';
import { eventuallyAnswer, pick, runVariant } from './variants.js';

let stack: Stack;
const BASE = 'appStackctlDemo';
const TOOLS = ['list_bases', 'list_tables', 'list_records', 'get_record', 'create_record', 'update_record', 'delete_record'];

beforeAll(async () => {
  stack = await startStack('mcp', ['postgres', 'airtable-gateway', 'mcp-server']);
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

let nextId = 1;
async function rpc(method: string, params?: unknown) {
  const id = nextId++;
  const res = await stack.http('mcp-server', 'POST', '/rpc', { json: { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) } });
  expect(res.status).toBe(200);
  expect(res.json.jsonrpc).toBe('2.0');
  expect(res.json.id).toBe(id);
  return res.json;
}

async function callTool(name: string, args: Record<string, unknown>) {
  const answer = await rpc('tools/call', { name, arguments: args });
  if (answer.error) return { error: answer.error };
  expect(answer.result.isError).toBe(false);
  expect(answer.result.content).toHaveLength(1);
  expect(answer.result.content[0].type).toBe('json');
  return { json: answer.result.content[0].json };
}

describe('mcp-server', () => {
  it('is ready when airtable-gateway accepts its API key, and requires the key itself', async () => {
    const ready = await stack.http('mcp-server', 'GET', '/ready', { apiKey: false });
    expect(ready.json).toEqual({ status: 'ready', checks: { 'airtable-gateway': 'ok' } });
    expect((await stack.http('mcp-server', 'GET', '/tools', { apiKey: false })).status).toBe(401);
    const rpcWithoutKey = await stack.http('mcp-server', 'POST', '/rpc', { apiKey: false, json: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    expect(rpcWithoutKey.status).toBe(401);
  });

  it('lists its seven tools with input schemas, over GET /tools and tools/list alike', async () => {
    const viaGet = await stack.http('mcp-server', 'GET', '/tools');
    expect(viaGet.json.tools.map((t: { name: string }) => t.name)).toEqual(TOOLS);
    for (const tool of viaGet.json.tools) {
      expect(tool.description.length).toBeGreaterThan(10);
      expect(tool.inputSchema.type).toBe('object');
    }
    const createRecord = viaGet.json.tools.find((t: { name: string }) => t.name === 'create_record');
    expect(createRecord.inputSchema.required).toEqual(['table', 'fields']);
    const viaRpc = await rpc('tools/list');
    expect(viaRpc.result.tools).toEqual(viaGet.json.tools);
  });

  it('reads bases, tables and records through airtable-gateway, base_id defaulting to AIRTABLE_BASE', async () => {
    const bases = await callTool('list_bases', {});
    expect(bases.json.bases.map((b: { id: string }) => b.id)).toContain(BASE);
    const tables = await callTool('list_tables', {});
    expect(tables.json.tables.map((t: { name: string }) => t.name)).toContain('Tasks');
    const explicit = await callTool('list_tables', { base_id: BASE });
    expect(explicit.json).toEqual(tables.json);

    const direct = await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks`);
    const records = await callTool('list_records', { table: 'Tasks' });
    expect(records.json.records).toEqual(direct.json.records);
    const firstTwo = await callTool('list_records', { table: 'Tasks', page_size: 2 });
    expect(firstTwo.json.records).toEqual(direct.json.records.slice(0, 2));
    expect(firstTwo.json.offset).toEqual(expect.any(String));
  });

  it('creates, gets, updates and deletes a record; airtable-gateway sees every change', async () => {
    const created = await callTool('create_record', { table: 'Tasks', fields: { Name: 'Via MCP', Status: 'Todo' } });
    const id: string = created.json.id;
    expect(id).toMatch(/^rec[A-Za-z0-9]{14}$/);
    expect((await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${id}`)).json.fields).toEqual({ Name: 'Via MCP', Status: 'Todo' });

    expect((await callTool('get_record', { table: 'Tasks', record_id: id })).json.fields.Name).toBe('Via MCP');
    const updated = await callTool('update_record', { table: 'Tasks', record_id: id, fields: { Status: 'Done' } });
    expect(updated.json.fields).toEqual({ Name: 'Via MCP', Status: 'Done' });
    expect((await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${id}`)).json.fields.Status).toBe('Done');

    expect((await callTool('delete_record', { table: 'Tasks', record_id: id })).json).toEqual({ id, deleted: true });
    expect((await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${id}`)).status).toBe(404);
  });

  it('reports gateway refusals as -32000 with the upstream status and body', async () => {
    const missing = await callTool('get_record', { table: 'Tasks', record_id: 'recDoesNotExist00' });
    expect(missing.error.code).toBe(-32000);
    expect(missing.error.data.status).toBe(404);
    expect(missing.error.data.body.error.type).toBe('NOT_FOUND');
    const badField = await callTool('create_record', { table: 'Tasks', fields: { Colour: 'red' } });
    expect(badField.error.code).toBe(-32000);
    expect(badField.error.data.status).toBe(422);
    expect(badField.error.data.body.error.type).toBe('UNKNOWN_FIELD_NAME');
  });

  it('answers -32602 for arguments that do not match the tool\'s schema, without calling the gateway', async () => {
    for (const [tool, args] of [
      ['get_record', { table: 'Tasks' }],
      ['create_record', { table: 'Tasks', fields: 'Name=x' }],
      ['list_records', { table: 'Tasks', page_size: 1000 }],
      ['list_records', { table: 'Tasks', colour: 'red' }],
      ['list_records', { table: '' }],
    ] as const) {
      const answer = await callTool(tool, args);
      expect(answer.error?.code, `${tool} ${JSON.stringify(args)}`).toBe(-32602);
    }
    const noName = await rpc('tools/call', { arguments: {} });
    expect(noName.error.code).toBe(-32602);
  });

  it('follows JSON-RPC 2.0 for unknown methods and tools, malformed input, batches and notifications', async () => {
    expect((await rpc('tools/call', { name: 'drop_database', arguments: {} })).error.code).toBe(-32601);
    expect((await rpc('resources/list')).error.code).toBe(-32601);
    expect((await rpc('ping')).result).toEqual({});
    expect((await rpc('initialize', {})).result.serverInfo.name).toBe('mcp-server');

    const parse = await stack.http('mcp-server', 'POST', '/rpc', { body: '{"jsonrpc": "2.0", "id": 1, "method"', headers: { 'Content-Type': 'application/json' } });
    expect(parse.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    const invalid = await stack.http('mcp-server', 'POST', '/rpc', { json: { jsonrpc: '1.0', id: 5, method: 'ping' } });
    expect(invalid.json.error.code).toBe(-32600);
    expect(invalid.json.id).toBe(5);

    const batch = await stack.http('mcp-server', 'POST', '/rpc', {
      json: [
        { jsonrpc: '2.0', id: 'a', method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'list_bases', arguments: {} } },
      ],
    });
    expect(batch.json.map((r: { id: string }) => r.id)).toEqual(['a', 'b']);
    expect(batch.json[1].result.content[0].json.bases.map((b: { id: string }) => b.id)).toContain(BASE);

    const notification = await stack.http('mcp-server', 'POST', '/rpc', { json: { jsonrpc: '2.0', method: 'notifications/initialized' } });
    expect(notification.status).toBe(202);
    expect(notification.text).toBe('');
  });

  it('passes its X-Request-Id to airtable-gateway, so one id follows the call across services', async () => {
    const res = await stack.http('mcp-server', 'POST', '/rpc', {
      json: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_bases', arguments: {} } },
      headers: { 'X-Request-Id': 'it-mcp-trace-7' },
    });
    expect(res.headers.get('x-request-id')).toBe('it-mcp-trace-7');
    const gatewayLines = (await stack.logs('airtable-gateway')).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(gatewayLines).toContainEqual(expect.objectContaining({ request_id: 'it-mcp-trace-7', path: '/v0/meta/bases', status: 200 }));
  });

  it('is not ready when airtable-gateway rejects its API key, and says so', async () => {
    const variant = await runVariant(stack, 'mcp-server', 'wrongkey', {
      ...pick(stack.env, ['AIRTABLE_GATEWAY_URL', 'AIRTABLE_BASE']),
      API_KEY: 'a-key-the-gateway-does-not-know',
    }, 8001);
    const ready = await eventuallyAnswer(() => variant.get('/ready'));
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'not_ready', checks: { 'airtable-gateway': 'GET /v0/meta/bases answered 401: API key rejected' } });
    // The engine's log stream can lag the HTTP answer by a moment under load: read until the line is there.
    let logs = await variant.logs();
    for (let i = 0; i < 20 && !logs.includes('"msg":"not ready"'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      logs = await variant.logs();
    }
    expect(logs).toContain('"msg":"not ready"');
    expect(logs).not.toContain('a-key-the-gateway-does-not-know');
  });

  it('answers -32000 and is not ready while airtable-gateway is down', async () => {
    await stack.stop('airtable-gateway');
    const ready = await stack.http('mcp-server', 'GET', '/ready', { apiKey: false });
    expect(ready.status).toBe(503);
    expect(ready.json.checks['airtable-gateway']).toMatch(/cannot reach http:\/\/airtable-gateway:8002/);
    const answer = await callTool('list_bases', {});
    expect(answer.error.code).toBe(-32000);
    expect(answer.error.data.status).toBeNull();
  });
});
