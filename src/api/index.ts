/**
 * stackctl's Node API — `import { Stack } from 'stackctl'`:
 *
 *   const stack = await Stack.load('stack.yaml');          // validated load; ConfigError lists findings
 *   const env = await stack.up({ ephemeral: true });         // isolated copy, every service ready
 *   env.url('api-gateway');                                  // 'http://127.0.0.1:49160'
 *   env.port('postgres', 5432);                              // 49153
 *   await stack.test();                                      // the stack's suite against the copy
 *   await stack.down();                                      // removes the copy (containers, network, volumes)
 *
 * Made for a vitest/jest globalSetup: `up` resolves once every service is proven ready, or rejects
 * with a StackUpError carrying the up result and each failed service's diagnosis (the copy is then
 * removed unless `keepOnFailure`). An ephemeral copy is tied to this process: when it ends — even by
 * SIGKILL — the copy's reaper removes it within seconds (src/ephemeral/reaper.ts); `ttl` bounds its
 * life in any case.
 */
import { loadStack } from '../load/load.js';
import type { Stack as StackModel } from '../config/model.js';
import { parseDuration } from '../config/normalize.js';
import type { Diagnosis } from '../diagnose/model.js';
import { up as engineUp, down as engineDown, type DownResult, type EngineEvent, type UpResult } from '../engine/index.js';
import { stackEndpoints, type ServiceEndpoints, type StackEndpoints } from '../ephemeral/endpoints.js';
import { startEphemeral, type EphemeralCopy } from '../ephemeral/start.js';
import { SeedSnapshots, checkSeedServices, type SeedOutcome } from '../ephemeral/seed-snapshot.js';
import { ConfigError, StackctlError, UsageError, formatLocation } from '../errors.js';
import { ownedContainers } from '../plan/observed.js';
import type { Report } from '../report/model.js';
import { publishRun } from '../report/publish.js';
import { defaultReportsDir, uniqueRunId } from '../report/store.js';
import { DockerRuntime } from '../runtime/docker-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { Redactor } from '../secrets.js';
import { runSuite } from '../suite/run-suite.js';

export type { DownResult, EngineEvent, UpResult, ServiceResult, ServiceState } from '../engine/index.js';
export type { Diagnosis } from '../diagnose/model.js';
export type { ServiceEndpoints, StackEndpoints } from '../ephemeral/endpoints.js';
export type { SeedOutcome } from '../ephemeral/seed-snapshot.js';
export type { Report } from '../report/model.js';
export { StackctlError, ConfigError, RuntimeError, UsageError } from '../errors.js';

export interface LoadOptions {
  /** Variables for `${VAR}` in the file; default process.env (the stack's .env lies underneath). */
  env?: Record<string, string | undefined>;
  /** Directory a relative file is resolved against; default process.cwd(). */
  cwd?: string;
}

export interface StackUpOptions {
  /** An isolated copy: unique name, own network and volumes, engine-chosen host ports (default false). */
  ephemeral?: boolean;
  /** Name of the copy instead of `<name>-<random>` (ephemeral only). */
  name?: string;
  /** Remove the copy after this long whatever happens: ms or '30m' (default 30m; ephemeral only). */
  ttl?: number | string;
  /** Give up when not every service is ready after this long: ms or '5m' (default: each service's own timeouts). */
  timeout?: number | string;
  /** Build images whose build context changed (default true). */
  build?: boolean;
  /** At most this many services starting at once (default: as many as the graph allows). */
  parallel?: number;
  /** On failure, keep what was started for debugging (default false: an ephemeral copy is removed). */
  keepOnFailure?: boolean;
  /** Put credentials into the returned URLs (postgres, redis) as they are (default: ***). */
  showSecrets?: boolean;
  /**
   * Restore stateful services' volumes from a snapshot of an earlier copy's first start, or take one
   * (`up --seed-snapshot`, docs/ci.md): true = every service with a probe and volumes of its own, or
   * the services to do it for. Ephemeral only; default false.
   */
  seedSnapshot?: boolean | string[];
  /** Engine events as they happen (service.phase, service.ready, service.failed, …). */
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

/** What `up` resolves to: how to reach each service, and the up result. */
export interface StackEnvironment {
  /** The running stack's name (the copy's, when ephemeral). */
  name: string;
  ephemeral: boolean;
  expiresAt?: Date;
  endpoints: StackEndpoints;
  result: UpResult;
  /** With `seedSnapshot`: per service, restored from a snapshot, snapshot taken, skipped or failed (and why). */
  seedSnapshots?: SeedOutcome[];
  /** `http://127.0.0.1:49160`, `postgresql://user:***@127.0.0.1:49153/db`, … */
  url(service: string): string;
  /** The host port published for a container port. */
  port(service: string, containerPort: number): number;
}

/** `up` did not bring every service to ready: the result and each failed service's diagnosis. */
export class StackUpError extends StackctlError {
  readonly code = 'E_STACK_UP';
  constructor(
    message: string,
    readonly result: UpResult,
    readonly diagnoses: ReadonlyMap<string, Diagnosis>,
  ) {
    super(message);
  }
}

function durationMs(value: number | string | undefined, option: string): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  const parsed = parseDuration(value);
  if (!parsed.ok || parsed.value <= 0) throw new UsageError(`${option}: "${value}" is not a duration`, { hint: 'use milliseconds or a duration such as 90s, 5m or 1m30s' });
  return parsed.value;
}

