/**
 * The compose v3 file for `docker stack deploy`: no build, no depends_on, dnsrr and host-mode ports,
 * healthchecks that are stackctl's authenticated probes reading /run/secrets, and no secret value in
 * the text (they come from the deploy's environment). And the level-by-level deploy over a fake Swarm.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadStack } from '../../../src/load/load.js';
import { swarmCompose } from '../../../src/swarm/compose-v3.js';
import { parseTaskPorts, type SwarmEngine, type SwarmTask } from '../../../src/swarm/swarm-engine.js';
import { swarmUp, type SwarmEvent } from '../../../src/swarm/swarm-up.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SECRETS = { POSTGRES_USER: 'pyuser', POSTGRES_PASSWORD: 'pg-swarm-secret-1', POSTGRES_DB: 'pydb', REDIS_PASSWORD: 'redis-swarm-secret-2', API_KEY: 'api-swarm-secret-3', JWT_SECRET: 'jwt-swarm-secret-4' };
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-swarm-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface V3Service {
  image: string;
  build?: unknown;
  depends_on?: unknown;
  environment?: Record<string, string>;
  ports?: Array<Record<string, unknown>>;
  healthcheck?: { test: string[]; retries: number; start_period: string };
  secrets?: Array<{ source: string; target: string }>;
  deploy: { endpoint_mode: string };
}

describe('swarm compose v3', async () => {
  const stack = (await loadStack(path.join(repo, 'stack.yaml'), { env: SECRETS })).stack!;
  const result = swarmCompose(stack);
  const doc = parse(result.text) as { services: Record<string, V3Service>; secrets: Record<string, { external: boolean; name: string }> };

  it('holds no secret value; the deploy environment carries them', () => {
    for (const value of Object.values(SECRETS).filter((v) => v.includes('secret'))) expect(result.text).not.toContain(value);
    expect(result.deployEnv).toEqual({
      STACKCTL_SECRET_POSTGRES_PASSWORD: SECRETS.POSTGRES_PASSWORD,
      STACKCTL_SECRET_REDIS_PASSWORD: SECRETS.REDIS_PASSWORD,
      STACKCTL_SECRET_API_KEY: SECRETS.API_KEY,
      STACKCTL_SECRET_JWT_SECRET: SECRETS.JWT_SECRET,
    });
    expect(doc.services['platform-services']!.environment!.DATABASE_URL).toBe('postgresql://pyuser:${STACKCTL_SECRET_POSTGRES_PASSWORD}@postgres:5432/pydb');
    expect(result.warnings).toEqual([]);
  });

  it('has no build or depends_on, uses dnsrr and host-mode ports, publishes probe ports on an engine-chosen port', () => {
    for (const service of Object.values(doc.services)) {
      expect(service.build).toBeUndefined();
      expect(service.depends_on).toBeUndefined();
      expect(service.deploy.endpoint_mode).toBe('dnsrr');
      for (const port of service.ports ?? []) expect(port.mode).toBe('host');
    }
    expect(doc.services.postgres!.ports).toEqual([{ target: 5432, protocol: 'tcp', mode: 'host' }]);
    expect(doc.services['api-gateway']!.ports).toEqual([{ target: 8000, published: 8000, protocol: 'tcp', mode: 'host' }]);
  });

  it('turns each probe into a healthcheck reading its credential from a Docker secret file', () => {
    expect(doc.services.postgres!.healthcheck!.test).toEqual(['CMD', 'sh', '-c', `PGPASSWORD="$$(cat /run/secrets/POSTGRES_PASSWORD)" psql -h 127.0.0.1 -p 5432 -U pyuser -d pydb -tAc 'SELECT 1' >/dev/null`]);
    expect(doc.services.postgres!.secrets).toEqual([{ source: 'POSTGRES_PASSWORD', target: 'POSTGRES_PASSWORD', mode: 0o444 }]);
    expect(doc.services.frontend!.healthcheck!.test[3]).toContain('open("/run/secrets/API_KEY").read().strip()');
    expect(doc.services.frontend!.healthcheck!.start_period).toBe('1m');
    expect(doc.secrets.API_KEY!.external).toBe(true);
    expect(doc.secrets.API_KEY!.name).toMatch(/^pyairtable_API_KEY_[0-9a-f]{10}$/);
  });

  it('parses docker stack ps ports once per binding', () => {
    expect(parseTaskPorts('*:32768->6379/tcp,*:32768->6379/tcp,*:8000->8000/tcp')).toEqual([{ published: 32768, target: 6379, protocol: 'tcp' }, { published: 8000, target: 8000, protocol: 'tcp' }]);
  });
});

/** A Swarm in memory: a deployed service's task runs at once, unless it is told to fail. */
class FakeSwarm implements SwarmEngine {
  manager = false;
  deploys: string[][] = [];
  secrets: string[] = [];
  services = new Set<string>();
  constructor(private readonly failing: Set<string> = new Set()) {}
  async info() { return { state: this.manager ? 'active' : 'inactive', manager: this.manager, nodeId: 'n1', nodes: 1 }; }
  async init() { this.manager = true; }
  async leave() { this.manager = false; }
  async secretNames() { return this.secrets; }
  async createSecret(name: string) { this.secrets.push(name); }
  async removeSecret(name: string) { this.secrets = this.secrets.filter((s) => s !== name); }
  async deploy(_stack: string, file: string) {
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    const names = Object.keys((parse(text) as { services: Record<string, unknown> }).services);
    this.deploys.push(names.filter((n) => !this.services.has(n)));
    for (const n of names) this.services.add(n);
  }
  async tasks(stack: string): Promise<SwarmTask[]> {
    return [...this.services].map((service) => ({
      id: service, name: `${stack}_${service}.1`, service, node: 'vm', desiredState: 'Running',
      currentState: this.failing.has(service) ? 'Failed 1 second ago' : 'Running 1 second ago', error: this.failing.has(service) ? 'task: non-zero exit (1)' : '', ports: [],
    })).flatMap((task) => (this.failing.has(task.service) ? [task, task, task] : [task]));
  }
  async nodeAddress() { return '127.0.0.1'; }
  async removeStack() { this.services.clear(); }
  async removeVolumes() { return []; }
  async stacks() { return this.services.size > 0 ? ['pyairtable'] : []; }
  async serviceLogs() { return 'boom\n'; }
}

