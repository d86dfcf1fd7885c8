/**
 * Real containers of the example stack for integration tests, through the docker CLI.
 *
 *   const stack = await startStack('llm', ['postgres', 'redis', 'airtable-gateway', 'mcp-server', 'llm-orchestrator']);
 *   const res = await stack.http('llm-orchestrator', 'POST', '/chat', { json: { message: 'list tables' } });
 *   await stack.remove();   // in afterAll: containers (with their anonymous volumes), named volumes, network
 *
 * Each stack has its own network, random secrets and host ports (127.0.0.1, chosen by the engine), so
 * files never collide with each other or with a stack started by hand. Images are (re)built from the
 * working tree first: the engine's layer cache makes that a second or two when nothing changed, and
 * a test never runs against a stale image.
 */
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type ServiceName =
  | 'postgres'
  | 'redis'
  | 'platform-services'
  | 'airtable-gateway'
  | 'mcp-server'
  | 'llm-orchestrator'
  | 'automation-services'
  | 'saga-orchestrator'
  | 'api-gateway'
  | 'frontend';

/** Dependency order (the contract's): a service starts only after the ones before it are ready. */
export const ORDER: ServiceName[] = [
  'postgres',
  'redis',
  'platform-services',
  'airtable-gateway',
  'mcp-server',
  'llm-orchestrator',
  'automation-services',
  'saga-orchestrator',
  'api-gateway',
  'frontend',
];

export const PORTS: Partial<Record<ServiceName, number>> = {
  'platform-services': 8007,
  'airtable-gateway': 8002,
  'mcp-server': 8001,
  'llm-orchestrator': 8003,
  'automation-services': 8006,
  'saga-orchestrator': 8008,
  'api-gateway': 8000,
  frontend: 3000,
};

const ENV_NAMES: Record<ServiceName, string[]> = {
  postgres: ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'],
  redis: ['REDIS_PASSWORD'],
  'platform-services': ['DATABASE_URL', 'REDIS_URL', 'API_KEY', 'JWT_SECRET', 'LOG_LEVEL'],
  'airtable-gateway': ['DATABASE_URL', 'API_KEY', 'AIRTABLE_BASE', 'LOG_LEVEL'],
  'mcp-server': ['AIRTABLE_GATEWAY_URL', 'API_KEY', 'AIRTABLE_BASE', 'LOG_LEVEL'],
  'llm-orchestrator': ['MCP_SERVER_URL', 'REDIS_URL', 'API_KEY', 'AIRTABLE_BASE', 'LOG_LEVEL'],
  'automation-services': ['DATABASE_URL', 'MCP_SERVER_URL', 'API_KEY', 'UPLOAD_DIR', 'LOG_LEVEL'],
  'saga-orchestrator': ['DATABASE_URL', 'PLATFORM_SERVICES_URL', 'AIRTABLE_GATEWAY_URL', 'AIRTABLE_BASE', 'API_KEY', 'LOG_LEVEL'],
  'api-gateway': [
    'AIRTABLE_GATEWAY_URL',
    'MCP_SERVER_URL',
    'LLM_ORCHESTRATOR_URL',
    'PLATFORM_SERVICES_URL',
    'AUTOMATION_SERVICES_URL',
    'SAGA_ORCHESTRATOR_URL',
    'API_KEY',
    'JWT_SECRET',
    'LOG_LEVEL',
  ],
  frontend: ['API_GATEWAY_URL', 'API_KEY', 'AIRTABLE_BASE', 'LOG_LEVEL'],
};

const VOLUMES: Partial<Record<ServiceName, string>> = {
  'automation-services': '/data/uploads',
};

export const IMAGE_TAG = 'dev';
export const imageOf = (service: ServiceName): string => `stackctl-example/${service}:${IMAGE_TAG}`;
const READY_TIMEOUT_MS = 60_000;

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface HttpOptions {
  /** Entries whose value is undefined are not sent. */
  headers?: Record<string, string | undefined>;
  json?: unknown;
  body?: string | Buffer;
  /** false: send no API key (default: X-API-Key with the stack's key). */
  apiKey?: boolean;
  timeoutMs?: number;
}

export async function docker(args: string[], options: { env?: Record<string, string>; reject?: boolean } = {}) {
  return execa('docker', args, { env: options.env, reject: options.reject ?? true, stripFinalNewline: true });
}

let baseImageChecked = false;
const builtThisRun = new Set<ServiceName>();

