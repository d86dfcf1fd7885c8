/**
 * The seed's failures, reproduced with the broken fixtures (test/fixtures/broken-images/) on the
 * real engine through the runtime and the probes, then diagnosed: the root cause must be the right
 * one from what the containers and the builds actually said.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildSpec } from '../../../src/config/model.js';
import { diagnose } from '../../../src/diagnose/diagnose-service.js';
import { loadStack } from '../../../src/load/load.js';
import { createProbe } from '../../../src/probes/create-probe.js';
import { ProbeGaveUpError } from '../../../src/probes/errors.js';
import type { ProbeTarget } from '../../../src/probes/probe.js';
import { waitReady } from '../../../src/probes/wait-ready.js';
import { computeContextHash } from '../../../src/runtime/context-hash.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import { ImageBuildError } from '../../../src/runtime/errors.js';
import type { ContainerSpec } from '../../../src/runtime/runtime.js';
import { Redactor } from '../../../src/secrets.js';
import { removeTestStack, startTarget, testContainerSpec } from '../../support/test-containers.js';

const STACK = 'itest-diagnose';
const NETWORK = `${STACK}_default`;
const TAGS = `stackctl-itest-diagnose`;
const FIXTURES = path.resolve('test/fixtures/broken-images');
const loc = { file: 'stack.yaml', line: 1, col: 1 };
const SECRETS = { POSTGRES_PASSWORD: 'diag-pg-pass-5521', REDIS_PASSWORD: 'diag-redis-pass-8830', API_KEY: 'diag-api-key-1177', JWT_SECRET: 'diag-jwt-3390' };

const runtime = new DockerRuntime({ stack: STACK });
const redactor = new Redactor(Object.values(SECRETS));

async function cleanup(): Promise<void> {
  await removeTestStack(STACK);
  const images = (await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', `${TAGS}/*`])).stdout.split('\n').filter(Boolean);
  if (images.length > 0) await execa('docker', ['rmi', '-f', ...images], { reject: false });
}

function build(context: string, dockerfile = path.join(context, 'Dockerfile')): BuildSpec {
  return { context, dockerfile, args: {}, additionalContexts: {}, location: loc };
}

async function buildImage(service: string, spec: BuildSpec): Promise<string> {
  const tag = `${TAGS}/${service}:test`;
  await runtime.buildImage({ stack: STACK, service, tag, build: spec, contextHash: await computeContextHash(spec, service) });
  return tag;
}

function start(service: string, overrides: Partial<ContainerSpec>): Promise<ProbeTarget> {
  return startTarget(runtime, testContainerSpec(STACK, service, overrides));
}

async function ensureExampleImage(tag: string, dir: string): Promise<void> {
  if (!(await runtime.imageExists(tag))) await execa('docker', ['build', '-q', '-t', tag, path.resolve(dir)]);
}

beforeAll(async () => {
  await runtime.ping();
  await cleanup();
  await runtime.ensureNetwork(STACK, NETWORK);
});
afterAll(async () => {
  await cleanup();
});

describe('the seed failures, diagnosed from what really happened', () => {
  it("image without pyairtable-common: the container exits, the probe gives up, the cause is No module named 'config'", async () => {
    const image = await buildImage('airtable-gateway', build(path.join(FIXTURES, 'no-common')));
    const target = await start('airtable-gateway', { image, env: { API_KEY: SECRETS.API_KEY }, probePorts: [8002] });
    const error = await waitReady(createProbe({ kind: 'tcp', port: 8002 }), target, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeGaveUpError);
    // The hint naming pyairtable-common is the example's own (its stack.yaml's diagnose.module_hints).
    const example = await loadStack(path.resolve('stack.yaml'), { env: { ...SECRETS } });
    expect(example.stack?.moduleHints?.length).toBeGreaterThan(0);
    const diagnosis = diagnose({
      service: 'airtable-gateway',
      stack: example.stack!,
      container: await runtime.inspectContainer(target.containerId),
      logs: await runtime.logs(target.containerId, 50),
      error,
      redactor,
    });
    expect(diagnosis.container).toEqual({ status: 'exited', exitCode: 1, oomKilled: false, restartCount: 0 });
    expect(diagnosis.lastLogLines.at(-1)).toBe("ModuleNotFoundError: No module named 'config'");
    expect(diagnosis.rootCause).toMatchObject({ code: 'module-not-found', summary: "No module named 'config'", evidence: "ModuleNotFoundError: No module named 'config'" });
    expect(diagnosis.rootCause.hint).toContain('COPY pyairtable-common /opt/pyairtable-common');
    expect(diagnosis.probe?.attempts).toBeGreaterThanOrEqual(1);
  });

  it('editable requirement outside the build context: the build fails at the pip step, the cause is the path', async () => {
    const error = await buildImage('mcp-server', build(path.join(FIXTURES, 'editable-outside-context'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    expect((error as ImageBuildError).step).toMatch(/^Step 6\/\d+ : RUN pip install -r requirements.txt$/);
    const diagnosis = diagnose({ service: 'mcp-server', error, redactor });
    expect(diagnosis.rootCause.code).toBe('editable-outside-context');
    expect(diagnosis.rootCause.summary).toBe('pip cannot install the editable requirement ../pyairtable-common: the path is not inside the build context');
    expect(diagnosis.rootCause.evidence).toMatch(/^ERROR: \.\.\/pyairtable-common is not a valid editable requirement/);
  }, 180_000);

  it('REDIS_URL without the password: /ready never passes, the cause is NOAUTH with the REDIS_PASSWORD hint', async () => {
    await Promise.all([
      ensureExampleImage('stackctl-example/postgres:dev', 'images/postgres'),
      ensureExampleImage('stackctl-example/redis:dev', 'images/redis'),
    ]);
    const platform = await buildImage('platform-services', build(path.resolve('services'), path.resolve('services/platform-services/Dockerfile')));
    const postgres = await start('postgres', {
      image: 'stackctl-example/postgres:dev',
      env: { POSTGRES_USER: 'pyairtable', POSTGRES_PASSWORD: SECRETS.POSTGRES_PASSWORD, POSTGRES_DB: 'pyairtable' },
      probePorts: [5432],
    });
    await start('redis', { image: 'stackctl-example/redis:dev', env: { REDIS_PASSWORD: SECRETS.REDIS_PASSWORD } });
    await waitReady(createProbe({ kind: 'postgres', port: 5432, user: 'pyairtable', password: SECRETS.POSTGRES_PASSWORD, database: 'pyairtable' }), postgres, {
      timeoutMs: 60_000,
    });
    const service = await start('platform-services', {
      image: platform,
      env: {
        DATABASE_URL: `postgresql://pyairtable:${SECRETS.POSTGRES_PASSWORD}@postgres:5432/pyairtable`,
        REDIS_URL: 'redis://redis:6379/0', // the bug: no password
        REDIS_PASSWORD: SECRETS.REDIS_PASSWORD, // set, but nothing reads it
        API_KEY: SECRETS.API_KEY,
        JWT_SECRET: SECRETS.JWT_SECRET,
      },
      probePorts: [8007],
    });
    const probe = createProbe(
      { kind: 'http', port: 8007, path: '/ready', method: 'GET', headers: { 'X-API-Key': SECRETS.API_KEY }, status: { min: 200, max: 200 } },
      { redactor },
    );
    const error = await waitReady(probe, service, { timeoutMs: 6000 }).catch((e: unknown) => e);
    const diagnosis = diagnose({
      service: 'platform-services',
      container: await runtime.inspectContainer(service.containerId),
      logs: await runtime.logs(service.containerId, 50),
      error,
      redactor,
    });
    expect(diagnosis.container?.status).toBe('running');
    expect(diagnosis.probe?.lastError).toContain('answered 503 (expected 200)');
    expect(diagnosis.probe?.lastError).toContain('AuthenticationError: Authentication required.');
    expect(diagnosis.rootCause.code).toBe('redis-auth');
    expect(diagnosis.rootCause.summary).toBe('redis requires a password and "platform-services" sends none (NOAUTH)');
    expect(diagnosis.rootCause.hint).toContain("REDIS_PASSWORD is not propagated: put it into \"platform-services\"'s REDIS_URL");
    const everything = JSON.stringify(diagnosis);
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
  }, 180_000);
});
