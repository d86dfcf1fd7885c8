import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { parseStatus } from '../../../src/suite/checks/parse-context.js';
import { loadSuite, parseSuite, SuiteError } from '../../../src/suite/load-suite.js';
import { makeStack, service } from './helpers.js';

const stack = makeStack('/s', [service('api-gateway', 8000), service('platform-services', 8007)]);

function problems(yaml: string): string[] {
  const { suite, diagnostics } = parseSuite(parseYamlSource(yaml, '/s/suite.yaml'), { stack });
  expect(suite).toBeUndefined();
  return diagnostics.map((d) => `${d.location.line}:${d.location.col} ${d.message} — ${d.hint}`);
}

describe('suite loading', () => {
  it('normalises checks: ids, kinds, URLs from path + service, defaults, implicit requires', () => {
    const { suite, diagnostics } = parseSuite(
      parseYamlSource(
        `version: 1
name: demo
defaults: { timeout: 5s, headers: { X-API-Key: "\${API_KEY}" } }
vars: { EMAIL: "u-\${run.id}@x.test", PASSWORD: { value: "pw-\${run.random}", secret: true } }
criteria: { categories: { Service Health: 90 } }
categories:
  - name: Service Health
    health: true
    checks:
      - { name: api-gateway, service: api-gateway, http: { path: /health } }
      - { name: platform, service: platform-services, tcp: { port: 8007 } }
  - name: Auth
    checks:
      - name: Login
        service: platform-services
        http: { url: "\${services.api-gateway.url}/api/auth/login", json: { email: "\${vars.EMAIL}" } }
        expect: { status: "2xx" }
        capture: { token: access_token, user_id: { json: user.id, secret: false }, rid: { header: X-Request-Id } }
      - name: Validate
        id: validate
        requires: [service-health/api-gateway]
        timeout: 2s
        http: { url: "\${services.api-gateway.url}/api/auth/validate", headers: { Authorization: "Bearer \${captures.token}" } }
`,
        '/s/suite.yaml',
      ),
      { stack },
    );
    expect(diagnostics).toEqual([]);
    expect(suite?.categories).toEqual(['Service Health', 'Auth']);
    expect(suite?.categoryCriteria).toEqual({ 'Service Health': 90 });
    expect(suite?.vars).toEqual([
      { name: 'EMAIL', value: 'u-${run.id}@x.test', secret: false },
      { name: 'PASSWORD', value: 'pw-${run.random}', secret: true },
    ]);
    const [health, tcp, login, validate] = suite?.checks ?? [];
    expect(health).toMatchObject({ id: 'service-health/api-gateway', kind: 'http', health: true, timeoutMs: 5000, location: { line: 10, col: 9 } });
    expect(health?.spec).toMatchObject({ request: { method: 'GET', url: '${services.api-gateway.url}/health', headers: { 'X-API-Key': '${API_KEY}' } } });
    expect(tcp?.spec).toEqual({ kind: 'tcp', host: '${services.platform-services.host}', port: '${services.platform-services.ports.8007}' });
    expect(login).toMatchObject({ id: 'auth/login', health: false, requires: [] });
    expect(login?.spec).toMatchObject({
      request: { method: 'POST', body: { kind: 'json' } },
      expect: { status: [{ min: 200, max: 299 }] },
      captures: [
        { name: 'token', from: { json: 'access_token' }, secret: true },
        { name: 'user_id', from: { json: 'user.id' }, secret: false },
        { name: 'rid', from: { header: 'x-request-id' }, secret: false },
      ],
    });
    expect(validate).toMatchObject({ id: 'auth/validate', timeoutMs: 2000, requires: ['service-health/api-gateway', 'auth/login'] });
  });

  it('reports every problem at its line, with a hint', () => {
    expect(
      problems(`version: 1
name: bad
categories:
  - name: A
    checks:
      - { name: no kind, service: api-gateway }
      - { name: two kinds, service: api-gateway, tcp: {}, http: { path: / } }
      - { name: typo, servce: api-gateway, http: { path: / } }
      - { name: unknown svc, service: api-gatewey, http: { path: / } }
      - { name: early, requires: later, http: { url: "\${services.api-gateway.url}/" } }
      - { name: later, http: { url: "\${services.api-gateway.url}/x" } }
      - { name: later, http: { url: "\${services.api-gateway.urls}/x" } }
      - { name: cap, http: { url: "\${services.api-gateway.url}/\${captures.nope}", headers: { a: "\${vars.missing}" } } }
      - { name: status, http: { url: "http://x/" }, expect: { status: 2000 } }
      - { name: path needs service, http: { path: /x } }
      - { name: bad regex, http: { url: "http://x/" }, expect: { body: "(" } }
      - { name: unclosed, http: { url: "\${API_KEY" } }
`),
    ).toMatchInlineSnapshot(`
      [
        "8:23 unknown key \`servce\` in categories[0].checks[2] — did you mean \`service\`? — rename \`servce\` to \`service\`",
      ]
    `);
    expect(
      problems(`version: 1
name: bad
categories:
  - name: A
    checks:
      - { name: no kind, service: api-gateway }
      - { name: two kinds, service: api-gateway, tcp: {}, http: { path: / } }
      - { name: unknown svc, service: api-gatewey, http: { path: / } }
      - { name: early, requires: later, http: { url: "\${services.api-gateway.url}/" } }
      - { name: later, http: { url: "\${services.api-gateway.url}/x" } }
      - { name: later, http: { url: "\${services.api-gateway.urls}/x" } }
      - { name: cap, http: { url: "\${services.api-gateway.url}/\${captures.nope}", headers: { a: "\${vars.missing}" } } }
      - { name: status, http: { url: "http://x/" }, expect: { status: 2000 } }
      - { name: path needs service, http: { path: /x } }
      - { name: bad regex, http: { url: "http://x/" }, expect: { body: "(" } }
      - { name: unclosed, http: { url: "\${API_KEY" } }
      - { name: attr, http: { url: "\${services.api-gateway.urls}/x" } }
`),
    ).toMatchInlineSnapshot(`
      [
        "6:9 check "no kind" has no kind — give exactly one of: http, tcp, postgres, redis, load, metric, external, browser",
        "7:9 check "two kinds" has 2 kinds (http, tcp) — give exactly one of: http, tcp, postgres, redis, load, metric, external, browser",
        "8:39 unknown service "api-gatewey" — did you mean "api-gateway"?",
        "9:34 requires "later", which is not an earlier check — a check can require only checks above it (by id: \`<category slug>/<check slug>\` or its \`id:\`)",
        "11:17 duplicate check id "a/later" — give one of the checks its own \`id:\`",
        "12:64 \${captures.nope}: no earlier check captures "nope" — add \`capture: { nope: <json path> }\` to an earlier check, or give a default: \${captures.nope:-…}",
        "12:98 \${vars.missing}: no suite variable "missing" — declare it under vars: (declared: none)",
        "13:71 invalid status "2000": use 200, "2xx", "200-299" or a list of them — e.g. status: 201",
        "14:9 check "path needs service" needs a service to build its URL from — add \`service: <name>\`, or give a full URL",
        "15:64 invalid regular expression /(/: Invalid regular expression: /(/: Unterminated group — fix the pattern (JavaScript syntax)",
        "16:40 unclosed "\${API_KEY" at offset 0: add the closing "}" — templates look like \${VAR}, \${vars.x}, \${captures.x}, \${services.NAME.url}; write $$ for a literal $",
        "17:37 \${services.api-gateway.urls}: unknown service attribute — use \${services.NAME.url}, .host, .port or .ports.<container port>",
      ]
    `);
  });

  it('parses status expectations', () => {
    expect(parseStatus(200, [])).toEqual([{ min: 200, max: 200 }]);
    expect(parseStatus(['2xx', '404', '300-302'], [])).toEqual([
      { min: 200, max: 299 },
      { min: 404, max: 404 },
      { min: 300, max: 302 },
    ]);
    expect(parseStatus('ok', [])).toBe('invalid status "ok": use 200, "2xx", "200-299" or a list of them');
  });
});

describe('loadSuite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackctl-suite-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('throws one SuiteError carrying every diagnostic, the first as file:line', async () => {
    const file = join(dir, 'suite.yaml');
    await writeFile(file, 'version: 1\nname: x\ncategories:\n  - name: A\n    checks:\n      - { name: a }\n      - { name: b }\n');
    const error = await loadSuite(file, { stack }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuiteError);
    expect((error as SuiteError).shortMessage).toBe(`${file}:6:9: check "a" has no kind (and 1 more problem)`);
    expect((error as SuiteError).diagnostics).toHaveLength(2);
  });

  it('reports YAML syntax errors at their line', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'version: 1\nname: x\ncategories: [\n');
    const error = (await loadSuite(file).catch((e: unknown) => e)) as SuiteError;
    expect(error.shortMessage).toMatch(new RegExp(`^${file}:\\d+:\\d+: `));
  });

  it('says so when the file is missing', async () => {
    const error = (await loadSuite(join(dir, 'nope.yaml')).catch((e: unknown) => e)) as SuiteError;
    expect(error).toBeInstanceOf(SuiteError);
    expect(error.message).toMatch(/nope\.yaml/);
  });
});
