/**
 * The example stack's services as real containers for integration tests, started by stackctl itself.
 *
 *   const stack = await startStack('llm', ['postgres', 'redis', 'airtable-gateway', 'mcp-server', 'llm-orchestrator']);
 *   const res = await stack.http('llm-orchestrator', 'POST', '/chat', { json: { message: 'list tables' } });
 *   await stack.remove();   // in afterAll: `stackctl down -v`, plus any extra container labelled with the stack's id
 *
 * startStack writes a stack file with only the wanted services of the repository's stack.yaml (their
 * readiness probes, environment and volumes unchanged) and runs `stackctl up --no-build` on it: the
 * images were built once by the integration tests' global setup (test/support/global-setup.ts).
 * Each stack has its own project name, random secrets and free host ports, so files never collide
 * with each other or with a stack started by hand.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { exampleSecrets } from '../../../bench/example-env.mjs';
import { freePort } from '../engine/cli.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = resolve(ROOT, 'bin/stackctl.js');

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

/** The host-port variable of stack.yaml for each published service (`127.0.0.1:${X_PORT:-8007}:8007`). */
const PORT_VARIABLE: Partial<Record<ServiceName, string>> = {
  'platform-services': 'PLATFORM_SERVICES_PORT',
  'airtable-gateway': 'AIRTABLE_GATEWAY_PORT',
  'mcp-server': 'MCP_SERVER_PORT',
  'llm-orchestrator': 'LLM_ORCHESTRATOR_PORT',
  'automation-services': 'AUTOMATION_SERVICES_PORT',
  'saga-orchestrator': 'SAGA_ORCHESTRATOR_PORT',
  'api-gateway': 'API_GATEWAY_PORT',
  frontend: 'FRONTEND_PORT',
};

export class Stack {
  /** The network stackctl created (`<stack>_default`): extra containers (variants.ts) join it. */
  readonly network: string;
  /** What stackctl is given (secrets, host ports) and what the services compute from it (URLs). */
  readonly env: Record<string, string>;
  private readonly hostPorts = new Map<ServiceName, number>();

  constructor(
    readonly id: string,
    readonly file: string,
    ports: Record<string, string>,
  ) {
    this.network = `${id}_default`;
    // A postgres user other than .env.example's 'pyairtable': a service that assumed the name would fail here.
    const given: Record<string, string> = { ...exampleSecrets(), POSTGRES_USER: 'app' };
    this.env = {
      ...given,
      DATABASE_URL: `postgresql://${given.POSTGRES_USER}:${given.POSTGRES_PASSWORD}@postgres:5432/${given.POSTGRES_DB}`,
      REDIS_URL: `redis://:${given.REDIS_PASSWORD}@redis:6379/0`,
      AIRTABLE_GATEWAY_URL: 'http://airtable-gateway:8002',
      MCP_SERVER_URL: 'http://mcp-server:8001',
      LLM_ORCHESTRATOR_URL: 'http://llm-orchestrator:8003',
      PLATFORM_SERVICES_URL: 'http://platform-services:8007',
      AUTOMATION_SERVICES_URL: 'http://automation-services:8006',
      SAGA_ORCHESTRATOR_URL: 'http://saga-orchestrator:8008',
      API_GATEWAY_URL: 'http://api-gateway:8000',
      UPLOAD_DIR: '/data/uploads',
      ...ports,
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

  /** Brings `services` up with `stackctl up` (each proven ready by stackctl's own probes), then reads their host ports. */
  async up(services: ServiceName[]): Promise<void> {
    const run = await execa(process.execPath, [BIN, 'up', '--no-build', '--progress', 'plain', '-f', this.file], {
      cwd: dirname(this.file),
      env: { ...this.env, NO_COLOR: '1', STACKCTL_NO_DAEMON: '1' },
      reject: false,
      all: true,
    });
    if (run.exitCode !== 0) throw new Error(`stackctl up of ${services.join(', ')} failed (exit ${String(run.exitCode)}):\n${String(run.all)}`);
    for (const service of services) await this.readPort(service);
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

  /** `stackctl down -v` (containers, volumes, network), after the extra containers labelled with the stack's id. */
  async remove(): Promise<void> {
    const { stdout } = await docker(['ps', '-aq', '--filter', `label=com.stackctl.test=${this.id}`], { reject: false });
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(['rm', '-f', '-v', ...ids], { reject: false });
    await execa(process.execPath, [BIN, 'down', '-v', '-f', this.file], { cwd: dirname(this.file), env: { ...this.env, STACKCTL_NO_DAEMON: '1' }, reject: false });
    rmSync(dirname(this.file), { recursive: true, force: true });
  }
}

/**
 * The repository's stack.yaml reduced to `services` (a closed set: what they depend on is among
 * them), named `id`, without build sections (the images are built), env_file and suite.
 */
function writeStackFile(id: string, services: ServiceName[], environment: StartOptions['environment'] = {}): string {
  const stack = parse(readFileSync(resolve(ROOT, 'stack.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  const kept: Record<string, Record<string, unknown>> = {};
  for (const service of services) {
    const { build: _build, ...definition } = stack.services[service]!;
    const extra = environment[service];
    kept[service] = extra ? { ...definition, environment: { ...(definition.environment as Record<string, string>), ...extra } } : definition;
  }
  const { env_file: _envFile, suite: _suite, ...rest } = stack;
  const dir = mkdtempSync(join(tmpdir(), `${id}-`));
  const file = join(dir, 'stack.yaml');
  writeFileSync(file, stringify({ ...rest, name: id, services: kept }));
  return file;
}

export interface StartOptions {
  /** Variables added to a service's `environment` in the stack file. */
  environment?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * Starts `services` with stackctl (in dependency order, each proven ready) under a fresh project
 * name. On failure everything started is removed.
 */
export async function startStack(label: string, services: ServiceName[], options: StartOptions = {}): Promise<Stack> {
  const wanted = ORDER.filter((s) => services.includes(s));
  const id = `stackctl-it-${label}-${randomBytes(3).toString('hex')}`;
  const ports: Record<string, string> = {};
  for (const service of wanted) {
    const variable = PORT_VARIABLE[service];
    if (variable) ports[variable] = String(await freePort());
  }
  const stack = new Stack(id, writeStackFile(id, wanted, options.environment), ports);
  try {
    await stack.up(wanted);
  } catch (error) {
    await stack.remove();
    throw error;
  }
  return stack;
}
