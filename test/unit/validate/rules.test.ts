/** The rules not covered by the seed fixtures, each on a minimal stack written to a temp dir. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { validateStack } from '../../../src/validate/validate.js';
import { ruleByCode } from '../../../src/validate/registry.js';

async function run(yaml: string, options: { files?: Record<string, string>; env?: Record<string, string>; code: string; checkHostPorts?: boolean }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-rule-'));
  for (const [name, text] of Object.entries({ ...options.files, 'stack.yaml': yaml })) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const loaded = await loadStack(path.join(dir, 'stack.yaml'), { env: options.env ?? {} });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const rule = ruleByCode(options.code)!;
  return validateStack(loaded.stack!, { rules: [rule], checkHostPorts: options.checkHostPorts ?? false });
}

describe('rules', () => {
  it('CRED002: a password with a space still gets the URL credential check', async () => {
    const found = await run(
      'name: t\nservices:\n  pg:\n    image: postgres:16\n    environment: { POSTGRES_USER: u, POSTGRES_PASSWORD: "right pass" }\n  app:\n    image: a\n    environment: { DATABASE_URL: "postgresql://u:wrong pass@pg:5432/u" }\n    depends_on: { pg: { condition: started } }\n',
      { code: 'CRED002' },
    );
    expect(found).toMatchObject([{ code: 'CRED002', service: 'app', location: { line: 8 } }]);
  });

  it('CRED003: a DATABASE_URL naming another database (warning)', async () => {
    const found = await run(
      'name: t\nservices:\n  pg:\n    image: postgres:16\n    environment: { POSTGRES_USER: u, POSTGRES_PASSWORD: p1234, POSTGRES_DB: main }\n  app:\n    image: a\n    environment: { DATABASE_URL: "postgresql://u:p1234@pg:5432/other" }\n    depends_on: { pg: { condition: started } }\n',
      { code: 'CRED003' },
    );
    expect(found).toMatchObject([{ code: 'CRED003', severity: 'warning', service: 'app', location: { line: 8 } }]);
    expect(found[0]!.message).toContain('"other" but pg creates "main"');
  });

  it('CRED004: a redis probe without the password redis requires', async () => {
    const found = await run('name: t\nservices:\n  redis:\n    image: redis:7\n    command: redis-server --requirepass ${PW}\n    readiness: { redis: {} }\n', { code: 'CRED004', env: { PW: 'secret-pw' } });
    expect(found).toMatchObject([{ code: 'CRED004', service: 'redis', location: { line: 6 } }]);
    expect(JSON.stringify(found)).not.toContain('secret-pw');
  });

  it('CRED004: the hint names the variable that feeds each field', async () => {
    const found = await run(
      'name: t\nservices:\n  pg:\n    image: postgres:16\n    environment: { POSTGRES_USER: "${DB_USER}", POSTGRES_PASSWORD: "${DB_PASSWORD}" }\n    readiness:\n      postgres: { user: other, password: nope1234 }\n',
      { code: 'CRED004', env: { DB_USER: 'app', DB_PASSWORD: 'pw-1234' } },
    );
    expect(found.map((f) => f.hint)).toEqual(['use `user: ${DB_USER}` in the probe', 'use `password: ${DB_PASSWORD}` in the probe']);
  });

  it('CRED004: a postgres probe logging in as another user', async () => {
    const found = await run('name: t\nservices:\n  pg:\n    image: postgres:16\n    environment: { POSTGRES_USER: app, POSTGRES_PASSWORD: pw1234 }\n    readiness:\n      postgres: { user: postgres, password: pw1234 }\n', { code: 'CRED004' });
    expect(found).toMatchObject([{ code: 'CRED004', message: expect.stringContaining('logs in as "postgres" but pg creates "app"') }]);
  });

  it('DEP004: waiting for a service to complete that always restarts (warning)', async () => {
    const found = await run('name: t\nservices:\n  migrate:\n    image: m\n    restart: always\n  app:\n    image: a\n    depends_on: { migrate: { condition: completed } }\n', { code: 'DEP004' });
    expect(found).toMatchObject([{ code: 'DEP004', severity: 'warning', service: 'app', location: { line: 8 } }]);
  });

  it('PROBE001: a probe on a port the service does not declare (warning)', async () => {
    const found = await run('name: t\nservices:\n  web:\n    image: w\n    ports: ["8000"]\n    readiness: { http: { port: 8080 } }\n', { code: 'PROBE001' });
    expect(found).toMatchObject([{ code: 'PROBE001', severity: 'warning', service: 'web' }]);
  });

  it('VOL001 / NET001: undeclared named volume and network, with did-you-mean', async () => {
    const yaml = 'name: t\nvolumes: { data: {} }\nnetworks: { backend: {} }\nservices:\n  web:\n    image: w\n    volumes: ["dat:/data", "./x:/x"]\n    networks: [backnd]\n';
    expect(await run(yaml, { code: 'VOL001' })).toMatchObject([{ code: 'VOL001', location: { line: 7 }, message: expect.stringContaining('did you mean "data"') }]);
    expect(await run(yaml, { code: 'NET001' })).toMatchObject([{ code: 'NET001', location: { line: 8 }, message: expect.stringContaining('did you mean "backend"') }]);
  });

  it('BUILD001 / BUILD002: missing context and missing Dockerfile', async () => {
    expect(await run('name: t\nservices:\n  a:\n    build: nowhere\n', { code: 'BUILD001' })).toMatchObject([{ code: 'BUILD001', service: 'a', location: { line: 4 } }]);
    const found = await run('name: t\nservices:\n  a:\n    build: { context: ., dockerfile: Dockerfile }\n', { code: 'BUILD002', files: { 'a/Dockerfile': 'FROM x\n' } });
    expect(found).toMatchObject([{ code: 'BUILD002', service: 'a' }]);
  });

  it('BUILD003: COPY relative to the Dockerfile instead of the context gets the right hint', async () => {
    const found = await run('name: t\nservices:\n  a:\n    build: { context: ., dockerfile: a/Dockerfile }\n', {
      code: 'BUILD003',
      files: { 'a/Dockerfile': 'FROM x\nCOPY app /app\n', 'a/app/main.py': '' },
    });
    expect(found).toMatchObject([{ code: 'BUILD003', location: { line: 2, col: 6 }, hint: expect.stringContaining('write `COPY a/app …`') }]);
  });

  it('BUILD003: globs, ARG substitution, stages and named contexts', async () => {
    const dockerfile = [
      'ARG APP=app',
      'FROM x AS build',
      'ARG APP=app',
      'COPY ${APP}/*.py /src/',
      'COPY *.txt /src/',
      'FROM y',
      'COPY --from=build /src /src',
      'COPY --from=common config.py /opt/',
      'COPY --from=common missing.py /opt/',
      'COPY <<EOF /x',
      'hello',
      'EOF',
      '',
    ].join('\n');
    const found = await run('name: t\nservices:\n  a:\n    build: { context: a, additional_contexts: { common: common } }\n', {
      code: 'BUILD003',
      files: { 'a/Dockerfile': dockerfile, 'a/app/main.py': '', 'common/config.py': '' },
    });
    expect(found.map((d) => [d.location.line, d.message.split(':')[0]])).toEqual([
      [5, 'COPY *.txt'],
      [9, 'COPY missing.py'],
    ]);
  });

  it('BUILD004: COPY ../x reaches outside the context', async () => {
    const found = await run('name: t\nservices:\n  a:\n    build: a\n', { code: 'BUILD004', files: { 'a/Dockerfile': 'FROM x\nCOPY ../common /opt/common\n', 'common/x.py': '' } });
    expect(found).toMatchObject([{ code: 'BUILD004', location: { line: 2 }, hint: expect.stringContaining('additional_contexts: { common: common }') }]);
  });

  it('BUILD006: package.json file: dependency and pyproject path dependency outside the context', async () => {
    const found = await run('name: t\nservices:\n  a:\n    build: a\n', {
      code: 'BUILD006',
      files: {
        'a/Dockerfile': 'FROM x\nCOPY . /app\n',
        'a/package.json': '{\n  "dependencies": {\n    "lib": "file:../lib"\n  }\n}\n',
        'a/pyproject.toml': '[tool.poetry.dependencies]\ncommon = { path = "../lib", develop = true }\ninside = { path = "./vendor/x" }\n',
        'lib/index.js': '',
      },
    });
    expect(found.map((d) => [path.basename(d.location.file), d.location.line])).toEqual([
      ['package.json', 3],
      ['pyproject.toml', 2],
    ]);
  });

  it('URL004: localhost inside a container (warning)', async () => {
    const found = await run('name: t\nservices:\n  api:\n    image: a\n    ports: ["127.0.0.1:8000:8000"]\n  web:\n    image: w\n    environment: { API_URL: "http://localhost:8000" }\n', { code: 'URL004' });
    expect(found).toMatchObject([{ code: 'URL004', severity: 'warning', service: 'web', hint: expect.stringContaining('http://api:8000') }]);
  });

  it('PORT002: a host port already in use (warning), checked by listening on it', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const yaml = `name: t\nservices:\n  web:\n    image: w\n    ports: ["127.0.0.1:${port}:80"]\n`;
      expect(await run(yaml, { code: 'PORT002', checkHostPorts: true })).toMatchObject([{ code: 'PORT002', severity: 'warning', service: 'web', location: { line: 5 } }]);
      expect(await run(yaml, { code: 'PORT002', checkHostPorts: false })).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('URL rules accept aliases, container names and external hosts', async () => {
    const yaml = [
      'name: t',
      'services:',
      '  db:',
      '    image: postgres:16',
      '    environment: { POSTGRES_PASSWORD: pw1234 }',
      '    networks: { default: { aliases: [database] } }',
      '  app:',
      '    image: a',
      '    environment:',
      '      A: postgresql://postgres:pw1234@database:5432/postgres',
      '      B: postgresql://postgres:pw1234@t-db/postgres',
      '      C: https://api.example.com/v1',
      '    depends_on: { db: { condition: started } }',
      '',
    ].join('\n');
    for (const code of ['URL001', 'URL002', 'URL003', 'CRED002']) expect(await run(yaml, { code })).toEqual([]);
  });
});
