/**
 * The Runtime over Docker's API — the only module that imports dockerode.
 *
 * Ownership is enforced here, not left to callers: a network or volume is created with the stack's
 * label and removed only when it carries it; a container is started, stopped, removed or exec'd
 * into only when it carries LABELS.stack (and, when the runtime is bound to a stack with
 * `options.stack`, that stack's name). Anything else raises NotOwnedError and is left as it was.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { CancelledError, EngineUnavailableError, RuntimeError, errorMessage } from '../errors.js';
import type { Redactor } from '../secrets.js';
import type { PortMapping } from '../config/model.js';
import {
  LABELS,
  type BuildRequest,
  type BuildResult,
  type ContainerInfo,
  type ContainerDetails,
  type ContainerQuery,
  type ContainerSpec,
  type ContainerStatus,
  type EngineEventRecord,
  type EngineInfo,
  type EventQuery,
  type ExecResult,
  type LabelledObject,
  type OneShotSpec,
  type PublishedPort,
  type Runtime,
  type RuntimeEvent,
  type SyncBatch,
  type AttachedIo,
} from './runtime.js';
import { packBuildContext, prepareBuildContext } from './build-context.js';
import { packSyncBatch } from './sync-archive.js';
import { hashPreparedContext } from './context-hash.js';
import { baseImages } from './dockerfile.js';
import { Demuxer, LineSplitter, demuxBuffer, isMultiplexed } from './demux.js';
import { ImageBuildError, ImageNotFoundError, NotOwnedError, PortInUseError, StaleContainerError, isStaleStartError, type EngineObjectKind } from './errors.js';
import { deferDockerodeExtras } from './defer-dockerode-extras.js';

// Required, not imported, so that it loads after deferDockerodeExtras(): static imports are
// evaluated before a module's own code, and in the bundle that includes this module's.
deferDockerodeExtras();
const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;

/** Label on built images: digest of the base images' ids, so a rebuilt base invalidates a skip. */
export const BASE_IMAGES_LABEL = 'io.stackctl.base-images';
/** Which stack and service an image was built for (informational). */
export const IMAGE_LABELS = { stack: 'io.stackctl.image.stack', service: 'io.stackctl.image.service' } as const;

const LOOPBACK = '127.0.0.1';
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface DockerRuntimeOptions {
  /** dockerode/docker-modem connection options; default: DOCKER_HOST, else /var/run/docker.sock. */
  docker?: Docker.DockerOptions;
  /** Bind the runtime to one stack: container operations refuse containers of any other stack. */
  stack?: string;
  /** Applied to build output and error messages (build args may be secrets). */
  redactor?: Redactor;
  /** Build output lines an ImageBuildError keeps (default 30). */
  buildOutputTail?: number;
  /** DOCKER_HOST of the caller's environment (unix://… or tcp://host:port), when not process.env's. */
  dockerHost?: string;
  /** How long ping waits for the engine (default 5000 ms). */
  pingTimeoutMs?: number;
}

interface EngineError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as EngineError).statusCode : undefined;
}

/** The engine's own words (its JSON `message`), else the error's message. */
function engineMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const json = (error as EngineError).json;
    if (json && typeof json.message === 'string') return json.message.trim();
  }
  return errorMessage(error).trim();
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}

/** `repo[:tag]` → parts, a registry port (`host:5000/x`) not mistaken for a tag. */
function splitTag(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

function toDate(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const STATUSES: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

function toInfo(inspect: Docker.ContainerInspectInfo): ContainerInfo {
  const labels = inspect.Config?.Labels ?? {};
  const state = inspect.State;
  const status = (STATUSES.has(state.Status) ? state.Status : 'dead') as ContainerStatus;
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(inspect.NetworkSettings?.Ports ?? {})) {
    const [target, protocol] = key.split('/');
    for (const binding of bindings ?? []) {
      ports.push({
        target: Number(target),
        protocol: protocol === 'udp' ? 'udp' : 'tcp',
        hostIp: binding.HostIp,
        hostPort: Number(binding.HostPort),
      });
    }
  }
  const info: ContainerInfo = {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    stack: labels[LABELS.stack] ?? '',
    service: labels[LABELS.service] ?? '',
    configHash: labels[LABELS.configHash] ?? '',
    image: inspect.Config?.Image ?? inspect.Image,
    status,
    oomKilled: state.OOMKilled,
    restartCount: inspect.RestartCount ?? 0,
    ports,
    labels,
  };
  if (status === 'exited' || status === 'dead') info.exitCode = state.ExitCode;
  const startError = (state as { Error?: string }).Error;
  if (startError && status !== 'running') info.startError = startError;
  const startedAt = toDate(state.StartedAt);
  if (startedAt) info.startedAt = startedAt;
  const finishedAt = toDate(state.FinishedAt);
  if (finishedAt && state.FinishedAt !== ZERO_TIME) info.finishedAt = finishedAt;
  return info;
}

function bindingsOf(map: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | undefined): PublishedPort[] {
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(map ?? {})) {
    const [target, protocol] = key.split('/');
    for (const binding of bindings ?? []) {
      ports.push({ target: Number(target), protocol: protocol === 'udp' ? 'udp' : 'tcp', hostIp: binding.HostIp ?? '', hostPort: Number(binding.HostPort || 0) });
    }
  }
  return ports;
}