/** Build the images of `services` from the working tree (once per test process). */
export async function buildImages(services: ServiceName[]): Promise<void> {
  if (!baseImageChecked) {
    await execa('bash', [resolve(ROOT, 'scripts/ensure-base-image.sh')]);
    baseImageChecked = true;
  }
  for (const service of services) {
    if (builtThisRun.has(service)) continue;
    const args =
      service === 'postgres' || service === 'redis'
        ? ['build', '-q', '-t', imageOf(service), resolve(ROOT, 'images', service)]
        : ['build', '-q', '-t', imageOf(service), '-f', resolve(ROOT, 'services', service, 'Dockerfile'), resolve(ROOT, 'services')];
    await docker(args);
    builtThisRun.add(service);
  }
}

function secret(): string {
  return randomBytes(18).toString('hex');
}

export class Stack {
  readonly network: string;
  readonly env: Record<string, string>;
  private readonly started: ServiceName[] = [];
  private readonly hostPorts = new Map<ServiceName, number>();
  private readonly volumes: string[] = [];

  constructor(readonly id: string) {
    this.network = id;
    const pg = { user: 'app', password: secret(), db: 'pyairtable' };
    const redisPassword = secret();
    this.env = {
      POSTGRES_USER: pg.user,
      POSTGRES_PASSWORD: pg.password,
      POSTGRES_DB: pg.db,
      REDIS_PASSWORD: redisPassword,
      API_KEY: secret(),
      JWT_SECRET: secret(),
      AIRTABLE_BASE: 'appStackctlDemo',
      LOG_LEVEL: 'info',
      DATABASE_URL: `postgresql://${pg.user}:${pg.password}@postgres:5432/${pg.db}`,
      REDIS_URL: `redis://:${redisPassword}@redis:6379/0`,
      AIRTABLE_GATEWAY_URL: 'http://airtable-gateway:8002',
      MCP_SERVER_URL: 'http://mcp-server:8001',
      LLM_ORCHESTRATOR_URL: 'http://llm-orchestrator:8003',
      PLATFORM_SERVICES_URL: 'http://platform-services:8007',
      AUTOMATION_SERVICES_URL: 'http://automation-services:8006',
      SAGA_ORCHESTRATOR_URL: 'http://saga-orchestrator:8008',
      API_GATEWAY_URL: 'http://api-gateway:8000',
      UPLOAD_DIR: '/data/uploads',
    };
  }

  get apiKey(): string {
    return this.env.API_KEY!;
  }

  container(service: ServiceName): string {
    return `${this.id}-${service}`;
  }

  url(service: ServiceName): string {
    const port = this.hostPorts.get(service);
    if (port === undefined) throw new Error(`${service} has no published port in stack ${this.id}`);
    return `http://127.0.0.1:${port}`;
  }

  async start(service: ServiceName): Promise<void> {
    const name = this.container(service);
    const args = ['run', '--detach', '--name', name, '--network', this.network, '--network-alias', service];
    args.push('--label', `com.stackctl.test=${this.id}`);
    // `-e NAME` takes the value from docker's own environment: secrets stay off the command line.
    for (const variable of ENV_NAMES[service]) args.push('-e', variable);
    const mount = VOLUMES[service];
    if (mount) {
      const volume = `${this.id}-${service}-data`;
      if (!this.volumes.includes(volume)) this.volumes.push(volume);
      args.push('-v', `${volume}:${mount}`);
    }
    const port = PORTS[service];
    if (port) args.push('-p', `127.0.0.1::${port}`);
    args.push(imageOf(service));
    await docker(args, { env: this.env });
    this.started.push(service);
    await this.readPort(service);
    await this.waitReady(service);
  }

  /** The engine picks a new host port each time a container starts: read it again. */
  private async readPort(service: ServiceName): Promise<void> {
    const port = PORTS[service];
    if (!port) return;
    const { stdout } = await docker(['port', this.container(service), `${port}/tcp`]);
    this.hostPorts.set(service, Number(stdout.split('\n')[0]!.split(':').pop()));
  }