function seedSnapshotsOf(copy: EphemeralCopy, runtime: Runtime, options: StackUpOptions): SeedSnapshots {
  const services = Array.isArray(options.seedSnapshot) ? options.seedSnapshot : undefined;
  return new SeedSnapshots({ source: copy.source, copy: copy.stack, runtime, ...(services ? { services } : {}), ...(options.onEvent ? { onEvent: options.onEvent } : {}) });
}

function environmentOf(endpoints: StackEndpoints, result: UpResult, copy: EphemeralCopy | undefined): StackEnvironment {
  const find = (service: string): ServiceEndpoints => {
    const entry = endpoints.services.find((candidate) => candidate.service === service);
    if (!entry) throw new UsageError(`stack ${endpoints.stack} has no running service "${service}"`, { hint: `its services: ${endpoints.services.map((s) => s.service).join(', ')}` });
    return entry;
  };
  return {
    name: endpoints.stack,
    ephemeral: copy !== undefined,
    ...(copy?.expiresAtMs !== undefined ? { expiresAt: new Date(copy.expiresAtMs) } : {}),
    endpoints,
    result,
    url: (service) => {
      const url = find(service).url;
      if (!url) throw new UsageError(`${service} publishes no port`, { hint: 'add the port to its ports:, or give it a readiness probe with a port' });
      return url;
    },
    port: (service, containerPort) => {
      const port = find(service).ports[String(containerPort)];
      if (port === undefined) throw new UsageError(`${service} publishes no host port for its container port ${containerPort}`, { hint: `it publishes ${Object.keys(find(service).ports).join(', ') || 'nothing'}` });
      return port;
    },
  };
}

export class Stack {
  private running?: { stack: StackModel; runtime: Runtime; copy?: EphemeralCopy };

