/**
 * Every seed failure as a small broken stack (test/fixtures/validate/): the finding's code, service and
 * line, and the CLI's exit code and wording (cause + fix).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { validateStack } from '../../../src/validate/validate.js';
import type { Diagnostic } from '../../../src/diagnostic.js';
import { runCli } from '../../support/cli.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/validate');

/** 1-based line of the first line containing `marker` in a fixture file. */
function lineOf(file: string, marker: string, occurrence = 0): number {
  const lines = readFileSync(path.join(FIXTURES, file), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(marker) && seen++ === occurrence) return i + 1;
  }
  throw new Error(`${marker} not in ${file}`);
}

async function findings(fixture: string): Promise<{ diagnostics: Diagnostic[]; loaded: boolean }> {
  const loaded = await loadStack(path.join(FIXTURES, fixture, 'stack.yaml'), { env: {}, cwd: FIXTURES });
  const diagnostics = [...loaded.diagnostics];
  if (loaded.stack) diagnostics.push(...(await validateStack(loaded.stack, { checkHostPorts: false })));
  return { diagnostics, loaded: loaded.stack !== undefined };
}

interface Expected {
  fixture: string;
  code: string;
  service?: string;
  /** [file relative to the fixture dir, marker text] → expected line. */
  at: [string, string, number?];
  message: RegExp;
  hint: RegExp;
  /** Default error. */
  severity?: 'error' | 'warning';
}

