/**
 * An in-memory Runtime for scheduler unit tests. Time passes through setTimeout, so tests can run it
 * under vitest's fake timers and assert exact timestamps. Behaviour is configured per service:
 *
 *   new MemoryRuntime({ services: { db: { startDelayMs: 100, readyDelayMs: 500 }, job: { exitCode: 0, exitAfterMs: 50 } } })
 *
 * Every call is journaled (`calls`) with the clock's time. Containers and networks without the
 * stack's label can be seeded (`addForeignContainer`) to prove nothing unlabelled is touched.
 */
import { EngineUnavailableError, RuntimeError } from '../../src/errors.js';
import type { ProbeSpec } from '../../src/config/model.js';
import { HopelessProbeError, type Probe, type ProbeTarget } from '../../src/probes/probe.js';
import { ProbeError, type ProbeFailure } from '../../src/probes/probe-failure.js';
import { StaleContainerError } from '../../src/runtime/errors.js';
import {
  LABELS,
  type BuildRequest,
  type BuildResult,
  type ContainerDetails,
  type ContainerInfo,
  type ContainerQuery,
  type ContainerSpec,
  type EngineEventRecord,
  type EngineInfo,
  type EventQuery,
  type ExecResult,
  type OneShotSpec,
  type PublishedPort,
  type Runtime,
  type RuntimeEvent,
  type SyncBatch,
  type AttachedIo,
} from '../../src/runtime/runtime.js';

export interface ServiceBehaviour {
  /** Time startContainer takes. */
  startDelayMs?: number;
  /** Time createContainer takes. */
  createDelayMs?: number;
  /** After start, the fake probe passes once this much time has gone by. */
  readyDelayMs?: number;
  /** The container exits by itself this long after starting… */
  exitAfterMs?: number;
  /** …with this code (default 1 when exitAfterMs is set). */
  exitCode?: number;
  oomKilled?: boolean;
  /** buildImage fails with this message (after buildDelayMs). */
  buildFailure?: string;
  buildDelayMs?: number;
  /** Error the fake probe reports while not ready (default "connect ECONNREFUSED"). */
  probeError?: string;
  /** While not ready, the fake probe throws a ProbeError carrying this failure as data (as the real probes do). */
  probeFailure?: ProbeFailure;
  /** The probe never passes. */
  neverReady?: boolean;
  /** Lines the container "printed". */
  logLines?: string[];
}

export interface MemoryRuntimeOptions {
  services?: Record<string, ServiceBehaviour>;
  /** Images present at the start (ref → id). */
  images?: Record<string, string>;
  /** Images a pull can fetch (ref → id); any other pull fails like an unreachable registry. */
  registry?: Record<string, string>;
  /** Time each call to listContainers/inspect/... takes (default 0). */
  callDelayMs?: number;
}

export interface RuntimeCall {
  at: number;
  op: string;
  target: string;
}

