/**
 * compose/docker-compose.yml, exported from the example stack, starts with Debian's docker-compose
 * (1.29, the `docker-compose` package): `depends_on: condition: service_healthy` orders the start,
 * every healthcheck (authenticated postgres login, redis AUTH+PING, HTTP /ready with the API key)
 * passes, and the stack answers. Its own project name, random secrets and free host ports; `down -v`
 * removes everything afterwards.
 *
 * The file started is the same export with `--healthcheck-interval 2s`: compose 1.29 runs a
 * container's first healthcheck only after one interval, so the committed file's 30 s default costs
 * 30 s per dependency level (over three minutes for the example, the longest file in `make test`).
 * The first test proves the two files differ in nothing but the interval lines, so the healthchecks,
 * dependencies and environment started here are the committed ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILE, ROOT, composeDown, composeUpUntilHealthy, exportVariant, writeStackEnv, type ComposeUpResult } from '../../../bench/compose-up.mjs';

const PROJECT = `stackctl-it-compose-${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-it-compose-'));
let env: { file: string; values: Record<string, string> };
let result: ComposeUpResult;
let fastFile: string | undefined;

/** The file with its `interval:` lines removed and each `retries: n` written as the deadline it gives. */
function withDeadlines(text: string, intervalSeconds: number): string {
  return text
    .replace(/^ +interval: .*\n/gm, '')
    .replace(/^( +)retries: (\d+)$/gm, (_line, indent: string, retries: string) => `${indent}deadline: ${Number(retries) * intervalSeconds}s`);
}

describe("compose/docker-compose.yml under Debian's docker-compose", () => {
  beforeAll(async () => {
    await execa('bash', [path.join(ROOT, 'scripts/ensure-docker-compose.sh')], { stdio: 'inherit' });
    env = await writeStackEnv(dir);
    fastFile = await exportVariant('2s');
    result = await composeUpUntilHealthy({ file: fastFile, envFile: env.file, project: PROJECT, timeoutMs: 540_000, keep: true });
  }, 900_000);

  afterAll(async () => {
    if (env && fastFile) await composeDown({ file: fastFile, envFile: env.file, project: PROJECT });
    if (fastFile) rmSync(fastFile, { force: true });
    rmSync(dir, { recursive: true, force: true });
    const left = await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]);
    expect(left.stdout.trim()).toBe('');
  }, 120_000);

  it('starts the committed file, with a 2 s healthcheck interval instead of compose\'s 30 s default', () => {
    const started = readFileSync(fastFile!, 'utf8');
    expect(started.match(/^ +interval: 2s$/gm)?.length).toBe(10);
    // Each healthcheck keeps its deadline (retries × interval), so the stack is given the same time.
    expect(withDeadlines(started, 2).replace(path.basename(fastFile!), 'docker-compose.yml')).toBe(withDeadlines(readFileSync(COMPOSE_FILE, 'utf8'), 30));
  });

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