const cases: Expected[] = [
  {
    fixture: 'redis-password-unset',
    code: 'ENV001',
    service: 'redis',
    at: ['stack.yaml', 'command: redis-server'],
    message: /REDIS_PASSWORD is not set, so \$\{REDIS_PASSWORD\} becomes an empty string in the command/,
    hint: /set REDIS_PASSWORD in \.env/,
  },
  {
    fixture: 'redis-password-unset',
    code: 'ENV004',
    service: 'redis',
    at: ['stack.yaml', 'readiness:'],
    message: /redis readiness probe's password is empty/,
    hint: /REDIS_PASSWORD/,
  },
  {
    fixture: 'redis-url-no-password',
    code: 'CRED001',
    service: 'platform-services',
    at: ['stack.yaml', 'REDIS_URL='],
    message: /REDIS_URL connects to redis without a password, but redis runs with --requirepass/,
    hint: /REDIS_URL=redis:\/\/:\$\{REDIS_PASSWORD\}@redis:6379\/0/,
  },
  {
    fixture: 'database-url-mismatch',
    code: 'CRED002',
    service: 'automation-services',
    at: ['stack.yaml', 'DATABASE_URL'],
    message: /logs in as "admin" but postgres creates the user "pyairtable" \(POSTGRES_USER\)/,
    hint: /postgresql:\/\/\$\{POSTGRES_USER\}:\$\{POSTGRES_PASSWORD\}@postgres:5432\/\$\{POSTGRES_DB\}/,
  },
  {
    fixture: 'editable-outside-context',
    code: 'BUILD006',
    service: 'mcp-server',
    at: ['mcp-server/requirements.txt', '-e ../pyairtable-common'],
    message: /requirements\.txt needs -e \.\.\/pyairtable-common, which is outside the build context/,
    hint: /context: \., dockerfile: mcp-server\/Dockerfile.*additional_contexts: \{ pyairtable-common: pyairtable-common \}/,
  },
  {
    fixture: 'module-not-in-context',
    code: 'BUILD003',
    service: 'airtable-gateway',
    at: ['airtable-gateway/Dockerfile', 'COPY pyairtable-common/config.py'],
    message: /COPY pyairtable-common\/config\.py: not found in the build context airtable-gateway/,
    hint: /widen the build context so it contains pyairtable-common: `build: \{ context: \., dockerfile: airtable-gateway\/Dockerfile \}`/,
  },
  {
    fixture: 'no-start-order',
    code: 'URL003',
    service: 'mcp-server',
    at: ['stack.yaml', 'AIRTABLE_GATEWAY_URL'],
    message: /mcp-server talks to airtable-gateway \(AIRTABLE_GATEWAY_URL\) but does not depend on it/,
    hint: /add airtable-gateway to services\.mcp-server\.depends_on/,
    severity: 'warning', // a risk: most clients retry
  },
  {
    fixture: 'probe-credential-empty',
    code: 'ENV004',
    service: 'postgres',
    at: ['stack.yaml', 'readiness:'],
    message: /postgres readiness probe's password is empty/,
    hint: /set it in \.env/,
  },
  {
    fixture: 'probe-credential-empty',
    code: 'ENV002',
    service: 'postgres',
    at: ['stack.yaml', 'PROBE_PASSWORD'],
    message: /PROBE_PASSWORD is set but empty/,
    hint: /give PROBE_PASSWORD a value/,
  },
  {
    fixture: 'requires-env-missing',
    code: 'ENV003',
    service: 'api-gateway',
    at: ['stack.yaml', 'api-gateway:'],
    message: /api-gateway requires API_KEY at start, but its container does not get API_KEY/,
    hint: /add `API_KEY: \$\{API_KEY\}` under services\.api-gateway\.environment/,
  },
  {
    fixture: 'cycle',
    code: 'DEP002',
    service: 'a',
    at: ['stack.yaml', '{ b:'],
    message: /dependency cycle: a → b → c → a/,
    hint: /break the cycle/,
  },
  {
    fixture: 'unknown-dependency',
    code: 'DEP001',
    service: 'api',
    at: ['stack.yaml', 'postgress'],
    message: /api depends on "postgress", which is not a service of this stack — did you mean "postgres"\?/,
    hint: /rename the dependency to postgres/,
  },
  {
    fixture: 'ready-without-probe',
    code: 'DEP003',
    service: 'worker',
    at: ['stack.yaml', 'depends_on: [queue]'],
    message: /worker waits for queue to be ready, but queue has no readiness probe/,
    hint: /condition: started/,
  },
  {
    fixture: 'url-host-port',
    code: 'URL002',
    service: 'llm-orchestrator',
    at: ['stack.yaml', 'GATEWAY_URL'],
    message: /GATEWAY_URL reaches airtable-gateway on port 8001, but airtable-gateway listens on 8002/,
    hint: /use port 8002/,
  },
  {
    fixture: 'url-host-port',
    code: 'URL001',
    service: 'llm-orchestrator',
    at: ['stack.yaml', 'MCP_SERVER_URL'],
    message: /MCP_SERVER_URL points at host "mcp-server", which is not a service or alias of this stack/,
    hint: /use a service name/,
  },
  {
    fixture: 'duplicate-port',
    code: 'PORT001',
    service: 'admin',
    at: ['stack.yaml', 'target: 8080'],
    message: /host port 18080\/tcp is already published by web/,
    hint: /publish another host port/,
  },
  {
    fixture: 'dockerignored-source',
    code: 'BUILD005',
    service: 'app',
    at: ['app/Dockerfile', 'COPY src'],
    message: /COPY src: excluded from the build context by dockerignored-source\/app\/\.dockerignore|COPY src: excluded from the build context by .*\.dockerignore/,
    hint: /!src/,
  },
  {
    fixture: 'malformed-yaml',
    code: 'YAML001',
    // At the `[` that is never closed (the yaml package itself reports the next line).
    at: ['stack.yaml', 'image: [unclosed'],
    message: /YAML syntax error: .*never closed/,
    hint: /./,
  },
  {
    fixture: 'wrong-types',
    code: 'SCHEMA001',
    service: 'web',
    at: ['stack.yaml', 'ports: 8080'],
    message: /services\.web\.ports: expected a list of ports \(got number 8080\)/,
    hint: /YAML list/,
  },
  {
    fixture: 'wrong-types',
    code: 'SCHEMA001',
    service: 'web',
    at: ['stack.yaml', 'secrets: API_KEY'],
    message: /services\.web\.secrets: expected a list of variable names \(got the string "API_KEY"\)/,
    hint: /YAML list/,
  },
  {
    fixture: 'wrong-types',
    code: 'SCHEMA001',
    service: 'web',
    at: ['stack.yaml', 'start_timeout'],
    message: /invalid duration "soon"/,
    hint: /30s/,
  },
  {
    fixture: 'wrong-types',
    code: 'SCHEMA002',
    service: 'web',
    at: ['stack.yaml', 'readyness'],
    message: /unknown key `readyness` in services\.web — did you mean `readiness`\?/,
    hint: /rename `readyness` to `readiness`/,
  },
  {
    fixture: 'wrong-types',
    code: 'SCHEMA001',
    service: 'worker',
    at: ['stack.yaml', 'restart: sometimes'],
    message: /invalid restart policy "sometimes"/,
    hint: /on-failure/,
  },
];