  private constructor(
    /** The stack as loaded (normalised; see docs/stack-yaml.md). */
    readonly definition: StackModel,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Loads and checks a stack.yaml or compose file; rejects with a ConfigError listing every error as file:line:col. */
  static async load(file: string, options: LoadOptions = {}): Promise<Stack> {
    const env = options.env ?? { ...process.env };
    const loaded = await loadStack(file, { env, ...(options.cwd ? { cwd: options.cwd } : {}) });
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (!loaded.stack || errors.length > 0) {
      const redactor = new Redactor(loaded.secretValues ?? []);
      const lines = errors.map((d) => `${formatLocation(d.location)}: ${d.code}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`);
      throw new ConfigError(redactor.redact(`${file} cannot be loaded:\n${lines.join('\n')}`), { hint: 'fix the errors; `stackctl validate` lists every finding with its fix' });
    }
    return new Stack(loaded.stack, env);
  }

  /** The file's name, or the running copy's. */
  get name(): string {
    return this.running?.stack.name ?? this.definition.name;
  }

  async up(options: StackUpOptions = {}): Promise<StackEnvironment> {
    if (this.running) throw new UsageError(`stack ${this.running.stack.name} is already up through this Stack`, { hint: 'call down() first, or load the file again for a second copy' });
    const redactor = new Redactor(this.definition.secretValues);
    const runtimeFor = (name: string): Runtime => new DockerRuntime({ stack: name, redactor });
    let stack = this.definition;
    let copy: EphemeralCopy | undefined;
    if (Array.isArray(options.seedSnapshot)) checkSeedServices(stack, options.seedSnapshot, 'seedSnapshot');
    if (options.ephemeral) {
      const ttlMs = durationMs(options.ttl, 'ttl');
      copy = await startEphemeral(stack, runtimeFor, { env: this.env, ...(ttlMs !== undefined ? { ttlMs } : {}), ...(options.name ? { name: options.name } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      stack = copy.stack;
    } else if (options.name || options.ttl !== undefined || options.seedSnapshot) {
      throw new UsageError('name, ttl and seedSnapshot apply to an ephemeral stack only', { hint: 'pass ephemeral: true' });
    }
    const runtime = runtimeFor(stack.name);
    const seeder = copy && options.seedSnapshot ? seedSnapshotsOf(copy, runtime, options) : undefined;
    this.running = { stack, runtime, ...(copy ? { copy } : {}) };
    let result: UpResult;
    try {
      const timeoutMs = durationMs(options.timeout, 'timeout');
      result = await engineUp(stack, {
        runtime,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
        ...(options.build !== undefined ? { build: options.build } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(seeder ? { seeder } : {}),
      });
    } catch (error) {
      if (!options.keepOnFailure) await this.down().catch(() => undefined);
      throw error;
    }
    if (!result.ok) {
      const failed = result.services.filter((service) => service.diagnosis && service.state !== 'ready');
      const diagnoses = new Map(failed.map((service) => [service.service, service.diagnosis!] as const));
      const summary = result.cancelled
        ? 'interrupted'
        : failed.map((service) => `${service.service} ${service.state}: ${service.diagnosis!.rootCause.summary} (hint: ${service.diagnosis!.rootCause.hint})`).join('; ');
      if (!options.keepOnFailure) await this.down().catch(() => undefined);
      throw new StackUpError(redactor.redact(`stack ${stack.name} did not come up: ${summary}`), result, diagnoses);
    }
    const containers = ownedContainers(await runtime.listContainers(stack.name));
    const environment = environmentOf(stackEndpoints(stack, containers, { showSecrets: options.showSecrets === true }), result, copy);
    return seeder ? { ...environment, seedSnapshots: [...seeder.outcomes] } : environment;
  }

  /** Runs the stack's integration suite (or `suite`) against the running stack; writes the report as `stackctl test` does. */
  async test(options: { suite?: string; outDir?: string; signal?: AbortSignal } = {}): Promise<{ report: Report; exitCode: number; files: Report['files'] }> {
    const running = this.running;
    if (!running) throw new UsageError('the stack is not up through this Stack', { hint: 'call up() first' });
    const reportsDir = defaultReportsDir(running.stack.dir);
    const results = await runSuite(running.stack, {
      signal: options.signal ?? new AbortController().signal,
      runId: (started) => uniqueRunId(reportsDir, started),
      runtime: running.runtime,
      env: this.env,
      ...(options.suite ? { suiteFile: options.suite } : {}),
    });
    const run = await publishRun(results, { reportsDir, cwd: process.cwd(), redactor: results.redactor, ...(options.outDir ? { outDir: options.outDir } : {}) });
    return { report: run.report, exitCode: run.exitCode, files: run.report.files };
  }

  /** Stops and removes what up started (an ephemeral copy with its volumes); a no-op when nothing is up. */
  async down(options: { volumes?: boolean } = {}): Promise<DownResult | undefined> {
    const running = this.running;
    if (!running) return undefined;
    try {
      return await engineDown(running.stack, { runtime: running.runtime, removeVolumes: options.volumes === true || running.copy !== undefined, stopTimeoutSeconds: running.copy ? 2 : undefined });
    } finally {
      running.copy?.session.close();
      this.running = undefined;
    }
  }
}