function toDetails(inspect: Docker.ContainerInspectInfo): ContainerDetails {
  const info = toInfo(inspect);
  const raw = inspect as Docker.ContainerInspectInfo & {
    State: { Health?: { Status?: string; FailingStreak?: number; Log?: Array<{ Start?: string; ExitCode?: number; Output?: string }> }; Error?: string };
  };
  const env = (inspect.Config?.Env ?? []).map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? { name: entry, value: '' } : { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
  const details: ContainerDetails = {
    ...info,
    command: [...(inspect.Config?.Entrypoint ? ([] as string[]).concat(inspect.Config.Entrypoint) : []), ...(inspect.Config?.Cmd ?? [])],
    env,
    restartPolicy: { name: inspect.HostConfig?.RestartPolicy?.Name || 'no', maxRetries: inspect.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0 },
    networks: Object.keys(inspect.NetworkSettings?.Networks ?? {}),
    wantedPorts: bindingsOf(inspect.HostConfig?.PortBindings as Record<string, Array<{ HostIp?: string; HostPort?: string }>> | undefined),
  };
  const created = toDate(inspect.Created);
  if (created) details.createdAt = created;
  const memory = inspect.HostConfig?.Memory;
  if (memory) details.memoryLimitBytes = memory;
  const health = raw.State.Health;
  if (health?.Status) {
    details.health = {
      status: health.Status,
      failingStreak: health.FailingStreak ?? 0,
      log: (health.Log ?? []).map((entry) => {
        const record: ContainerDetails['health'] extends infer H ? (H extends { log: Array<infer R> } ? R : never) : never = { exitCode: entry.ExitCode ?? -1, output: (entry.Output ?? '').trim() };
        const start = toDate(entry.Start);
        if (start) record.start = start;
        return record;
      }),
    };
  }
  if (raw.State.Error) details.error = raw.State.Error;
  // Between two runs of a restart loop the engine still knows the last exit code.
  if (info.status === 'restarting' && details.exitCode === undefined) details.exitCode = inspect.State.ExitCode;
  return details;
}

/** Reads newline-delimited JSON objects from a stream until it ends. */
async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<Record<string, unknown>> {
  const splitter = new LineSplitter();
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    for (const line of splitter.push(chunk.toString())) {
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as Record<string, unknown>;
      } catch {
        yield { stream: `${line}\n` };
      }
    }
  }
  for (const line of splitter.flush()) {
    try {
      yield JSON.parse(line) as Record<string, unknown>;
    } catch {
      yield { stream: line };
    }
  }
}

const REGISTRY_UNREACHABLE =
  /no such host|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|Client\.Timeout|dial tcp|no route to host|server misbehaving|temporary failure in name resolution/i;
const NOT_IN_REGISTRY = /not found|manifest unknown|pull access denied|repository does not exist|no such image/i;

/**
 * Where the engine was expected, for messages. docker-modem keeps the default socket as a function
 * that picks ~/.docker/run/docker.sock or /var/run/docker.sock; the failed connection names the one
 * it tried.
 */
export function engineEndpoint(modem: unknown, error?: unknown): string {
  const m = (modem ?? {}) as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof m.socketPath === 'string' && m.socketPath) return `unix://${m.socketPath}`;
  if (typeof m.socketPath === 'function') {
    const tried = typeof error === 'object' && error !== null ? (error as { address?: unknown }).address : undefined;
    return typeof tried === 'string' && tried ? `unix://${tried}` : 'the default Docker socket';
  }
  return `${typeof m.protocol === 'string' ? m.protocol : 'http'}://${typeof m.host === 'string' ? m.host : 'localhost'}${typeof m.port === 'number' || typeof m.port === 'string' ? `:${m.port}` : ''}`;
}

/** A DOCKER_HOST value → connection options; undefined leaves docker-modem to read process.env. */
export function dockerOptionsFromHost(host: string | undefined): Docker.DockerOptions | undefined {
  if (!host) return undefined;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  try {
    const url = new URL(host.includes('//') ? host : `tcp://${host}`);
    if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { host: url.hostname, port: url.port || (url.protocol === 'https:' ? '2376' : '2375'), protocol: url.protocol === 'https:' ? 'https' : 'http' };
  } catch {
    return undefined;
  }
}

export class DockerRuntime implements Runtime {
  private readonly docker: Docker;
  private readonly tailLines: number;
  private pinger: Docker | undefined;

  constructor(private readonly options: DockerRuntimeOptions = {}) {
    this.docker = new DockerClient(options.docker ?? dockerOptionsFromHost(options.dockerHost));
    this.tailLines = options.buildOutputTail ?? 30;
  }

  private redact(text: string): string {
    return this.options.redactor ? this.options.redactor.redact(text) : text;
  }

  private unavailable(error: unknown): EngineUnavailableError {
    const code = typeof error === 'object' && error !== null ? (error as EngineError).code : undefined;
    const detail = code === 'EACCES' ? 'permission denied' : engineMessage(error);
    const hint =
      code === 'EACCES'
        ? 'add your user to the docker group (then log in again), or run as root'
        : 'start the engine: `make engine` (runs scripts/ensure-docker.sh), or point DOCKER_HOST at a running one';
    return new EngineUnavailableError(`the container engine does not answer at ${engineEndpoint(this.docker.modem, error)}: ${detail}`, { hint, cause: error });
  }

  /** Wraps an engine failure: connection problems become EngineUnavailableError. */
  private fail(what: string, error: unknown, options: { service?: string; hint?: string } = {}): RuntimeError {
    if (error instanceof RuntimeError) return error;
    const code = typeof error === 'object' && error !== null ? (error as EngineError).code : undefined;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ECONNRESET') return this.unavailable(error);
    return new RuntimeError(`${what}: ${this.redact(engineMessage(error))}`, { ...options, cause: error });
  }

  // ── engine ───────────────────────────────────────────────────────────────────────────────────