describe('validate fixtures (one per seed failure)', () => {
  it.each(cases.map((c) => [`${c.fixture} → ${c.code} ${c.service ?? ''} @ ${c.at[1]}`, c] as const))('%s', async (_, c) => {
    const { diagnostics } = await findings(c.fixture);
    const line = lineOf(path.join(c.fixture, c.at[0]), c.at[1], c.at[2]);
    const file = path.join(FIXTURES, c.fixture, c.at[0]);
    const match = diagnostics.find((d) => d.code === c.code && d.service === c.service && d.location.file === file && d.location.line === line);
    expect(match, `no ${c.code} for ${c.service} at ${c.at[0]}:${line}; got:\n${diagnostics.map((d) => `${d.code} ${d.service} ${d.location.file}:${d.location.line} ${d.message}`).join('\n')}`).toBeDefined();
    expect(match!.severity).toBe(c.severity ?? 'error');
    expect(match!.message).toMatch(c.message);
    expect(match!.hint).toMatch(c.hint);
    expect(match!.location.col).toBeGreaterThan(0);
  });

  it('reports every YAML syntax error of a file, not only the first', async () => {
    const { diagnostics, loaded } = await findings('malformed-yaml');
    expect(loaded).toBe(false);
    const lines = diagnostics.filter((d) => d.code === 'YAML001').map((d) => d.location.line);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines).toContain(lineOf('malformed-yaml/stack.yaml', 'unterminated'));
  });

  it('reports every schema error at once', async () => {
    const { diagnostics } = await findings('wrong-types');
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code).sort()).toEqual([
      'SCHEMA001',
      'SCHEMA001',
      'SCHEMA001',
      'SCHEMA001',
      'SCHEMA002',
    ]);
  });

  it('finds nothing in the valid fixture', async () => {
    const { diagnostics, loaded } = await findings('ok');
    expect(loaded).toBe(true);
    expect(diagnostics).toEqual([]);
  });

  it('no-start-order: a URL without depends_on is a warning (exit 0), an error with --strict', async () => {
    const result = await runCli(['validate', '-f', 'no-start-order/stack.yaml', '--no-port-check'], { cwd: FIXTURES, env: {} });
    expect(result.stdout).toMatch(/warning URL003/);
    expect(result.exitCode).toBe(0);
    expect((await runCli(['validate', '-f', 'no-start-order/stack.yaml', '--no-port-check', '--strict'], { cwd: FIXTURES, env: {} })).exitCode).toBe(1);
  });

  it('never puts a secret value in a finding', async () => {
    for (const fixture of ['redis-url-no-password', 'database-url-mismatch']) {
      const { diagnostics } = await findings(fixture);
      const text = JSON.stringify(diagnostics);
      expect(text).not.toContain('fixture-redis-secret');
      expect(text).not.toContain('fixture-pg-secret');
      expect(text).not.toContain('fixture-old-secret');
    }
  });
});