interface MemoryContainer {
  info: ContainerInfo;
  spec: ContainerSpec;
  timers: Array<ReturnType<typeof setTimeout>>;
  logs: string[];
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function sleepAbortable(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class MemoryRuntime implements Runtime {
  readonly calls: RuntimeCall[] = [];
  readonly images = new Map<string, string>();
  readonly networks = new Map<string, { stack?: string }>();
  readonly volumes = new Map<string, { stack?: string }>();
  readonly containers = new Map<string, MemoryContainer>();
  private readonly behaviours: Record<string, ServiceBehaviour>;
  private readonly registry: Record<string, string>;
  private readonly callDelayMs: number;
  private readonly subscribers = new Set<(event: RuntimeEvent) => void>();
  private readonly staleContainers = new Map<string, string>();
  private nextId = 1;
  private nextPort = 49_000;
  private builds = 0;

  constructor(options: MemoryRuntimeOptions = {}) {
    this.behaviours = options.services ?? {};
    this.registry = options.registry ?? {};
    this.callDelayMs = options.callDelayMs ?? 0;
    for (const [ref, id] of Object.entries(options.images ?? {})) this.images.set(ref, id);
  }

  behaviour(service: string): ServiceBehaviour {
    return this.behaviours[service] ?? {};
  }

  /** Change a service's behaviour between runs. */
  configure(service: string, behaviour: ServiceBehaviour): void {
    this.behaviours[service] = behaviour;
  }

  private record(op: string, target: string): void {
    if (this.engineDown) throw new EngineUnavailableError(`the container engine does not answer at memory://: connect ENOENT (${op})`);
    this.calls.push({ at: Date.now(), op, target });
  }

  /** True between stopEngine() and startEngine(): every call fails as an unavailable engine would. */
  engineDown = false;
  private readonly streamBreakers = new Set<() => void>();

  /**
   * The engine shuts down, as dockerd does: it stops every running container (exit 0; the die events
   * reach open streams), then ends its event streams and answers nothing more.
   */
  stopEngine(): void {
    for (const [id, container] of this.containers) if (container.info.status === 'running') this.exit(id, 0);
    this.engineDown = true;
    for (const breaker of [...this.streamBreakers]) breaker();
  }

  /** The engine starts again and, as dockerd does, starts the containers whose policy is `always`. */
  startEngine(): void {
    this.engineDown = false;
    for (const container of this.containers.values()) {
      if (container.spec.restart.name !== 'always' || container.info.status !== 'exited') continue;
      container.info = { ...container.info, status: 'running', startedAt: new Date(), exitCode: undefined };
    }
  }

  /** Calls of one kind, e.g. callsOf('start') → ['demo-db', 'demo-api']. */
  callsOf(op: string): string[] {
    return this.calls.filter((call) => call.op === op).map((call) => call.target);
  }

  /** Calls that change something (everything except reads). */
  mutations(): RuntimeCall[] {
    const reads = new Set(['ping', 'imageExists', 'imageId', 'listContainers', 'inspectContainer', 'listNetworks', 'listVolumes', 'logs', 'events', 'exec']);
    return this.calls.filter((call) => !reads.has(call.op));
  }

  addForeignContainer(name: string, labels: Record<string, string> = {}): string {
    const id = this.newId();
    const info: ContainerInfo = {
      id,
      name,
      stack: labels[LABELS.stack] ?? '',
      service: labels[LABELS.service] ?? '',
      configHash: labels[LABELS.configHash] ?? '',
      image: 'foreign:latest',
      status: 'running',
      oomKilled: false,
      restartCount: 0,
      startedAt: new Date(),
      ports: [],
      labels,
    };
    this.containers.set(id, { info, spec: {} as ContainerSpec, timers: [], logs: [] });
    return id;
  }

  containerByName(name: string): ContainerInfo | undefined {
    for (const container of this.containers.values()) if (container.info.name === name) return container.info;
    return undefined;
  }

  private newId(): string {
    const id = (this.nextId++).toString(16).padStart(12, '0');
    return `${id}${'f'.repeat(52)}`;
  }

  private emit(event: RuntimeEvent): void {
    for (const subscriber of this.subscribers) subscriber(event);
  }

  async ping(): Promise<void> {
    this.record('ping', '');
  }

  async imageExists(ref: string): Promise<boolean> {
    this.record('imageExists', ref);
    return this.images.has(ref);
  }

  async imageId(ref: string): Promise<string | undefined> {
    this.record('imageId', ref);
    await sleep(this.callDelayMs);
    return this.images.get(ref);
  }

  async pullImage(ref: string, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<void> {
    this.record('pullImage', ref);
    await sleepAbortable(10, signal);
    const id = this.registry[ref];
    if (!id) throw new RuntimeError(`pull access denied for ${ref}: no registry is reachable`);
    onProgress?.(`${ref}: Pull complete`);
    this.images.set(ref, id);
  }

  async buildImage(request: BuildRequest): Promise<BuildResult> {
    this.record('buildImage', request.tag);
    const behaviour = this.behaviour(request.service);
    await sleepAbortable(behaviour.buildDelayMs ?? 0, request.signal);
    if (behaviour.buildFailure) {
      request.onProgress?.(`Step 2/3 : RUN false`);
      throw new RuntimeError(`build of ${request.service} failed: ${behaviour.buildFailure}`, { service: request.service });
    }
    const existing = this.images.get(request.tag);
    if (existing && existing.endsWith(request.contextHash.slice(0, 8))) return { imageId: existing, built: false };
    const imageId = `sha256:${(++this.builds).toString().padStart(8, '0')}${request.contextHash.slice(0, 8)}`;
    request.onProgress?.('Successfully built');
    this.images.set(request.tag, imageId);
    return { imageId, built: true };
  }

  async ensureNetwork(stack: string, name: string): Promise<void> {
    if (this.networks.has(name)) return;
    this.record('createNetwork', name);
    this.networks.set(name, { stack });
  }

  async ensureVolume(stack: string, name: string): Promise<void> {
    if (this.volumes.has(name)) return;
    this.record('createVolume', name);
    this.volumes.set(name, { stack });
  }

  async removeNetwork(stack: string, name: string): Promise<void> {
    this.record('removeNetwork', name);
    if (this.networks.get(name)?.stack !== stack) throw new RuntimeError(`network ${name} is not labelled for stack ${stack}`);
    this.networks.delete(name);
  }

  async removeVolume(stack: string, name: string): Promise<void> {
    this.record('removeVolume', name);
    if (this.volumes.get(name)?.stack !== stack) throw new RuntimeError(`volume ${name} is not labelled for stack ${stack}`);
    this.volumes.delete(name);
  }

  async listVolumes(stack: string): Promise<string[]> {
    this.record('listVolumes', stack);
    return [...this.volumes].filter(([, volume]) => volume.stack === stack).map(([name]) => name).sort();
  }

  async listNetworks(stack: string): Promise<string[]> {
    this.record('listNetworks', stack);
    return [...this.networks].filter(([, network]) => network.stack === stack).map(([name]) => name).sort();
  }

  async listContainers(stack: string): Promise<ContainerInfo[]> {
    this.record('listContainers', stack);
    await sleep(this.callDelayMs);
    return [...this.containers.values()]
      .filter((container) => container.info.labels[LABELS.stack] === stack)
      .map((container) => structuredClone(container.info));
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    this.record('inspectContainer', id);
    const container = this.containers.get(id);
    return container ? structuredClone(container.info) : undefined;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.record('createContainer', spec.name);
    await sleep(this.behaviour(spec.service).createDelayMs ?? 0);
    for (const container of this.containers.values()) {
      if (container.info.name === spec.name) throw new RuntimeError(`Conflict. The container name "/${spec.name}" is already in use`);
    }
    if (!this.images.has(spec.image)) throw new RuntimeError(`No such image: ${spec.image}`);
    if (!this.networks.has(spec.network)) throw new RuntimeError(`network ${spec.network} not found`);
    const id = this.newId();
    this.containers.set(id, {
      spec,
      timers: [],
      logs: [...(this.behaviour(spec.service).logLines ?? [])],
      info: {
        id,
        name: spec.name,
        stack: spec.stack,
        service: spec.service,
        configHash: spec.labels[LABELS.configHash] ?? '',
        image: spec.image,
        status: 'created',
        oomKilled: false,
        restartCount: 0,
        ports: [],
        labels: { ...spec.labels },
      },
    });
    return id;
  }

  private mustGet(id: string): MemoryContainer {
    const container = this.containers.get(id);
    if (!container) throw new RuntimeError(`No such container: ${id}`);
    return container;
  }

  /** Leave a container in the state an engine crash leaves behind: starting it fails as stale. */
  makeStale(id: string, engineError = 'endpoint with name x already exists in network x_default'): void {
    this.staleContainers.set(id, engineError);
  }

  async startContainer(id: string): Promise<void> {
    const container = this.mustGet(id);
    this.record('startContainer', container.info.name);
    const stale = this.staleContainers.get(id);
    if (stale !== undefined) throw new StaleContainerError(`the engine cannot start "${container.info.name}": ${stale}`, stale, { service: container.info.service });
    const behaviour = this.behaviour(container.info.service);
    await sleep(behaviour.startDelayMs ?? 0);
    const ports: PublishedPort[] = container.spec.ports.map((port) => ({
      target: port.target,
      protocol: port.protocol,
      hostIp: port.hostIp ?? '127.0.0.1',
      hostPort: port.published ?? this.nextPort++,
    }));
    container.info = { ...container.info, status: 'running', startedAt: new Date(), ports, exitCode: undefined };
    this.emit({ type: 'start', stack: container.info.stack, service: container.info.service, containerId: id, at: new Date() });
    if (behaviour.exitAfterMs !== undefined) {
      container.timers.push(
        setTimeout(() => this.exit(id, behaviour.exitCode ?? 1, behaviour.oomKilled ?? false), behaviour.exitAfterMs),
      );
    }
  }

  private exit(id: string, exitCode: number, oomKilled = false): void {
    const container = this.containers.get(id);
    if (!container || container.info.status !== 'running') return;
    for (const timer of container.timers) clearTimeout(timer);
    container.timers = [];
    container.info = { ...container.info, status: 'exited', exitCode, oomKilled, finishedAt: new Date() };
    if (oomKilled) this.emit({ type: 'oom', stack: container.info.stack, service: container.info.service, containerId: id, at: new Date() });
    this.emit({ type: 'die', stack: container.info.stack, service: container.info.service, containerId: id, exitCode, at: new Date() });
  }

  /** Make a running container exit now (a crash). */
  crash(id: string, exitCode = 1): void {
    this.exit(id, exitCode);
  }

  async stopContainer(id: string, _timeoutSeconds: number): Promise<void> {
    const container = this.mustGet(id);
    this.record('stopContainer', container.info.name);
    this.exit(id, 0);
  }

  async pauseContainer(id: string): Promise<void> {
    const container = this.mustGet(id);
    this.record('pauseContainer', container.info.name);
    if (container.info.status === 'running') container.info = { ...container.info, status: 'paused' };
  }

  async unpauseContainer(id: string): Promise<void> {
    const container = this.mustGet(id);
    this.record('unpauseContainer', container.info.name);
    if (container.info.status === 'paused') container.info = { ...container.info, status: 'running' };
  }

  async removeContainer(id: string): Promise<void> {
    const container = this.mustGet(id);
    this.record('removeContainer', container.info.name);
    if (container.info.status === 'running') throw new RuntimeError(`container ${container.info.name} is running: stop it first`);
    this.containers.delete(id);
  }

  async discardStaleContainer(id: string): Promise<void> {
    const container = this.mustGet(id);
    this.record('discardStaleContainer', container.info.name);
    for (const timer of container.timers) clearTimeout(timer);
    this.containers.delete(id);
  }

  async logs(id: string, tail: number): Promise<string> {
    this.record('logs', id);
    const container = this.mustGet(id);
    return container.logs.slice(-tail).join('\n');
  }

  async followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal, tail?: number): Promise<void> {
    const container = this.mustGet(id);
    for (const line of tail === undefined ? container.logs : container.logs.slice(-tail)) onLine(line);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    this.record('exec', `${id} ${command.join(' ')}`);
    return { exitCode: 0, output: '' };
  }

  async execAttached(id: string, command: string[], io: AttachedIo): Promise<number> {
    this.record('exec', `${id} ${command.join(' ')}`);
    io.stdout.write('');
    return 0;
  }

  async top(id: string): Promise<{ titles: string[]; processes: string[][] }> {
    const container = this.mustGet(id);
    return { titles: ['PID', 'CMD'], processes: container.info.status === 'running' ? [['1', 'main']] : [] };
  }

  async copyToContainer(id: string, batch: SyncBatch): Promise<void> {
    this.mustGet(id);
    this.record('copy', `${id} ${batch.entries.map((entry) => `${batch.containerDir}/${entry}`).join(' ')}`);
  }

  async events(stack: string, onEvent: (event: RuntimeEvent) => void, signal: AbortSignal): Promise<void> {
    this.record('events', stack);
    const subscriber = (event: RuntimeEvent): void => {
      if (event.stack === stack) onEvent(event);
    };
    this.subscribers.add(subscriber);
    let breaker: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
        breaker = () => reject(new RuntimeError('the engine closed the event stream (did the engine restart?)'));
        this.streamBreakers.add(breaker);
      });
    } finally {
      this.subscribers.delete(subscriber);
      if (breaker) this.streamBreakers.delete(breaker);
    }
  }

  private matches(info: ContainerInfo, query: ContainerQuery): boolean {
    const labelled = (query.labels ?? []).every((label) => {
      const at = label.indexOf('=');
      return at < 0 ? label in info.labels : info.labels[label.slice(0, at)] === label.slice(at + 1);
    });
    const named = !query.names || query.names.length === 0 || query.names.some((name) => name === info.name || info.id.startsWith(name));
    return labelled && named;
  }

  async findContainers(query: ContainerQuery): Promise<ContainerInfo[]> {
    this.record('findContainers', JSON.stringify(query));
    return [...this.containers.values()].filter((container) => this.matches(container.info, query)).map((container) => structuredClone(container.info));
  }

  async inspectDetails(id: string): Promise<ContainerDetails | undefined> {
    this.record('inspectDetails', id);
    const container = [...this.containers.values()].find((item) => item.info.id === id || item.info.name === id);
    if (!container) return undefined;
    const spec = container.spec as Partial<ContainerSpec>;
    return {
      ...structuredClone(container.info),
      command: spec.command ?? [],
      env: Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
      restartPolicy: { name: spec.restart?.name ?? 'no', maxRetries: 0 },
      networks: spec.network ? [spec.network] : [],
      wantedPorts: structuredClone(container.info.ports),
    };
  }

  /** Events the memory runtime has no journal for: none (tests seed their own timelines). */
  async eventsSince(query: EventQuery): Promise<EngineEventRecord[]> {
    this.record('eventsSince', query.since.toISOString());
    return [];
  }

  async engineInfo(): Promise<EngineInfo> {
    return {
      endpoint: 'memory://',
      serverVersion: 'memory',
      apiVersion: '1.41',
      storageDriver: 'memory',
      rootDir: '/',
      memTotalBytes: 0,
      memoryLimitSupported: true,
      swapLimitSupported: true,
      os: 'memory',
      kernel: '',
      cpus: 1,
    };
  }

  async runOneShot(spec: OneShotSpec): Promise<ExecResult> {
    this.record('runOneShot', spec.command.join(' '));
    return { exitCode: 0, output: '' };
  }

  /** Is this container's service ready now, by its configured behaviour? */
  probeState(id: string): 'ready' | 'not-ready' | 'exited' {
    const container = this.containers.get(id);
    if (!container || container.info.status === 'exited' || container.info.status === 'dead') return 'exited';
    if (container.info.status !== 'running' || !container.info.startedAt) return 'not-ready';
    const behaviour = this.behaviour(container.info.service);
    if (behaviour.neverReady) return 'not-ready';
    return Date.now() - container.info.startedAt.getTime() >= (behaviour.readyDelayMs ?? 0) ? 'ready' : 'not-ready';
  }

  /** A probe factory whose probes consult this runtime's configured readiness. */
  probeFactory(): (spec: ProbeSpec) => Probe {
    return (spec) => ({
      describe: (target: ProbeTarget) => `fake ${spec.kind} probe of ${target.service}`,
      check: async (target: ProbeTarget): Promise<void> => {
        const state = this.probeState(target.containerId);
        if (state === 'ready') return;
        if (state === 'exited') throw new HopelessProbeError(`container of ${target.service} exited`);
        const behaviour = this.behaviour(target.service);
        if (behaviour.probeFailure) throw new ProbeError(behaviour.probeFailure);
        throw new Error(behaviour.probeError ?? 'connect ECONNREFUSED');
      },
    });
  }
}
