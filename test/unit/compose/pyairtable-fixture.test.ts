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
    // Unset variables without defaults.
    ['ENV001', 'api-gateway', 19], // API_KEY
    ['ENV001', 'api-gateway', 20], // LOG_LEVEL
    ['ENV001', 'llm-orchestrator', 46], // GEMINI_API_KEY
    ['ENV001', 'llm-orchestrator', 51], // AIRTABLE_TOKEN
    ['ENV001', 'mcp-server', 78], // API_KEY as AIRTABLE_GATEWAY_API_KEY
    ['ENV001', 'redis', 259], // --requirepass ${REDIS_PASSWORD} → empty
    ['ENV001', 'postgres', 277], // POSTGRES_PASSWORD
    // REDIS_URL without the password that `--requirepass ${REDIS_PASSWORD}` means (the seed's NOAUTH).
    ['CRED001', 'llm-orchestrator', 53],
    ['CRED001', 'platform-services', 133],
    ['CRED001', 'automation-services', 169],
    ['CRED001', 'saga-orchestrator', 213],
    // DATABASE_URL built from unset variables: logs in as nobody.
    ['CRED002', 'platform-services', 132],
    ['CRED002', 'automation-services', 171],
    ['CRED002', 'saga-orchestrator', 212],
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
    // Dependencies nobody can wait for: postgres and redis have no healthcheck, nor do four services.
    ['COMPOSE102', 'api-gateway', 5],
    ['COMPOSE102', 'llm-orchestrator', 38],
    ['COMPOSE102', 'mcp-server', 69],
    ['COMPOSE102', 'airtable-gateway', 92],
    ['COMPOSE102', 'redis', 254],
    ['COMPOSE102', 'postgres', 269],
    // Secrets falling back to defaults written in the file.
    ['COMPOSE103', 'platform-services', 128],
    ['COMPOSE103', 'frontend', 310],
    // curl healthchecks in images that may not have curl.
    ['COMPOSE104', 'platform-services', 150],
    ['COMPOSE104', 'automation-services', 191],
    ['COMPOSE104', 'saga-orchestrator', 245],
    ['COMPOSE104', 'frontend', 335],
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
    // METRICS_PORT=9090 is not published.
    ['COMPOSE107', 'saga-orchestrator', 232],
    // localhost inside a container is the container itself.
    ['URL004', 'frontend', 299],
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
    expect(expectFinding(all, ['COMPOSE104', 'platform-services', 150]).message).toContain('curl');
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
