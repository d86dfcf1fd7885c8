/**
 * compose/docker-compose.yml, exported from the example stack, starts with Debian's docker-compose
 * (1.29, the `docker-compose` package): `depends_on: condition: service_healthy` orders the start,
 * every healthcheck (authenticated postgres login, redis AUTH+PING, HTTP /ready with the API key)
 * passes, and the stack answers. Its own project name, random secrets and free host ports; `down -v`
 * removes everything afterwards. Takes a few minutes (compose's 30 s healthcheck interval per level).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILE, ROOT, composeDown, composeUpUntilHealthy, writeStackEnv, type ComposeUpResult } from '../../../bench/compose-up.mjs';

const PROJECT = `stackctl-it-compose-${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-it-compose-'));
let env: { file: string; values: Record<string, string> };
let result: ComposeUpResult;

describe("compose/docker-compose.yml under Debian's docker-compose", () => {
  beforeAll(async () => {
    await execa('bash', [path.join(ROOT, 'scripts/ensure-docker-compose.sh')], { stdio: 'inherit' });
    env = await writeStackEnv(dir);
    result = await composeUpUntilHealthy({ file: COMPOSE_FILE, envFile: env.file, project: PROJECT, timeoutMs: 540_000, keep: true });
  }, 900_000);

  afterAll(async () => {
    if (env) await composeDown({ file: COMPOSE_FILE, envFile: env.file, project: PROJECT });
    rmSync(dir, { recursive: true, force: true });
    const left = await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]);
    expect(left.stdout.trim()).toBe('');
  }, 120_000);

  it('brings all ten services to healthy, each level after the one it depends on', () => {
    expect(Object.keys(result.services).sort()).toEqual(
      ['airtable-gateway', 'api-gateway', 'automation-services', 'frontend', 'llm-orchestrator', 'mcp-server', 'platform-services', 'postgres', 'redis', 'saga-orchestrator'],
    );
    const at = result.services;
    expect(at['platform-services']).toBeGreaterThanOrEqual(Math.max(at.postgres!, at.redis!));
    expect(at['mcp-server']).toBeGreaterThanOrEqual(at['airtable-gateway']!);
    expect(at['api-gateway']).toBeGreaterThanOrEqual(Math.max(at['saga-orchestrator']!, at['llm-orchestrator']!, at['automation-services']!));
    expect(at.frontend).toBeGreaterThanOrEqual(at['api-gateway']!);
  });

  it('serves authenticated requests through the gateway on the overridden host port', async () => {
    const port = env.values.API_GATEWAY_PORT;
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const denied = await fetch(`http://127.0.0.1:${port}/api/airtable/meta/bases`);
    expect(denied.status).toBe(401);
    const bases = await fetch(`http://127.0.0.1:${port}/api/airtable/meta/bases`, { headers: { 'X-API-Key': env.values.API_KEY! } });
    expect(bases.status).toBe(200);
  });

  it('keeps the secrets out of the containers\' healthcheck definitions', async () => {
    const ids = (await execa('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])).stdout.trim().split('\n');
    const { stdout } = await execa('docker', ['inspect', '-f', '{{json .Config.Healthcheck}}', ...ids]);
    for (const name of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'API_KEY', 'JWT_SECRET']) expect(stdout, name).not.toContain(env.values[name]!);
    expect(stdout).toContain('$POSTGRES_PASSWORD');
  });
});
