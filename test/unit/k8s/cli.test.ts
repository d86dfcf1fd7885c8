/** `stackctl export k8s`, run in-process: a kustomization directory, a stream, --registry tags, no secrets. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../support/cli.js';
import { computeContextHash } from '../../../src/runtime/context-hash.js';
import { loadStack } from '../../../src/load/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-k8s-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const ENV = { POSTGRES_USER: 'pyuser', POSTGRES_PASSWORD: 'pg-cli-secret-1', POSTGRES_DB: 'pydb', REDIS_PASSWORD: 'redis-cli-secret-2', API_KEY: 'api-cli-secret-3', JWT_SECRET: 'jwt-cli-secret-4' };
const STACK = path.join(repo, 'stack.yaml');

describe('stackctl export k8s', () => {
  it('writes a kustomization with one file per object, no secret value, and says how to reach a cluster', async () => {
    const out = path.join(work, 'k8s');
    const run = await runCli(['export', 'k8s', '-f', STACK, '-o', out], { cwd: work, env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe(`wrote k8s/ (30 objects + kustomization.yaml)\n`);
    expect(run.stderr).toContain('a cluster cannot pull them: use --registry HOST/PREFIX');
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(31);
    const kustomization = parseAllDocuments(readFileSync(path.join(out, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml'));
    const all = files.map((f) => readFileSync(path.join(out, f), 'utf8')).join('\n');
    for (const value of Object.values(ENV).filter((v) => v.includes('secret'))) expect(all).not.toContain(value);
    expect(statSync(path.join(out, 'secret-pyairtable-secrets.yaml')).mode & 0o777).toBe(0o644);
  });

  it('-o - prints one stream; --registry tags built images with their content hash; --include-secret-values writes them', async () => {
    const run = await runCli(['export', 'k8s', '-f', STACK, '-o', '-', '--registry', '127.0.0.1:5000/stackctl', '--include-secret-values'], { cwd: work, env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { template?: { spec?: { containers: Array<{ image: string }> } } }; data?: Record<string, string> });
    expect(objects).toHaveLength(30);
    const stack = (await loadStack(STACK, { env: ENV })).stack!;
    const hash = await computeContextHash(stack.services.find((s) => s.name === 'frontend')!.build!, 'frontend');
    const frontend = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'frontend')!;
    expect(frontend.spec!.template!.spec!.containers[0]!.image).toBe(`127.0.0.1:5000/stackctl/frontend:${hash.slice(0, 12)}`);
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(Buffer.from(secret.data!.JWT_SECRET!, 'base64').toString()).toBe(ENV.JWT_SECRET);
  });

  it('rejects a bad registry, an unknown format and compose-only options with a hint', async () => {
    const bad = await runCli(['export', 'k8s', '-f', STACK, '-o', '-', '--registry', 'Not A Registry'], { cwd: work, env: ENV });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--registry "Not A Registry" is not a registry host');
    const unknown = await runCli(['export', 'helm', '-f', STACK], { cwd: work, env: ENV });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('stackctl export k8s -o DIR');
    const check = await runCli(['export', 'k8s', '-f', STACK, '--check'], { cwd: work, env: ENV });
    expect(check.exitCode).toBe(2);
  });
});
