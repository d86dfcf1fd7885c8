/**
 * The real compose file of the post-mortem stack: `stackctl validate -f` must name every cause of that
 * stack's failed start-up, each at its file:line with a fix. Asserted finding by finding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedFile } from '../../support/optional-file.js';
import { loadStack } from '../../../src/load/load.js';
import type { Diagnostic } from '../../../src/diagnostic.js';
import { validateStack } from '../../../src/validate/validate.js';
import { RULES } from '../../../src/validate/registry.js';
import { COMPOSE_RULES } from '../../../src/validate/rules/compose-rules.js';

const fixture = sharedFile('fixtures/pyairtable-compose.2025-08-06.docker-compose.yml', "the post-mortem's compose file");
const FIXTURE = fixture.path;
const ALL_RULES = [...RULES, ...COMPOSE_RULES.filter((rule) => !RULES.some((r) => r.code === rule.code))];

async function findings(env: Record<string, string>): Promise<Diagnostic[]> {
  const loaded = await loadStack(FIXTURE, { env });
  expect(loaded.format).toBe('compose');
  expect(loaded.stack, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'error'))).toBeDefined();
  return [...loaded.diagnostics, ...(await validateStack(loaded.stack!, { checkHostPorts: false, rules: ALL_RULES }))];
}

type Expected = [code: string, service: string | undefined, line: number];

function expectFinding(all: Diagnostic[], [code, service, line]: Expected): Diagnostic {
  const match = all.find((d) => d.code === code && d.service === service && d.location.line === line);
  expect(match, `${code} ${service ?? '(stack)'} line ${line} among:\n${all.map((d) => `${d.code} ${d.service} ${d.location.line}`).join('\n')}`).toBeDefined();
  expect(match!.location.file).toBe(FIXTURE);
  expect(match!.hint.length).toBeGreaterThan(10);
  return match!;
}

describe.skipIf(!fixture.present)(`pyairtable compose fixture, as found (no .env: every variable unset) ${fixture.skipNote}`, () => {
  let all: Diagnostic[];
  beforeAll(async () => {
    all = await findings({});
  });

  const expected: Expected[] = [
    ['COMPOSE005', undefined, 1],
    // Build contexts that are not there (../pyairtable-api-gateway etc.).
    ['BUILD001', 'api-gateway', 8],
    ['BUILD001', 'llm-orchestrator', 41],
    ['BUILD001', 'mcp-server', 72],
    ['BUILD001', 'airtable-gateway', 95],
    ['BUILD001', 'platform-services', 117],
    ['BUILD001', 'automation-services', 160],
    ['BUILD001', 'saga-orchestrator', 201],
    ['BUILD001', 'frontend', 293],
    // Unset variables without defaults: one finding per variable, at its first use, listing the others.
    ['ENV001', 'api-gateway', 19], // API_KEY (7 places, e.g. mcp-server's AIRTABLE_GATEWAY_API_KEY at 78)
    ['ENV001', 'api-gateway', 20], // LOG_LEVEL (a warning: only a setting)
    ['ENV001', 'llm-orchestrator', 46], // GEMINI_API_KEY
    ['ENV001', 'llm-orchestrator', 51], // AIRTABLE_TOKEN
    ['ENV001', 'llm-orchestrator', 54], // REDIS_PASSWORD, also redis's --requirepass at 259
    ['ENV001', 'platform-services', 132], // POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, in DATABASE_URL and postgres' environment
    // REDIS_URL without the password that `--requirepass ${REDIS_PASSWORD}` means (the seed's NOAUTH).
    ['CRED001', 'llm-orchestrator', 53],
    ['CRED001', 'platform-services', 133],
    ['CRED001', 'automation-services', 169],
    ['CRED001', 'saga-orchestrator', 213],
    // DATABASE_URL built from the unset POSTGRES_* variables: ENV001's finding above, not three more.
    // Plain depends_on lists: start order is not readiness.
    ['COMPOSE101', 'api-gateway', 30],
    ['COMPOSE101', 'api-gateway', 31],
    ['COMPOSE101', 'api-gateway', 32],
    ['COMPOSE101', 'llm-orchestrator', 63],
    ['COMPOSE101', 'airtable-gateway', 106],
    ['COMPOSE101', 'airtable-gateway', 107],
    ['COMPOSE101', 'platform-services', 144],
    ['COMPOSE101', 'platform-services', 145],
    ['COMPOSE101', 'automation-services', 182],
    ['COMPOSE101', 'automation-services', 183],
    ['COMPOSE101', 'automation-services', 184],
    ['COMPOSE101', 'saga-orchestrator', 236],
    ['COMPOSE101', 'saga-orchestrator', 237],
    ['COMPOSE101', 'saga-orchestrator', 238],
    ['COMPOSE101', 'saga-orchestrator', 239],
    ['COMPOSE101', 'frontend', 328],
    ['COMPOSE101', 'frontend', 329],
    ['COMPOSE101', 'frontend', 330],
    // Dependencies nobody can wait for: postgres and redis have no healthcheck (application services
    // without one are the author's call).
    ['COMPOSE102', 'redis', 254],
    ['COMPOSE102', 'postgres', 269],
    // Secrets falling back to defaults written in the file.
    ['COMPOSE103', 'platform-services', 128],
    ['COMPOSE103', 'frontend', 310],
    // (curl healthchecks in images we know nothing about are left alone: COMPOSE104 claims only what it knows.)
    // Variable names that differ from what every other service gets.
    ['COMPOSE105', 'llm-orchestrator', 47],
    ['COMPOSE105', 'mcp-server', 78],
    ['COMPOSE105', 'saga-orchestrator', 222],
    ['COMPOSE105', 'saga-orchestrator', 225],
    ['COMPOSE105', 'saga-orchestrator', 226],
    // Bind mounts of paths that do not exist; the frontend's hides /app.
    ['COMPOSE106', 'postgres', 280],
    ['COMPOSE106', 'postgres', 281],
    ['COMPOSE106', 'frontend', 320],
    // METRICS_PORT=9090 is not published (info).
    ['COMPOSE107', 'saga-orchestrator', 232],
    // (NEXT_PUBLIC_API_URL=http://localhost:8000 is read by the browser: no URL004.)
  ];

  it.each(expected)('%s for %s at line %i', (code, service, line) => {
    expectFinding(all, [code, service, line]);
  });

  it('reports nothing else from the compose rules (each finding above is meant)', () => {
    const composeFindings = all.filter((d) => d.code.startsWith('COMPOSE')).map((d) => `${d.code} ${d.service} ${d.location.line}`);
    const wanted = expected.filter(([code]) => code.startsWith('COMPOSE')).map(([code, service, line]) => `${code} ${service} ${line}`);
    expect(composeFindings.sort()).toEqual(wanted.sort());
  });

  it('says which healthcheck, default secret and mount is wrong, without printing a secret', () => {
    const jwt = expectFinding(all, ['COMPOSE103', 'platform-services', 128]);
    expect(jwt.message).toContain('JWT_SECRET');
    expect(jwt.message).not.toContain('default-jwt-secret-change-in-production');
    const apiKey = expectFinding(all, ['ENV001', 'api-gateway', 19]);
    expect(apiKey.occurrences?.map((o) => `${o.service} ${o.location.line}`)).toContain('mcp-server 78');
    expect(expectFinding(all, ['ENV001', 'llm-orchestrator', 54]).occurrences?.map((o) => `${o.service} ${o.location.line}`)).toContain('redis 259');
    expect(all.filter((d) => d.code === 'ENV001' && d.message.startsWith('REDIS_PASSWORD'))).toHaveLength(1);
    expect(all.some((d) => d.code === 'CRED002')).toBe(false);
    expect(all.some((d) => d.code === 'URL004' && d.location.line === 299)).toBe(false);
    expect(expectFinding(all, ['COMPOSE106', 'frontend', 320]).message).toContain('/app');
    expect(expectFinding(all, ['COMPOSE105', 'mcp-server', 78]).message).toMatch(/AIRTABLE_GATEWAY_API_KEY.*API_KEY/);
    expect(expectFinding(all, ['COMPOSE107', 'saga-orchestrator', 232]).message).toContain('9090');
    expect(all.some((d) => d.code === 'INTERNAL')).toBe(false);
  });
});

describe.skipIf(!fixture.present)(`pyairtable compose fixture with the .env of the post-mortem (secrets set) ${fixture.skipNote}`, () => {
  let all: Diagnostic[];
  beforeAll(async () => {
    all = await findings({
      REDIS_PASSWORD: 'r3dis-pass-from-env',
      POSTGRES_USER: 'pyairtable',
      POSTGRES_PASSWORD: 'pg-pass-from-env',
      POSTGRES_DB: 'pyairtable',
      API_KEY: 'api-key-from-env',
      LOG_LEVEL: 'info',
      AIRTABLE_BASE: 'appX',
      AIRTABLE_TOKEN: 'tok-from-env',
    });
  });

  // REDIS_PASSWORD is passed, but REDIS_URL=redis://redis:6379 carries no password while redis runs with --requirepass.
  it.each<Expected>([
    ['CRED001', 'llm-orchestrator', 53],
    ['CRED001', 'platform-services', 133],
    ['CRED001', 'automation-services', 169],
    ['CRED001', 'saga-orchestrator', 213],
  ])('%s for %s at line %i', (code, service, line) => {
    const found = expectFinding(all, [code, service, line]);
    expect(found.message).toContain('REDIS_URL');
    expect(JSON.stringify(found)).not.toContain('r3dis-pass-from-env');
  });

  it('still reports the variables that stay unset', () => {
    expectFinding(all, ['ENV001', 'llm-orchestrator', 46]); // GEMINI_API_KEY
    expect(all.some((d) => d.code === 'ENV001' && d.location.line === 259)).toBe(false);
  });
});