describe('stackctl validate on the fixtures', () => {
  const broken = [...new Set(cases.filter((c) => (c.severity ?? 'error') === 'error').map((c) => c.fixture))];
  it.each(broken)('%s: exits 1 and names the cause and the fix', async (fixture) => {
    const result = await runCli(['validate', '-f', path.join(FIXTURES, fixture, 'stack.yaml'), '--no-port-check'], { cwd: FIXTURES, env: {} });
    expect(result.exitCode).toBe(1);
    const first = cases.find((c) => c.fixture === fixture)!;
    expect(result.stdout).toContain(first.code);
    expect(result.stdout).toMatch(first.message);
    expect(result.stdout).toContain('hint: ');
    expect(result.stdout).toMatch(/✖ .*\d+ errors?/);
    expect(result.stderr).toBe('');
  });

  it('groups findings per service and prints file:line:col', async () => {
    const result = await runCli(['validate', '-f', 'redis-password-unset/stack.yaml', '--no-port-check'], { cwd: FIXTURES, env: {} });
    expect(result.stdout).toMatch(new RegExp(`^redis\\n  error   ENV001  redis-password-unset/stack.yaml:${lineOf('redis-password-unset/stack.yaml', 'command: redis-server')}:\\d+: `, 'm'));
    // One unset variable, one finding, naming every place it is used (redis' command and probe, cache-user's URL).
    expect(result.stdout).toMatch(/REDIS_PASSWORD is not set.*used in 3 places: line \d+ \(redis\), line \d+ \(redis\), line \d+ \(cache-user\)/);
    expect(result.stdout.match(/ENV001/g)).toHaveLength(1);
    expect(result.stdout).not.toMatch(/\u001b\[/); // not a TTY: no colour
  });

  it('--json is the documented, stable shape and redacts secrets', async () => {
    const result = await runCli(['validate', '-f', 'redis-url-no-password/stack.yaml', '--json', '--no-port-check'], { cwd: FIXTURES, env: {} });
    expect(result.exitCode).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'file', 'format', 'stack', 'ok', 'strict', 'summary', 'diagnostics']);
    expect(doc).toMatchObject({ schemaVersion: 1, format: 'stackctl', stack: 'seed-redis-url', ok: false, strict: false });
    expect(doc.diagnostics[0]).toEqual({
      code: 'CRED001',
      severity: 'error',
      service: 'platform-services',
      location: { file: path.join(FIXTURES, 'redis-url-no-password/stack.yaml'), line: lineOf('redis-url-no-password/stack.yaml', 'REDIS_URL='), col: 9 },
      message: expect.stringContaining('REDIS_URL connects to redis without a password'),
      hint: expect.any(String),
    });
    expect(result.stdout).not.toContain('fixture-redis-secret');
  });

  it('exits 0 on a valid stack; warnings fail only with --strict', async () => {
    const ok = await runCli(['validate', '-f', 'ok/stack.yaml', '--no-port-check'], { cwd: FIXTURES, env: {} });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('✔ ok (2 services, stack.yaml): no problems found');
    // Only a warning (URL004: localhost inside a container).
    const warned = await runCli(['validate', '-f', 'warnings-only/stack.yaml', '--no-port-check'], { cwd: FIXTURES, env: {} });
    expect(warned.stdout).toMatch(/warning URL004/);
    expect(warned.exitCode).toBe(0);
    const strict = await runCli(['validate', '-f', 'warnings-only/stack.yaml', '--no-port-check', '--strict'], { cwd: FIXTURES, env: {} });
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toContain('(warnings fail with --strict)');
  });

  it('exits 2 for usage errors', async () => {
    expect((await runCli(['validate', '-f', 'nope/stack.yaml'], { cwd: FIXTURES, env: {} })).exitCode).toBe(2);
    expect((await runCli(['validate', '--bogus'], { cwd: FIXTURES, env: {} })).exitCode).toBe(2);
    expect((await runCli(['validate'], { cwd: path.join(FIXTURES, 'ok', '..', '..'), env: {} })).exitCode).toBe(2);
  });
});