describe('swarmUp over a fake Swarm', async () => {
  const stack = (await loadStack(path.join(repo, 'stack.yaml'), { env: SECRETS })).stack!;

  it('initialises the swarm, creates the secrets and deploys level by level', async () => {
    const swarm = new FakeSwarm();
    const events: SwarmEvent[] = [];
    const result = await swarmUp(stack, swarm, { resolveImage: 'never', workDir: work, pollMs: 1, onEvent: (e) => events.push(e) });
    expect(result.initialized).toBe(true);
    expect(events[0]).toMatchObject({ type: 'swarm.init' });
    expect(swarm.secrets).toHaveLength(3);
    expect(swarm.deploys).toEqual([
      ['postgres', 'redis'],
      ['platform-services', 'airtable-gateway'],
      ['mcp-server', 'saga-orchestrator'],
      ['llm-orchestrator', 'automation-services'],
      ['api-gateway'],
      ['frontend'],
    ]);
    expect(result.services.every((s) => s.state === 'ready')).toBe(true);
  });

  it('a failing task fails its service and blocks its dependants, which are never deployed', async () => {
    const swarm = new FakeSwarm(new Set(['mcp-server']));
    swarm.manager = true;
    const result = await swarmUp(stack, swarm, { resolveImage: 'never', workDir: work, pollMs: 1 });
    expect(result.initialized).toBe(false);
    const states = Object.fromEntries(result.services.map((s) => [s.service, s.state]));
    expect(states).toMatchObject({ 'mcp-server': 'failed', 'llm-orchestrator': 'blocked', 'automation-services': 'blocked', 'api-gateway': 'blocked', frontend: 'blocked', 'saga-orchestrator': 'ready' });
    expect(result.services.find((s) => s.service === 'mcp-server')!.reason).toBe('its task failed 3 times: task: non-zero exit (1); last log lines: boom');
    expect(swarm.deploys.flat()).not.toContain('api-gateway');
  });
});