  /** Wait until `service` proves ready with its credentials (HTTP: /ready with the API key → 200). */
  async waitReady(service: ServiceName, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.probe(service);
      if (last === 'ok') return;
      const state = await docker(
        ['inspect', '-f', '{{.State.Running}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}} finished={{.State.FinishedAt}} {{.State.Error}}', this.container(service)],
        { reject: false },
      );
      if (state.exitCode !== 0) throw new Error(`${service}: container ${this.container(service)} is gone (${state.stderr})`);
      if (state.stdout.startsWith('false')) {
        throw new Error(`${service} stopped (${state.stdout}); logs:\n${await this.logs(service, 30)}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${service} not ready after ${timeoutMs} ms (${last}); logs:\n${await this.logs(service, 30)}`);
  }

  private async probe(service: ServiceName): Promise<string> {
    if (service === 'postgres') {
      const r = await this.psql('SELECT 1', { reject: false });
      return r === '1' ? 'ok' : `psql: ${r}`;
    }
    if (service === 'redis') {
      const r = await docker(['exec', '-e', 'REDISCLI_AUTH', this.container('redis'), 'redis-cli', '--no-auth-warning', 'ping'], {
        env: { REDISCLI_AUTH: this.env.REDIS_PASSWORD! },
        reject: false,
      });
      return r.stdout === 'PONG' ? 'ok' : `redis-cli: ${r.stdout} ${r.stderr}`;
    }
    try {
      const res = await this.http(service, 'GET', '/ready', { timeoutMs: 5000 });
      return res.status === 200 ? 'ok' : `/ready ${res.status} ${res.text}`;
    } catch (error) {
      return String(error);
    }
  }

  /** One SQL statement in the postgres container; returns psql's unaligned, tuples-only output. */
  async psql(sql: string, options: { reject?: boolean } = {}): Promise<string> {
    const r = await docker(
      ['exec', '-e', 'PGPASSWORD', this.container('postgres'), 'psql', '-h', '127.0.0.1', '-U', this.env.POSTGRES_USER!, '-d', this.env.POSTGRES_DB!, '-tAqc', sql],
      { env: { PGPASSWORD: this.env.POSTGRES_PASSWORD! }, reject: options.reject ?? true },
    );
    return r.exitCode === 0 ? r.stdout.trim() : `${r.stdout} ${r.stderr}`.trim();
  }

  async redisCli(...args: string[]): Promise<string> {
    const r = await docker(['exec', '-e', 'REDISCLI_AUTH', this.container('redis'), 'redis-cli', '--no-auth-warning', ...args], {
      env: { REDISCLI_AUTH: this.env.REDIS_PASSWORD! },
    });
    return r.stdout.trim();
  }

  async logs(service: ServiceName, tail?: number): Promise<string> {
    const args = ['logs', ...(tail ? ['--tail', String(tail)] : []), this.container(service)];
    const r = await docker(args, { reject: false });
    return `${r.stdout}\n${r.stderr}`.trim();
  }

  async http(service: ServiceName, method: string, path: string, options: HttpOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
    if (options.apiKey !== false && !('X-API-Key' in headers) && !('Authorization' in headers)) headers['X-API-Key'] = this.apiKey;
    let body: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(this.url(service) + path, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const buffer = Buffer.from(await res.arrayBuffer());
    const text = buffer.toString('utf8');
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body: buffer, text, json };
  }

  async stop(service: ServiceName): Promise<void> {
    await docker(['stop', '--time', '2', this.container(service)]);
  }

  async restart(service: ServiceName): Promise<void> {
    await docker(['start', this.container(service)]);
    await this.readPort(service);
    await this.waitReady(service);
  }

  /** Remove every container (with anonymous volumes), named volume and the network of this stack. */
  async remove(): Promise<void> {
    const { stdout } = await docker(['ps', '-aq', '--filter', `label=com.stackctl.test=${this.id}`], { reject: false });
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(['rm', '-f', '-v', ...ids], { reject: false });
    for (const volume of this.volumes) await docker(['volume', 'rm', '-f', volume], { reject: false });
    await docker(['network', 'rm', this.network], { reject: false });
  }
}

/**
 * Build the images, then start `services` (sorted into dependency order) on a fresh network,
 * each proven ready before the next starts. On failure everything started is removed.
 */
export async function startStack(label: string, services: ServiceName[]): Promise<Stack> {
  const wanted = ORDER.filter((s) => services.includes(s));
  await buildImages(wanted);
  const stack = new Stack(`stackctl-it-${label}-${randomBytes(3).toString('hex')}`);
  await docker(['network', 'create', '--label', `com.stackctl.test=${stack.id}`, stack.network]);
  try {
    for (const service of wanted) await stack.start(service);
  } catch (error) {
    await stack.remove();
    throw error;
  }
  return stack;
}