  async ping(signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.options.pingTimeoutMs ?? 5000);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      await (this.freshConnections() as unknown as { ping(options: { abortSignal: AbortSignal }): Promise<unknown> }).ping({ abortSignal });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('cancelled while waiting for the container engine');
      if (timeout.aborted) throw this.unavailable(new Error(`no answer within ${this.options.pingTimeoutMs ?? 5000} ms`));
      throw this.unavailable(error);
    }
  }

  /**
   * A client that opens a new connection per request. Node keeps idle connections alive, and a
   * stopping dockerd closes its listener but keeps serving the connections it has for a while: a
   * ping over a kept-alive one would say the engine answers while it is in fact going away.
   */
  private freshConnections(): Docker {
    const protocol = (this.docker.modem as { protocol?: string }).protocol;
    if (protocol === 'ssh') return this.docker;
    // docker-modem passes `agent` to every request (the typings do not list it).
    const agent = protocol === 'https' ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
    this.pinger ??= new DockerClient({ ...this.options.docker, agent } as Docker.DockerOptions);
    return this.pinger;
  }

  // ── images ───────────────────────────────────────────────────────────────────────────────────

  private async inspectImage(ref: string): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await this.docker.getImage(ref).inspect();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.fail(`inspecting image ${ref} failed`, error);
    }
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.inspectImage(ref)) !== undefined;
  }

  async imageId(ref: string): Promise<string | undefined> {
    return (await this.inspectImage(ref))?.Id;
  }

  async pullImage(ref: string, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<void> {
    const notFound = (detail: string, cause: unknown): RuntimeError => {
      if (REGISTRY_UNREACHABLE.test(detail)) {
        return new ImageNotFoundError(
          `image ${ref} not found locally and no registry reachable: build it (build:) or load it (docker load)`,
          ref,
          true,
          { hint: `give the service a build: section, or \`docker load -i <file>\` the image; the engine said: ${detail}`, cause },
        );
      }
      if (NOT_IN_REGISTRY.test(detail)) {
        return new ImageNotFoundError(`image ${ref} not found locally nor in its registry: build it (build:) or load it (docker load)`, ref, false, {
          hint: `check the image name and tag; the engine said: ${detail}`,
          cause,
        });
      }
      return new RuntimeError(`pulling image ${ref} failed: ${detail}`, { cause });
    };
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(ref, signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (isAbort(error, signal)) throw new CancelledError(`pull of ${ref} cancelled`);
      const failure = this.fail(`pulling image ${ref} failed`, error);
      if (failure instanceof EngineUnavailableError) throw failure;
      throw notFound(engineMessage(error), error);
    }
    try {
      for await (const event of jsonLines(stream)) {
        if (typeof event.error === 'string') throw notFound(event.error, event);
        if (onProgress && typeof event.status === 'string') {
          const id = typeof event.id === 'string' ? `${event.id}: ` : '';
          const progress = typeof event.progress === 'string' ? ` ${event.progress}` : '';
          onProgress(`${id}${event.status}${progress}`);
        }
      }
    } catch (error) {
      if (isAbort(error, signal)) throw new CancelledError(`pull of ${ref} cancelled`);
      throw error instanceof RuntimeError ? error : this.fail(`pulling image ${ref} failed`, error);
    }
  }

  /** Digest of the ids of the images the Dockerfile builds FROM ('' ids for absent ones). */
  private async baseImagesKey(dockerfile: string, args: Record<string, string>): Promise<string> {
    const refs = baseImages(dockerfile, args);
    const ids = await Promise.all(refs.map(async (ref) => `${ref}=${(await this.imageId(ref)) ?? ''}`));
    return createHash('sha256').update(ids.join('\n')).digest('hex');
  }

  async buildImage(request: BuildRequest): Promise<BuildResult> {
    const { build, service, tag, signal } = request;
    const prepared = await prepareBuildContext(build, service);
    const contextHash = request.contextHash || (await hashPreparedContext(prepared, build));
    const baseKey = await this.baseImagesKey(prepared.dockerfile, build.args);

    // Skip: the tag already has this hash, or another image does (then it only needs the tag).
    const current = await this.inspectImage(tag);
    const labels = current?.Config?.Labels ?? {};
    if (!request.noCache && current && labels[LABELS.contextHash] === contextHash && labels[BASE_IMAGES_LABEL] === baseKey) {
      return { imageId: current.Id, built: false };
    }
    const candidates = await this.docker
      .listImages({ filters: { label: [`${LABELS.contextHash}=${contextHash}`, `${BASE_IMAGES_LABEL}=${baseKey}`] } })
      .catch((error: unknown) => {
        throw this.fail('listing images failed', error);
      });
    const match = request.noCache ? undefined : candidates[0];
    if (match) {
      const { repo, tag: version } = splitTag(tag);
      try {
        await this.docker.getImage(match.Id).tag({ repo, tag: version });
        return { imageId: match.Id, built: false };
      } catch {
        // Fall through to a real build.
      }
    }

    const output: string[] = [];
    let step: string | undefined;
    let imageId: string | undefined;
    let failure: string | undefined;
    const keep = (line: string): void => {
      // The classic builder colours a RUN's stderr with ANSI escapes; blank lines separate steps.
      const clean = this.redact(line.replace(ANSI_ESCAPE, '').replace(/\r$/, ''));
      if (clean.trim() === '') return;
      output.push(clean);
      if (output.length > 500) output.splice(0, output.length - 500);
      if (/^Step \d+\/\d+ : /.test(clean)) step = clean;
      request.onProgress?.(clean);
    };
    const buildFailed = (detail: string, cause?: unknown): ImageBuildError => {
      const where = step ? ` at ${step}` : '';
      return new ImageBuildError(
        `image build for service "${service}" failed${where}: ${this.redact(detail)}`,
        step,
        output.slice(-this.tailLines),
        {
          service,
          hint: 'the last lines of the build output show why; fix the Dockerfile or what the build context contains',
          ...(cause === undefined ? {} : { cause }),
        },
      );
    };

    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(packBuildContext(prepared) as unknown as NodeJS.ReadableStream, {
        t: tag,
        dockerfile: prepared.dockerfilePath,
        buildargs: build.args,
        ...(build.target ? { target: build.target } : {}),
        labels: {
          [LABELS.contextHash]: contextHash,
          [BASE_IMAGES_LABEL]: baseKey,
          // Not LABELS.stack/service: Docker copies image labels onto every container run from the
          // image, and a container someone runs by hand must not look like the stack's.
          [IMAGE_LABELS.stack]: request.stack,
          [IMAGE_LABELS.service]: service,
        },
        rm: true,
        forcerm: true,
        ...(request.noCache ? { nocache: true } : {}),
        ...(request.pull ? { pull: true } : {}),
        ...(signal ? { abortSignal: signal } : {}),
      });
    } catch (error) {
      if (isAbort(error, signal)) throw new CancelledError(`build of ${service} cancelled`);
      const failed = this.fail(`image build for service "${service}" failed`, error);
      if (failed instanceof EngineUnavailableError) throw failed;
      throw buildFailed(engineMessage(error), error);
    }
    try {
      for await (const event of jsonLines(stream)) {
        if (typeof event.stream === 'string') {
          for (const line of event.stream.replace(/\n$/, '').split('\n')) keep(line);
        }
        if (typeof event.status === 'string') keep(`${typeof event.id === 'string' ? `${event.id}: ` : ''}${event.status}`);
        const aux = event.aux as { ID?: string } | undefined;
        if (aux?.ID) imageId = aux.ID;
        if (typeof event.error === 'string') {
          failure = event.error.trim();
          keep(failure);
        }
      }
    } catch (error) {
      if (isAbort(error, signal)) throw new CancelledError(`build of ${service} cancelled`);
      throw buildFailed(engineMessage(error), error);
    }
    if (failure !== undefined) throw buildFailed(failure);
    const built = imageId ?? (await this.imageId(tag));
    if (!built) throw buildFailed('the engine reported no image id');
    return { imageId: built, built: true };
  }

  // ── networks and volumes ─────────────────────────────────────────────────────────────────────

  private assertOwnedLabels(kind: EngineObjectKind, name: string, labels: Record<string, string> | null | undefined, stack: string): void {
    const owner = labels?.[LABELS.stack];
    if (owner === stack) return;
    const whose = owner ? `it belongs to stack "${owner}"` : `it has no ${LABELS.stack} label`;
    throw new NotOwnedError(`refusing to use ${kind} "${name}" for stack "${stack}": ${whose}; stackctl only touches what it created`, kind, name, owner, {
      hint:
        kind === 'container'
          ? `remove or rename it yourself (docker rm -f ${name}) if it is not needed, or give the stack another name`
          : `remove it yourself (docker ${kind} rm ${name}) if it is not needed, declare it external: true to use it as is, or rename it in the stack`,
    });
  }

  private async inspectNetwork(name: string): Promise<Docker.NetworkInspectInfo | undefined> {
    try {
      return (await this.docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.fail(`inspecting network ${name} failed`, error);
    }
  }

  async ensureNetwork(stack: string, name: string, labels: Record<string, string> = {}): Promise<void> {
    const existing = await this.inspectNetwork(name);
    if (existing) {
      this.assertOwnedLabels('network', name, existing.Labels, stack);
      return;
    }
    try {
      await this.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { ...labels, [LABELS.stack]: stack } });
    } catch (error) {
      if (statusOf(error) !== 409) throw this.fail(`creating network ${name} failed`, error);
      const raced = await this.inspectNetwork(name);
      this.assertOwnedLabels('network', name, raced?.Labels, stack);
    }
  }

  async removeNetwork(stack: string, name: string): Promise<void> {
    const existing = await this.inspectNetwork(name);
    if (!existing) return;
    this.assertOwnedLabels('network', name, existing.Labels, stack);
    try {
      await this.docker.getNetwork(existing.Id).remove();
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.fail(`removing network ${name} failed`, error, {
        hint: 'a container outside the stack may still be attached: `docker network inspect` shows which',
      });
    }
  }

  async listNetworks(stack: string): Promise<string[]> {
    try {
      const networks = await this.docker.listNetworks({ filters: { label: [`${LABELS.stack}=${stack}`] } });
      return networks.map((network) => network.Name).sort();
    } catch (error) {
      throw this.fail('listing networks failed', error);
    }
  }

  private async inspectVolume(name: string): Promise<Docker.VolumeInspectInfo | undefined> {
    try {
      return await this.docker.getVolume(name).inspect();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.fail(`inspecting volume ${name} failed`, error);
    }
  }

  async ensureVolume(stack: string, name: string, labels: Record<string, string> = {}): Promise<void> {
    const existing = await this.inspectVolume(name);
    if (existing) {
      this.assertOwnedLabels('volume', name, existing.Labels, stack);
      return;
    }
    try {
      await this.docker.createVolume({ Name: name, Labels: { ...labels, [LABELS.stack]: stack } });
    } catch (error) {
      throw this.fail(`creating volume ${name} failed`, error);
    }
    // Volume creation returns an existing volume of that name as is: check who owns what we got.
    const created = await this.inspectVolume(name);
    this.assertOwnedLabels('volume', name, created?.Labels, stack);
  }

  async removeVolume(stack: string, name: string): Promise<void> {
    const existing = await this.inspectVolume(name);
    if (!existing) return;
    this.assertOwnedLabels('volume', name, existing.Labels, stack);
    try {
      await this.docker.getVolume(name).remove();
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.fail(`removing volume ${name} failed`, error, {
        hint: 'a container may still use it: `docker ps -a --filter volume=' + name + '` shows which',
      });
    }
  }

  async listVolumes(stack: string): Promise<string[]> {
    try {
      const result = await this.docker.listVolumes({ filters: { label: [`${LABELS.stack}=${stack}`] } });
      return (result.Volumes ?? []).map((volume) => volume.Name).sort();
    } catch (error) {
      throw this.fail('listing volumes failed', error);
    }
  }

  // ── containers ───────────────────────────────────────────────────────────────────────────────

  private async inspectRaw(id: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(id).inspect();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.fail(`inspecting container ${id} failed`, error);
    }
  }

  async listContainers(stack: string): Promise<ContainerInfo[]> {
    let summaries: Docker.ContainerInfo[];
    try {
      summaries = await this.docker.listContainers({ all: true, filters: { label: [`${LABELS.stack}=${stack}`] } });
    } catch (error) {
      throw this.fail('listing containers failed', error);
    }
    const inspected = await Promise.all(summaries.map((summary) => this.inspectRaw(summary.Id)));
    return inspected
      .filter((item): item is Docker.ContainerInspectInfo => item !== undefined)
      .map(toInfo)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Reads are harmless: an unlabelled container is returned too (its `stack` is ''). */
  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    const raw = await this.inspectRaw(id);
    return raw ? toInfo(raw) : undefined;
  }

  /**
   * The container if stackctl may act on it: it carries LABELS.stack (the bound stack's, when the
   * runtime is bound). Undefined when it does not exist; NotOwnedError otherwise.
   */
  private async owned(id: string, action: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const raw = await this.inspectRaw(id);
    if (!raw) return undefined;
    const owner = raw.Config?.Labels?.[LABELS.stack];
    const name = raw.Name.replace(/^\//, '');
    if (!owner || (this.options.stack !== undefined && owner !== this.options.stack)) {
      const whose = owner ? `it belongs to stack "${owner}"` : `it has no ${LABELS.stack} label`;
      throw new NotOwnedError(`refusing to ${action} container "${name}": ${whose}; stackctl only touches what it created`, 'container', name, owner, {
        hint: `remove or rename it yourself (docker rm -f ${name}) if it is in the way`,
      });
    }
    return raw;
  }

  private portBindings(ports: PortMapping[], probePorts: number[]): { exposed: Record<string, object>; bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> } {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const port of ports) {
      const key = `${port.target}/${port.protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: port.hostIp ?? LOOPBACK, HostPort: port.published === undefined ? '' : String(port.published) });
    }
    for (const target of probePorts) {
      const key = `${target}/tcp`;
      const reachable = (bindings[key] ?? []).some((binding) => ['', '0.0.0.0', '::', LOOPBACK].includes(binding.HostIp));
      if (reachable) continue;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: LOOPBACK, HostPort: '' });
    }
    return { exposed, bindings };
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const labels = { ...spec.labels, [LABELS.stack]: spec.stack, [LABELS.service]: spec.service };
    const { exposed, bindings } = this.portBindings(spec.ports, spec.probePorts ?? []);
    const mounts: Docker.MountSettings[] = [];
    const binds: string[] = [];
    const tmpfs: Record<string, string> = {};
    for (const volume of spec.volumes) {
      if (volume.type === 'tmpfs') tmpfs[volume.target] = '';
      else if (volume.type === 'bind' && volume.source !== undefined) {
        // Binds (not Mounts) so a missing host directory is created, as compose does.
        binds.push(`${volume.source}:${volume.target}${volume.readOnly ? ':ro' : ''}`);
      } else if (volume.source !== undefined) {
        mounts.push({ Type: 'volume', Source: volume.source, Target: volume.target, ReadOnly: volume.readOnly });
      } else {
        // Anonymous: labelled at creation, so even these are recognisably the stack's.
        mounts.push({ Type: 'volume', Target: volume.target, ReadOnly: volume.readOnly, VolumeOptions: { Labels: { [LABELS.stack]: spec.stack } } } as unknown as Docker.MountSettings);
      }
    }
    // Docker would create a missing named volume without our label (an orphan `down -v` never removes).
    for (const volume of spec.volumes) {
      if (volume.type !== 'volume' || volume.source === undefined) continue;
      if (!(await this.inspectVolume(volume.source))) {
        throw new RuntimeError(`volume "${volume.source}" of service "${spec.service}" does not exist`, {
          service: spec.service,
          hint: 'create the stack\'s volumes (ensureVolume) before its containers; an external volume must be created by hand',
        });
      }
    }
    const endpoints: Record<string, { Aliases: string[] }> = {
      [spec.network]: { Aliases: [...new Set([spec.service, ...spec.aliases])] },
    };
    const options: Docker.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      Labels: labels,
      ExposedPorts: exposed,
      HostConfig: {
        NetworkMode: spec.network,
        PortBindings: bindings,
        Mounts: mounts,
        Binds: binds,
        Tmpfs: tmpfs,
        RestartPolicy: {
          Name: spec.restart.name === 'no' ? '' : spec.restart.name,
          ...(spec.restart.name === 'on-failure' && spec.restart.maxRetries !== undefined ? { MaximumRetryCount: spec.restart.maxRetries } : {}),
        },
      },
      NetworkingConfig: { EndpointsConfig: endpoints },
    };
    if (spec.command) options.Cmd = spec.command;
    if (spec.entrypoint) options.Entrypoint = spec.entrypoint;
    let id: string;
    try {
      id = (await this.docker.createContainer(options)).id;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) {
        const existing = await this.inspectRaw(spec.name);
        if (existing) this.assertOwnedLabels('container', spec.name, existing.Config?.Labels, spec.stack);
        throw new RuntimeError(`container "${spec.name}" already exists: remove it before creating it again`, { service: spec.service, cause: error });
      }
      if (status === 404 && /image/i.test(engineMessage(error))) {
        throw new ImageNotFoundError(`image ${spec.image} not found locally: build it (build:) or pull/load it first`, spec.image, false, {
          service: spec.service,
          cause: error,
        });
      }
      throw this.fail(`creating container "${spec.name}" failed`, error, { service: spec.service });
    }
    // Further networks: connect before start so the service sees them all from the first moment.
    for (const extra of spec.extraNetworks ?? []) {
      try {
        await this.docker.getNetwork(extra.network).connect({ Container: id, EndpointConfig: { Aliases: [...new Set([spec.service, ...extra.aliases])] } });
      } catch (error) {
        throw this.fail(`connecting container "${spec.name}" to network ${extra.network} failed`, error, { service: spec.service });
      }
    }
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const raw = await this.owned(id, 'start');
    if (!raw) throw new RuntimeError(`cannot start container ${id}: it does not exist`);
    const service = raw.Config?.Labels?.[LABELS.service];
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      if (statusOf(error) === 304) return;
      const message = engineMessage(error);
      const inUse = /address already in use|port is already allocated/i.exec(message);
      if (inUse) {
        const port = /(?:[\d.]+|\[[^\]]*\]):(\d+)(?:: bind| failed)/.exec(message)?.[1];
        throw new PortInUseError(
          `cannot start "${raw.Name.replace(/^\//, '')}": host port ${port ?? '(unknown)'} is already in use (${message})`,
          port === undefined ? undefined : Number(port),
          {
            ...(service ? { service } : {}),
            hint: `free the port (\`ss -ltnp 'sport = :${port ?? 'PORT'}'\` shows who holds it) or publish the service on another one (the stack's \${…_PORT} override)`,
            cause: error,
          },
        );
      }
      const name = raw.Name.replace(/^\//, '');
      if (isStaleStartError(message)) {
        throw new StaleContainerError(`the engine cannot start "${name}": ${this.redact(message)}`, this.redact(message), {
          ...(service ? { service } : {}),
          hint: `leftover engine state (after an engine restart or crash): \`stackctl up\` recreates the container, keeping its volumes; by hand: docker rm -f ${name}`,
          cause: error,
        });
      }
      throw this.fail(`starting container "${name}" failed`, error, service ? { service } : {});
    }
  }

  async discardStaleContainer(id: string): Promise<void> {
    const raw = await this.owned(id, 'remove');
    if (!raw) return;
    const name = raw.Name.replace(/^\//, '');
    try {
      // v: false — the volumes stay (named ones never go with a container; anonymous ones stay labelled).
      await this.docker.getContainer(id).remove({ force: true, v: false });
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && !(status === 409 && /already in progress/i.test(engineMessage(error)))) {
        throw this.fail(`removing container "${name}" failed`, error);
      }
    }
    // An endpoint the engine kept under the container's name would refuse the new container.
    for (const network of Object.keys(raw.NetworkSettings?.Networks ?? {})) {
      try {
        await this.docker.getNetwork(network).disconnect({ Container: name, Force: true });
      } catch {
        // Nothing left under that name (the usual case), or the network is gone: nothing to clear.
      }
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const raw = await this.owned(id, 'stop');
    if (!raw) return;
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(timeoutSeconds)) });
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 || status === 404) return;
      throw this.fail(`stopping container "${raw.Name.replace(/^\//, '')}" failed`, error);
    }
  }

  async removeContainer(id: string): Promise<void> {
    const raw = await this.owned(id, 'remove');
    if (!raw) return;
    try {
      // v: anonymous volumes go with the container (named volumes never do).
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return;
      if (status === 409 && /already in progress/i.test(engineMessage(error))) return;
      throw this.fail(`removing container "${raw.Name.replace(/^\//, '')}" failed`, error);
    }
  }

  private async isTty(id: string): Promise<boolean> {
    return (await this.inspectRaw(id))?.Config?.Tty ?? false;
  }

  async logs(id: string, tail: number): Promise<string> {
    let buffer: Buffer;
    try {
      buffer = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: Math.max(0, Math.floor(tail)) });
    } catch (error) {
      throw this.fail(`reading the logs of container ${id} failed`, error);
    }
    if (!Buffer.isBuffer(buffer)) buffer = Buffer.from(String(buffer));
    if (!isMultiplexed(buffer) || (await this.isTty(id))) return buffer.toString('utf8');
    return demuxBuffer(buffer)
      .map((chunk) => chunk.data.toString('utf8'))
      .join('');
  }

  async followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal, tail?: number): Promise<void> {
    if (signal.aborted) return;
    const tty = await this.isTty(id);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getContainer(id).logs({
        stdout: true,
        stderr: true,
        follow: true,
        tail: tail === undefined ? 'all' : Math.max(0, Math.floor(tail)),
        abortSignal: signal,
      } as Docker.ContainerLogsOptions & { follow: true });
    } catch (error) {
      if (isAbort(error, signal)) return;
      throw this.fail(`following the logs of container ${id} failed`, error);
    }
    const demuxer = new Demuxer();
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    const onAbort = (): void => {
      (stream as Readable).destroy?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (tty) {
          for (const line of splitters.stdout.push(chunk.toString('utf8'))) onLine(line);
          continue;
        }
        for (const frame of demuxer.push(chunk)) {
          for (const line of splitters[frame.stream].push(frame.data.toString('utf8'))) onLine(line);
        }
      }
    } catch (error) {
      if (!isAbort(error, signal) && !signal.aborted) throw this.fail(`following the logs of container ${id} failed`, error);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    for (const line of [...splitters.stdout.flush(), ...splitters.stderr.flush()]) onLine(line);
  }

  async execAttached(id: string, command: string[], io: AttachedIo): Promise<number> {
    const raw = await this.owned(id, 'exec into');
    if (!raw) throw new RuntimeError(`cannot exec in container ${id}: it does not exist`);
    const container = this.docker.getContainer(id);
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await container.exec({
        Cmd: command,
        AttachStdin: io.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: io.tty,
        ...(io.env ? { Env: Object.entries(io.env).map(([key, value]) => `${key}=${value}`) } : {}),
        ...(io.workdir ? { WorkingDir: io.workdir } : {}),
        ...(io.user ? { User: io.user } : {}),
      });
      stream = await exec.start({ hijack: true, stdin: io.stdin !== undefined, Tty: io.tty });
    } catch (error) {
      throw this.fail(`exec in container "${raw.Name.replace(/^\//, '')}" failed`, error);
    }
    if (io.stdin) io.stdin.pipe(stream);
    await new Promise<void>((resolve, reject) => {
      if (io.tty) stream.on('data', (chunk: Buffer) => io.stdout.write(chunk));
      else {
        const demuxer = new Demuxer();
        stream.on('data', (chunk: Buffer) => {
          for (const frame of demuxer.push(chunk)) (frame.stream === 'stderr' ? io.stderr : io.stdout).write(frame.data);
        });
      }
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    if (io.stdin) io.stdin.unpipe(stream);
    const inspected = await exec.inspect();
    return inspected.ExitCode ?? -1;
  }

  async top(id: string): Promise<{ titles: string[]; processes: string[][] }> {
    const raw = await this.owned(id, 'list the processes of');
    if (!raw) throw new RuntimeError(`cannot list the processes of container ${id}: it does not exist`);
    try {
      const result = (await this.docker.getContainer(id).top({ ps_args: '-o pid,user,etime,args' })) as { Titles?: string[]; Processes?: string[][] };
      return { titles: result.Titles ?? [], processes: result.Processes ?? [] };
    } catch (error) {
      throw this.fail(`listing the processes of "${raw.Name.replace(/^\//, '')}" failed`, error);
    }
  }

  async copyToContainer(id: string, batch: SyncBatch): Promise<void> {
    const raw = await this.owned(id, 'copy into');
    if (!raw) throw new RuntimeError(`cannot copy into container ${id}: it does not exist`);
    try {
      await this.docker.getContainer(id).putArchive(packSyncBatch(batch), { path: '/' });
    } catch (error) {
      throw this.fail(`copying ${batch.entries.length} file(s) into "${raw.Name.replace(/^\//, '')}" failed`, error);
    }
  }

  async exec(id: string, command: string[], signal?: AbortSignal): Promise<ExecResult> {
    const raw = await this.owned(id, 'exec into');
    if (!raw) throw new RuntimeError(`cannot exec in container ${id}: it does not exist`);
    if (signal?.aborted) throw new CancelledError('exec cancelled');
    const container = this.docker.getContainer(id);
    let stream: NodeJS.ReadWriteStream;
    let exec: Docker.Exec;
    try {
      exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false });
      stream = await exec.start({ hijack: true, stdin: false });
    } catch (error) {
      throw this.fail(`exec in container "${raw.Name.replace(/^\//, '')}" failed`, error);
    }
    const demuxer = new Demuxer();
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = 64 * 1024;
    const onAbort = (): void => {
      (stream as unknown as Readable).destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          for (const frame of demuxer.push(chunk)) {
            chunks.push(frame.data);
            size += frame.data.length;
            while (size > limit && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
          }
        });
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('exec cancelled');
      throw this.fail(`exec in container "${raw.Name.replace(/^\//, '')}" failed`, error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw new CancelledError('exec cancelled');
    // The stream may end a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
        return { exitCode: info.ExitCode, output: Buffer.concat(chunks).toString('utf8') };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new RuntimeError(`exec in container "${raw.Name.replace(/^\//, '')}" did not report an exit code`);
  }

  // ── read-only views (diagnose, doctor): any container, whoever created it ─────────────────

  async findContainers(query: ContainerQuery): Promise<ContainerInfo[]> {
    const labels = query.labels ?? [];
    let raws: Array<Docker.ContainerInspectInfo | undefined>;
    if (query.names && query.names.length > 0) {
      // The engine's name filter matches substrings: inspect each name exactly instead.
      raws = await Promise.all(query.names.map((name) => this.inspectRaw(name)));
    } else {
      let summaries: Docker.ContainerInfo[];
      try {
        summaries = await this.docker.listContainers({ all: true, ...(labels.length > 0 ? { filters: { label: labels } } : {}) });
      } catch (error) {
        throw this.fail('listing containers failed', error);
      }
      raws = await Promise.all(summaries.map((summary) => this.inspectRaw(summary.Id)));
    }
    const matches = (raw: Docker.ContainerInspectInfo): boolean =>
      labels.every((label) => {
        const at = label.indexOf('=');
        const own = raw.Config?.Labels ?? {};
        return at < 0 ? label in own : own[label.slice(0, at)] === label.slice(at + 1);
      });
    const seen = new Set<string>();
    return raws
      .filter((raw): raw is Docker.ContainerInspectInfo => raw !== undefined && matches(raw) && !seen.has(raw.Id) && Boolean(seen.add(raw.Id)))
      .map(toInfo)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async inspectDetails(id: string): Promise<ContainerDetails | undefined> {
    const raw = await this.inspectRaw(id);
    return raw ? toDetails(raw) : undefined;
  }

  async eventsSince(query: EventQuery): Promise<EngineEventRecord[]> {
    const until = query.until ?? new Date();
    const filters: Record<string, string[]> = { type: ['container'] };
    if (query.labels && query.labels.length > 0) filters.label = query.labels;
    if (query.names && query.names.length > 0) filters.container = query.names;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents({
        since: (query.since.getTime() / 1000).toFixed(3),
        until: (until.getTime() / 1000).toFixed(3),
        filters,
      } as unknown as Docker.GetEventsOptions);
    } catch (error) {
      throw this.fail('reading engine events failed', error);
    }
    const out: EngineEventRecord[] = [];
    try {
      for await (const raw of jsonLines(stream)) {
        const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
        const attributes = actor.Attributes ?? {};
        const nanos = typeof raw.timeNano === 'number' ? raw.timeNano / 1e6 : Number(raw.time ?? 0) * 1000;
        const { name = '', image, exitCode, ...labels } = attributes;
        const record: EngineEventRecord = {
          at: new Date(nanos),
          action: String(raw.Action ?? raw.status ?? ''),
          containerId: actor.ID ?? String(raw.id ?? ''),
          name,
          labels,
        };
        if (image !== undefined) record.image = image;
        if (exitCode !== undefined && exitCode !== '') record.exitCode = Number(exitCode);
        out.push(record);
      }
    } catch (error) {
      throw this.fail('reading engine events failed', error);
    }
    return out.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async engineInfo(): Promise<EngineInfo> {
    let info: Record<string, unknown>;
    let version: Record<string, unknown>;
    try {
      [info, version] = (await Promise.all([this.docker.info(), this.docker.version()])) as unknown as [Record<string, unknown>, Record<string, unknown>];
    } catch (error) {
      throw this.fail('asking the engine for its info failed', error);
    }
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    const engine: EngineInfo = {
      endpoint: await this.resolvedEndpoint(),
      serverVersion: text(version.Version) || text(info.ServerVersion),
      apiVersion: text(version.ApiVersion),
      storageDriver: text(info.Driver),
      rootDir: text(info.DockerRootDir),
      memTotalBytes: typeof info.MemTotal === 'number' ? info.MemTotal : 0,
      memoryLimitSupported: info.MemoryLimit === true,
      swapLimitSupported: info.SwapLimit === true,
      os: text(info.OperatingSystem),
      kernel: text(info.KernelVersion),
      cpus: typeof info.NCPU === 'number' ? info.NCPU : 0,
    };
    if (text(version.MinAPIVersion)) engine.minApiVersion = text(version.MinAPIVersion);
    const clientVersion = (this.docker.modem as { version?: unknown }).version;
    if (typeof clientVersion === 'string') engine.clientApiVersion = clientVersion.replace(/^v/, '');
    const time = toDate(text(info.SystemTime));
    if (time) engine.systemTime = time;
    if (text(info.CgroupVersion)) engine.cgroupVersion = text(info.CgroupVersion);
    if (text(info.CgroupDriver)) engine.cgroupDriver = text(info.CgroupDriver);
    return engine;
  }

  /** The endpoint, with docker-modem's default-socket choice resolved (the path it dials). */
  private async resolvedEndpoint(): Promise<string> {
    const modem = this.docker.modem as { socketPath?: unknown; getSocketPath?: () => Promise<unknown> };
    if (typeof modem.socketPath === 'function' && typeof modem.getSocketPath === 'function') {
      const socket = await modem.getSocketPath().catch(() => undefined);
      if (typeof socket === 'string' && socket) return `unix://${socket}`;
    }
    return engineEndpoint(this.docker.modem);
  }

  async runOneShot(spec: OneShotSpec): Promise<ExecResult> {
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        ...(spec.name ? { name: spec.name } : {}),
        Image: spec.image,
        Cmd: spec.command,
        Labels: { [LABELS.stack]: spec.stack },
        HostConfig: { ...(spec.network ? { NetworkMode: spec.network } : {}) },
      });
    } catch (error) {
      if (statusOf(error) === 404) throw new ImageNotFoundError(`image ${spec.image} not found locally`, spec.image, false, { cause: error });
      throw this.fail('creating a throwaway container failed', error);
    }
    try {
      await container.start();
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), spec.timeoutMs).unref());
      const outcome = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timer]);
      if (outcome === 'timeout') {
        await container.kill().catch(() => undefined);
        throw new RuntimeError(`the throwaway container (${spec.command.join(' ')}) did not finish within ${spec.timeoutMs} ms`);
      }
      return { exitCode: outcome.StatusCode, output: await this.logs(container.id, 200) };
    } catch (error) {
      throw this.fail('running a throwaway container failed', error);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  async listLabelled(label: string): Promise<LabelledObject[]> {
    const filters = { label: [label] };
    try {
      const [containers, networks, volumes] = await Promise.all([
        this.docker.listContainers({ all: true, filters }),
        this.docker.listNetworks({ filters }),
        this.docker.listVolumes({ filters }),
      ]);
      const objects: LabelledObject[] = [];
      for (const c of containers) {
        const labels = c.Labels ?? {};
        objects.push({
          kind: 'container',
          id: c.Id,
          name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
          stack: labels[LABELS.stack] ?? '',
          labels,
          createdAt: new Date(c.Created * 1000),
          running: c.State === 'running' || c.State === 'restarting',
        });
      }
      for (const n of networks) {
        const labels = n.Labels ?? {};
        objects.push({ kind: 'network', id: n.Id, name: n.Name, stack: labels[LABELS.stack] ?? '', labels, ...(n.Created ? { createdAt: new Date(n.Created) } : {}) });
      }
      for (const v of volumes.Volumes ?? []) {
        const labels = v.Labels ?? {};
        const created = (v as { CreatedAt?: string }).CreatedAt;
        objects.push({ kind: 'volume', id: v.Name, name: v.Name, stack: labels[LABELS.stack] ?? '', labels, ...(created ? { createdAt: new Date(created) } : {}) });
      }
      return objects;
    } catch (error) {
      throw this.fail(`listing objects labelled ${label} failed`, error);
    }
  }

  async events(stack: string, onEvent: (event: RuntimeEvent) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    // `since` = now: events between this call and the subscription are replayed, not lost.
    const since = (Date.now() / 1000).toFixed(3);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents({
        since,
        filters: { type: ['container'], event: ['start', 'die', 'oom'], label: [`${LABELS.stack}=${stack}`] },
        abortSignal: signal,
      } as unknown as Docker.GetEventsOptions);
    } catch (error) {
      if (isAbort(error, signal)) return;
      throw this.fail('subscribing to engine events failed', error);
    }
    const onAbort = (): void => {
      (stream as Readable).destroy?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const raw of jsonLines(stream)) {
        const action = String(raw.Action ?? raw.status ?? '');
        const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
        const attributes = actor.Attributes ?? {};
        if (attributes[LABELS.stack] !== stack) continue;
        const containerId = actor.ID ?? String(raw.id ?? '');
        const service = attributes[LABELS.service] ?? '';
        const nanos = typeof raw.timeNano === 'number' ? raw.timeNano / 1e6 : Number(raw.time ?? 0) * 1000;
        const at = new Date(nanos || Date.now());
        if (action === 'die') {
          onEvent({ type: 'die', stack, service, containerId, exitCode: Number(attributes.exitCode ?? -1), at });
        } else if (action === 'start') {
          onEvent({ type: 'start', stack, service, containerId, at });
        } else if (action === 'oom') {
          onEvent({ type: 'oom', stack, service, containerId, at });
        }
      }
    } catch (error) {
      if (isAbort(error, signal) || signal.aborted) return;
      throw this.fail('the engine event stream failed', error);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (!signal.aborted) throw new RuntimeError('the engine closed the event stream (did the engine restart?)');
  }
}
