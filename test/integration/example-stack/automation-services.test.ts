/** automation-services against real postgres, mcp-server and airtable-gateway containers, uploads in a volume. */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startStack, type Stack } from './harness.js';

let stack: Stack;
const BASE = 'appStackctlDemo';
const MiB = 1024 * 1024;

beforeAll(async () => {
  stack = await startStack('automation', ['postgres', 'airtable-gateway', 'mcp-server', 'automation-services']);
}, 180_000);

afterAll(async () => {
  await stack?.remove();
}, 60_000);

const api = (method: string, path: string, json?: unknown) =>
  stack.http('automation-services', method, path, json === undefined ? {} : { json });
const upload = (name: string, body: Buffer | string) =>
  stack.http('automation-services', 'POST', `/files?name=${encodeURIComponent(name)}`, {
    body,
    headers: { 'Content-Type': 'application/octet-stream' },
  });

describe('automation-services: workflows', () => {
  it('answers /ready with postgres, mcp-server and the upload directory checked', async () => {
    const ready = await stack.http('automation-services', 'GET', '/ready', { apiKey: false });
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toEqual({ postgres: 'ok', 'mcp-server': 'ok', upload_dir: 'ok' });
  });

  it('requires the API key', async () => {
    expect((await stack.http('automation-services', 'GET', '/workflows', { apiKey: false })).status).toBe(401);
    expect((await stack.http('automation-services', 'GET', '/files', { headers: { 'X-API-Key': 'wrong' } })).status).toBe(401);
    expect((await stack.http('automation-services', 'GET', '/workflows', { headers: { Authorization: `Bearer ${stack.apiKey}` } })).status).toBe(200);
  });

  it('creates, lists, replaces and deletes workflows, with 400/404/409 where they belong', async () => {
    const created = await api('POST', '/workflows', { name: 'crud', steps: [{ tool: 'list_bases', arguments: {} }] });
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    expect(created.json).toMatchObject({ name: 'crud', steps: [{ tool: 'list_bases', arguments: {} }] });

    expect((await api('POST', '/workflows', { name: 'crud', steps: [{ tool: 'list_bases' }] })).status).toBe(409);
    const invalid = await api('POST', '/workflows', { name: '', steps: [{ tool: 'x', arguments: { id: '${steps.2.id}' } }, { arguments: [] }] });
    expect(invalid.status).toBe(400);
    expect(invalid.json.detail).toEqual([
      'name must be a non-empty string',
      'steps[0] refers to steps.2, which has not run yet',
      'steps[1].tool must be a non-empty string',
    ]);

    expect((await api('GET', `/workflows/${id}`)).json.name).toBe('crud');
    expect((await api('GET', '/workflows')).json.workflows.map((w: { id: string }) => w.id)).toContain(id);

    const replaced = await api('PUT', `/workflows/${id}`, { name: 'crud-2', steps: [{ tool: 'list_tables', arguments: {} }] });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ id, name: 'crud-2', steps: [{ tool: 'list_tables' }] });
    expect(await stack.psql(`SELECT name FROM workflows WHERE id = '${id}'`)).toBe('crud-2');

    expect((await api('DELETE', `/workflows/${id}`)).json).toEqual({ id, deleted: true });
    for (const [method, body] of [['GET'], ['DELETE'], ['PUT', { name: 'z', steps: [{ tool: 'list_bases' }] }], ['POST']] as const) {
      const path = method === 'POST' ? `/workflows/${id}/run` : `/workflows/${id}`;
      expect((await api(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
  });

  it('runs every step as an mcp-server tool call, feeding earlier results into later steps', async () => {
    const created = await api('POST', '/workflows', {
      name: 'create-then-finish',
      steps: [
        { tool: 'create_record', arguments: { table: 'Tasks', fields: { Name: 'wf task', Status: 'Todo' } } },
        { tool: 'update_record', arguments: { table: 'Tasks', record_id: '${steps.0.id}', fields: { Status: 'Done', Notes: 'by ${steps.0.fields.Name}' } } },
        { tool: 'get_record', arguments: { table: 'Tasks', record_id: '${steps.0.id}' } },
      ],
    });
    const run = await api('POST', `/workflows/${created.json.id}/run`);
    expect(run.status).toBe(201);
    expect(run.json.status).toBe('succeeded');
    expect(run.json.results.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const recordId: string = run.json.results[0].result.id;
    expect(run.json.results[1].arguments.record_id).toBe(recordId);
    expect(run.json.results[2].result.fields).toMatchObject({ Status: 'Done', Notes: 'by wf task' });
    expect(Date.parse(run.json.finished_at)).toBeGreaterThanOrEqual(Date.parse(run.json.started_at));

    // The record really exists in airtable-gateway, changed by step 1.
    const direct = await stack.http('airtable-gateway', 'GET', `/v0/${BASE}/Tasks/${recordId}`);
    expect(direct.json.fields).toMatchObject({ Name: 'wf task', Status: 'Done' });

    const runs = await api('GET', `/workflows/${created.json.id}/runs`);
    expect(runs.json.runs).toHaveLength(1);
    expect(runs.json.runs[0]).toEqual(run.json);
    await stack.http('airtable-gateway', 'DELETE', `/v0/${BASE}/Tasks/${recordId}`);
  });

  it('records a failed step, skips the rest, and keeps the failed run in the history', async () => {
    const created = await api('POST', '/workflows', {
      name: 'fails-at-step-1',
      steps: [
        { tool: 'list_bases', arguments: {} },
        { tool: 'get_record', arguments: { table: 'Tasks', record_id: 'recDoesNotExist00' } },
        { tool: 'list_tables', arguments: {} },
      ],
    });
    const run = await api('POST', `/workflows/${created.json.id}/run`);
    expect(run.status).toBe(201);
    expect(run.json.status).toBe('failed');
    expect(run.json.results.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(run.json.results[1].error.code).toBe(-32000);
    expect(run.json.results[1].error.data.status).toBe(404);

    const unknownTool = await api('POST', '/workflows', { name: 'unknown-tool', steps: [{ tool: 'drop_everything', arguments: {} }] });
    const run2 = await api('POST', `/workflows/${unknownTool.json.id}/run`);
    expect(run2.json.status).toBe('failed');
    expect(run2.json.results[0].error.code).toBe(-32601);

    expect(await stack.psql(`SELECT status FROM workflow_runs WHERE id = '${run.json.run_id}'`)).toBe('failed');
  });
});

describe('automation-services: files', () => {
  it('stores the exact bytes in UPLOAD_DIR and the metadata in postgres, then deletes both', async () => {
    const bytes = randomBytes(300_000);
    const up = await upload('scan.pdf', bytes);
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({
      name: 'scan.pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content_type: 'application/pdf',
    });
    const id: string = up.json.id;

    const onDisk = await stack.http('automation-services', 'GET', `/files/${id}`);
    expect(onDisk.status).toBe(200);
    expect(onDisk.body.equals(bytes)).toBe(true);
    expect(onDisk.headers.get('content-type')).toBe('application/pdf');
    expect(onDisk.headers.get('content-disposition')).toContain('filename="scan.pdf"');
    expect(await stack.psql(`SELECT size FROM files WHERE id = '${id}'`)).toBe(String(bytes.length));
    const stat = await docker(['exec', stack.container('automation-services'), 'stat', '-c', '%s', `/data/uploads/${id}`]);
    expect(stat.stdout).toBe(String(bytes.length));

    expect((await api('GET', '/files')).json.files.map((f: { id: string }) => f.id)).toContain(id);
    expect((await api('DELETE', `/files/${id}`)).json).toEqual({ id, deleted: true });
    expect((await api('GET', `/files/${id}`)).status).toBe(404);
    expect((await api('DELETE', `/files/${id}`)).status).toBe(404);
    const gone = await docker(['exec', stack.container('automation-services'), 'test', '-e', `/data/uploads/${id}`], { reject: false });
    expect(gone.exitCode).toBe(1);
  });

  it('accepts exactly 10 MiB, refuses one byte more with 413', async () => {
    const exact = await upload('big.csv', Buffer.alloc(10 * MiB, 0x61));
    expect(exact.status).toBe(201);
    expect(exact.json.size).toBe(10 * MiB);
    const over = await upload('big.csv', Buffer.alloc(10 * MiB + 1, 0x61));
    expect(over.status).toBe(413);
    expect(over.json.error).toBe('file too large');
    await api('DELETE', `/files/${exact.json.id}`);
  });

  it('refuses other extensions (415) and unsafe or missing names (400)', async () => {
    const exe = await upload('tool.exe', 'MZ');
    expect(exe.status).toBe(415);
    expect(exe.json.detail.allowed).toEqual(['csv', 'doc', 'docx', 'json', 'pdf', 'txt', 'xlsx']);
    expect((await upload('noextension', 'x')).status).toBe(415);
    expect((await upload('../../etc/passwd.txt', 'x')).status).toBe(400);
    const missing = await stack.http('automation-services', 'POST', '/files', { body: 'x' });
    expect(missing.status).toBe(400);
    expect(await stack.psql("SELECT count(*) FROM files WHERE name LIKE '%passwd%' OR name LIKE '%.exe'")).toBe('0');
  });

  it('keeps files and workflows across a restart of the service (volume + postgres)', async () => {
    const up = await upload('notes.txt', 'persist me\n');
    const wf = await api('POST', '/workflows', { name: 'survives-restart', steps: [{ tool: 'list_bases' }] });
    await stack.stop('automation-services');
    await stack.restart('automation-services');
    const again = await stack.http('automation-services', 'GET', `/files/${up.json.id}`);
    expect(again.text).toBe('persist me\n');
    expect((await api('GET', `/workflows/${wf.json.id}`)).json.name).toBe('survives-restart');
  });
});
