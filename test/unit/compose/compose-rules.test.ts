/** The compose rules stay quiet on a healthy stack and name the problem on a small broken one. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { validateStack } from '../../../src/validate/validate.js';
import { COMPOSE_RULES } from '../../../src/validate/rules/compose-rules.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-compose-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(file: string, env: Record<string, string> = {}) {
  const loaded = await loadStack(file, { env });
  expect(loaded.stack, JSON.stringify(loaded.diagnostics)).toBeDefined();
  return validateStack(loaded.stack!, { checkHostPorts: false, rules: COMPOSE_RULES });
}

describe('compose rules', () => {
  it('find nothing in the example stack (REDIS_URL built from REDIS_PASSWORD is no rename)', async () => {
    expect(await run(path.join(repo, 'stack.yaml'), { REDIS_PASSWORD: 'r', API_KEY: 'k', POSTGRES_PASSWORD: 'p' })).toEqual([]);
  });

  it('find nothing in its compose export either', async () => {
    expect(await run(path.join(repo, 'compose/docker-compose.yml'), { REDIS_PASSWORD: 'r', API_KEY: 'k', POSTGRES_PASSWORD: 'p' })).toEqual([]);
  });

  it('name each problem of a small broken compose file at its line', async () => {
    const file = path.join(work, 'docker-compose.yml');
    writeFileSync(
      file,
      [
        'services:',
        '  db:',
        '    image: postgres:16-alpine',
        '    environment: { POSTGRES_PASSWORD: pw }',
        '  api:',
        '    image: python:3.12-slim',
        '    environment:',
        '      SESSION_SECRET: ${SESSION_SECRET:-insecure-default}',
        '      ADMIN_PORT: "9000"',
        '    ports: ["8000:8000"]',
        '    volumes: ["./missing.sql:/init.sql"]',
        '    depends_on: [db]',
        '    healthcheck:',
        '      test: ["CMD", "curl", "-f", "http://localhost:8000/"]',
        '',
      ].join('\n'),
    );
    const found = (await run(file)).map((d) => `${d.code} ${d.service} ${d.location.line}`);
    expect(found.sort()).toEqual(['COMPOSE101 api 12', 'COMPOSE102 db 2', 'COMPOSE103 api 8', 'COMPOSE104 api 14', 'COMPOSE106 api 11', 'COMPOSE107 api 9'].sort());
  });
});
