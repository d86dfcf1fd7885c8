/**
 * Leak test, commands that need no engine (issue 12): canary secrets in every position a secret takes
 * — environment values of every secret-name rule, a stack-added name, URL userinfo, a command line,
 * a readiness exec, dockerfile_inline, list-form build args, an extends-merged value, error paths
 * (`ports: ["${API_KEY}:80"]`, an invalid restart policy), a lower-cased URL host, a file that is not a
 * stack file, a report stackctl did not write — through validate (text, --json), plan (every format),
 * export compose (stdout, a written file, --check), import (stdout, a written file) and report show
 * (every format), and a diagnosis's probe failure (its JSON, from a service that echoes the refused key
 * back). No output and no written file may hold a canary, whole or any 12-character piece.
 * The engine side (up, ps, logs, the log file, the daemon's API and events) is
 * test/integration/cli/leak.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { stackRedactor } from '../../../src/config/secret-values.js';
import { diagnose } from '../../../src/diagnose/diagnose-service.js';
import { loadStack } from '../../../src/load/load.js';
import { createProbe } from '../../../src/probes/create-probe.js';
import { waitReady } from '../../../src/probes/wait-ready.js';
import { fakeTarget } from '../probes/fake-target.js';
import { buildReport } from '../../../src/report/build-report.js';
import { publishReport } from '../../../src/report/publish.js';
import { Redactor } from '../../../src/secrets.js';
import { findLeaks, makeCanaries } from '../../support/canaries.js';
import { runCli, type CliRun } from '../../support/cli.js';
import { dbAndCacheServices } from '../../support/secret-services.js';
import { seedInput } from '../report/helpers.js';

const canaries = makeCanaries();
const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-leak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: dir, ...canaries };
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};

write('.env', Object.entries(canaries).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
write('Dockerfile', 'FROM debian:bookworm-slim\n');
const refs = Object.keys(canaries).map((name) => `      ${name}: \${${name}}`).join('\n');
write(
  'stack.yaml',
  `name: leak
secret_names: { add: [LICENSE_*] }
services:
${dbAndCacheServices({ dbPassword: 'POSTGRES_PASSWORD', redisPassword: 'REDIS_PASSWORD' })}  api:
    build:
      context: .
      dockerfile_inline: |
        FROM debian:bookworm-slim
        ENV BAKED=\${ENCRYPTION_KEY}
      args:
        - "STRIPE_KEY=\${STRIPE_KEY}"
    command: ["app", "--token", "\${GITHUB_TOKEN}", "--license=\${LICENSE_BLOB}"]
    environment:
${refs}
      DATABASE_URL: postgresql://app:\${DB_PASS}@db:5432/app
      CALLBACK_URL: http://\${JWT_SECRET}:8080/callback
      SHOUTED: "\${SESSION_SECRET_V2}"
    depends_on: [db, cache]
    readiness:
      exec: "curl -fsS -H 'X-Api-Key: \${API_KEY}' http://localhost:8080/health"
`,
);
write(
  'broken/docker-compose.yml',
  `services:
  base:
    image: busybox
    environment:
      INHERITED: \${AWS_SECRET_ACCESS_KEY}
  web:
    extends: base
    image: nginx
    ports: ["\${API_KEY}:80"]
    restart: "\${SECRET_KEY_BASE}"
    build:
      context: .
      args: ["PEPPER=\${PASSWORD_PEPPER}"]
`,
);
write('broken/.env', readFileSync(path.join(dir, '.env'), 'utf8'));
write('compose/docker-compose.yml', `services:\n  app:\n    image: nginx\n    environment:\n      API_KEY: \${API_KEY}\n      DB_URL: postgresql://app:\${DB_PASS}@db/app\n    healthcheck:\n      test: ["CMD-SHELL", "curl -H 'X-Api-Key: \${API_KEY}' localhost"]\n`);
write('compose/.env', readFileSync(path.join(dir, '.env'), 'utf8'));
write('not-a-stack.txt', Object.values(canaries).map((value, i) => `user${i}:${value}:19000:0:99999:7:::`).join('\n') + '\n');
write('probe-secrets.yaml', `${canaries.GITHUB_TOKEN}: 1\nother: ${canaries.API_KEY}\n`);
write('uses-file.stack.yaml', `name: uses\nservices:\n  a:\n    image: x\n    readiness: { use: probe-secrets.yaml }\n`);

const leaks: string[] = [];
async function cli(label: string, args: string[], cwd = dir): Promise<CliRun> {
  const run = await runCli(args, { cwd, env });
  leaks.push(...findLeaks(`${label} stdout`, run.stdout, canaries), ...findLeaks(`${label} stderr`, run.stderr, canaries));
  expect([0, 1, 2], `${label}: ${run.stderr.slice(0, 600)}`).toContain(run.exitCode);
  return run;
}
const fileLeaks = (label: string, file: string): void => {
  leaks.push(...findLeaks(label, readFileSync(file, 'utf8'), canaries));
};

describe('no canary secret escapes through commands that need no engine', () => {
  beforeEach(() => {
    leaks.length = 0;
  });

  it('validate, plan and export of a stack with secrets in every position', async () => {
    await cli('validate', ['validate', '--no-port-check']);
    const json = await cli('validate --json', ['validate', '--json', '--no-port-check']);
    expect(JSON.parse(json.stdout).stack, json.stdout).toBe('leak');
    for (const format of ['text', 'json', 'mermaid', 'dot']) await cli(`plan --format ${format}`, ['plan', '--format', format]);
    const exported = await cli('export -o -', ['export', 'compose', '-o', '-']);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('${ENCRYPTION_KEY}');
    expect(exported.stdout).toContain('${API_KEY}');
    await cli('export -o file', ['export', 'compose', '-o', 'out/compose.yml']);
    fileLeaks('export file', path.join(dir, 'out/compose.yml'));
    await cli('export --check', ['export', 'compose', '-o', 'out/compose.yml', '--check']);
    expect(leaks).toEqual([]);
  });

  it('error paths: a broken compose file with secrets in ports, restart, extends and list-form args', async () => {
    const broken = path.join(dir, 'broken/docker-compose.yml');
    const text = await cli('validate broken', ['validate', '-f', broken, '--no-port-check']);
    expect(text.exitCode).toBe(1);
    await cli('validate --json broken', ['validate', '-f', broken, '--json', '--no-port-check']);
    await cli('plan broken', ['plan', '-f', broken]);
    await cli('export broken', ['export', 'compose', '-f', broken, '-o', '-']);
    await cli('import broken', ['import', broken, '-o', '-']);
    expect(leaks).toEqual([]);
  });

  it('import of a compose file that references secrets, to stdout and to a file', async () => {
    const compose = path.join(dir, 'compose/docker-compose.yml');
    await cli('import -o -', ['import', compose, '-o', '-']);
    await cli('import -o file', ['import', compose, '-o', 'imported/stack.yaml', '--force']);
    fileLeaks('import file', path.join(dir, 'imported/stack.yaml'));
    await cli('export of a compose file', ['export', 'compose', '-f', compose, '-o', '-']);
    expect(leaks).toEqual([]);
  });

  it('files that are not stack files or templates are never echoed', async () => {
    const run = await cli('validate -f not-a-stack', ['validate', '-f', 'not-a-stack.txt']);
    expect(run.stdout).toContain('is not a stack file');
    await cli('validate --json -f not-a-stack', ['validate', '--json', '-f', 'not-a-stack.txt']);
    const uses = await cli('readiness use: a non-template', ['validate', '-f', 'uses-file.stack.yaml', '--no-port-check']);
    expect(uses.stdout).toContain('is not a probe template');
    await cli('report show of a non-report', ['report', 'show', path.join(dir, 'not-a-stack.txt')]);
    expect(leaks).toEqual([]);
  });

  it('report show of a report stackctl did not write redacts it in every format', async () => {
    const input = seedInput();
    const check = input.checks[0]!;
    check.message = `got 401 with key ${canaries.API_KEY} (${canaries.JWT_SECRET!.slice(0, 20).toUpperCase()}…)`;
    check.hint = `token was ${canaries.GITHUB_TOKEN}`;
    const reports = path.join(dir, 'foreign-reports');
    const published = await publishReport(buildReport(input), { reportsDir: reports, cwd: dir, redactor: new Redactor() });
    const json = published.files.json;
    expect(readFileSync(json, 'utf8')).toContain(canaries.API_KEY); // the foreign report does hold them
    for (const format of ['text', 'md', 'json', 'junit', 'html']) await cli(`report show --format ${format}`, ['report', 'show', json, '--format', format]);
    expect(leaks).toEqual([]);
  });

  it('a secret equal to a service name hides the value, never the name (issue 11 class 1)', async () => {
    const file = write('class1/docker-compose.yml', 'services:\n  app:\n    image: nginx\n    environment:\n      POSTGRES_PASSWORD: app\n');
    const text = await runCli(['validate', '-f', file, '--no-port-check'], { cwd: path.dirname(file), env });
    expect(text.stdout).toMatch(/class1 \(1 service|app/);
    expect(text.stdout).not.toContain('***');
    const json = await runCli(['validate', '-f', file, '--json', '--no-port-check'], { cwd: path.dirname(file), env });
    expect(JSON.stringify(JSON.parse(json.stdout))).not.toContain('***');
    const plan = await runCli(['plan', '-f', file, '--format', 'json'], { cwd: path.dirname(file), env });
    expect(plan.stdout).toContain('"app"');
    expect(plan.stdout).not.toContain('***');
    const exported = await runCli(['export', 'compose', '-f', file, '-o', '-'], { cwd: path.dirname(file), env });
    expect(exported.stdout).toMatch(/^ {2}app:$/m);
  });

  it("a diagnosis's probe failure (kind, detail, refusal) from a service that echoes the refused API key back", async () => {
    const key = canaries.API_KEY!;
    const server = http.createServer((request, response) => {
      const sent = String(request.headers['x-api-key']);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `invalid key ${sent}`, upper: sent.toUpperCase(), piece: sent.slice(4, 20), jwt: canaries.JWT_SECRET }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const file = write('http-probe/stack.yaml', 'name: leakhttp\nservices:\n  api:\n    image: x\n    ports: ["8000"]\n    environment: { API_KEY: "${API_KEY}", JWT_SECRET: "${JWT_SECRET}" }\n    readiness: { http: { port: 8000, path: /ready, headers: { X-API-Key: "${API_KEY}" } } }\n');
      const { stack, diagnostics } = await loadStack(file, { env: canaries });
      if (!stack) throw new Error(`the stack did not load: ${diagnostics.map((d) => d.message).join('; ')}`);
      const redactor = stackRedactor(stack);
      const probe = createProbe(stack.services[0]!.readiness!.probe, { redactor });
      const target = fakeTarget({ 8000: (server.address() as net.AddressInfo).port });
      const error = await waitReady(probe, target, { timeoutMs: 300, watchContainer: false, redactor }).then(() => undefined, (e: unknown) => e);
      const diagnosis = diagnose({ service: 'api', error, stack, redactor });
      expect(diagnosis.probe?.failure).toMatchObject({ probe: 'http', kind: 'auth', status: 401, headers: ['X-API-Key'] });
      expect(diagnosis.probe?.failure?.detail).toContain('invalid key');
      expect(diagnosis.rootCause.code).toBe('http-auth-refused');
      leaks.push(...findLeaks('diagnosis JSON', JSON.stringify(diagnosis), canaries));
      leaks.push(...findLeaks('up --json service.failed', JSON.stringify({ type: 'service.failed', service: 'api', at: 0, diagnosis }), canaries));
    } finally {
      server.close();
    }
    expect(leaks).toEqual([]);
  });
});
