/**
 * compose/docker-compose.yml is the example stack's export, kept current: regenerating it gives the
 * same bytes, whatever the variables' values (the export never depends on them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { exportCompose } from '../../../src/compose/export-compose.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STACK = path.join(repo, 'stack.yaml');
const EXPORTED = path.join(repo, 'compose/docker-compose.yml');

async function regenerate(env: Record<string, string>): Promise<string> {
  const loaded = await loadStack(STACK, { env });
  expect(loaded.stack, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'error'))).toBeDefined();
  const result = exportCompose(loaded.stack!, { outputFile: EXPORTED, raw: parseYamlSource(readFileSync(STACK, 'utf8'), STACK) });
  expect(result.warnings).toEqual([]);
  return result.text;
}

describe('compose/docker-compose.yml', () => {
  it('is byte-identical to a fresh `stackctl export compose` of stack.yaml', async () => {
    const fresh = await regenerate({});
    expect(fresh, 'regenerate it: node bin/stackctl.js export compose').toBe(readFileSync(EXPORTED, 'utf8'));
  });

  it('does not depend on the values of the variables, and holds none of them', async () => {
    const secrets = { POSTGRES_USER: 'u-x', POSTGRES_PASSWORD: 'pgpw-123456', POSTGRES_DB: 'db-x', REDIS_PASSWORD: 'redispw-123456', API_KEY: 'apikey-123456', JWT_SECRET: 'jwt-123456' };
    const text = await regenerate(secrets);
    expect(text).toBe(readFileSync(EXPORTED, 'utf8'));
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
  });

  it('waits for readiness with service_healthy and authenticates its healthchecks from the container environment', () => {
    const text = readFileSync(EXPORTED, 'utf8');
    expect(text).toContain('condition: service_healthy');
    expect(text).not.toContain('condition: service_started');
    expect(text).toContain('PGPASSWORD="$$POSTGRES_PASSWORD" psql -h 127.0.0.1');
    expect(text).toContain('REDISCLI_AUTH="$$REDIS_PASSWORD" redis-cli');
    expect(text).toContain('os.environ.get("API_KEY", "")');
    expect(text.match(/^    healthcheck:$/gm)).toHaveLength(10);
  });
});
