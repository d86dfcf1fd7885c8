/**
 * The Runtime over Docker's API: a facade over src/runtime/docker/, one module per job — images.ts
 * (inspect, pull, build, tag), containers.ts (create, start, stop, remove, list, inspect), exec.ts
 * (exec, top, copy), networks-volumes.ts, streams.ts (logs, events), engine.ts (ping, info,
 * labelled objects), engine-errors.ts (engine failures in stackctl's terms). Only that folder
 * imports dockerode.
 *
 * Ownership is enforced there, not left to callers (docker/ownership.ts): a network or volume is
 * created with the stack's label and removed only when it carries it; a container is started,
 * stopped, removed or exec'd into only when it carries LABELS.stack (and, when the runtime is bound
 * to a stack with `options.stack`, that stack's name). Anything else raises NotOwnedError and is
 * left as it was.
 */
import type {
  AttachedIo,
  BuildRequest,
  BuildResult,
  ContainerDetails,
  ContainerInfo,
  ContainerQuery,
  ContainerSpec,
  EngineEventRecord,
  EngineInfo,
  EventQuery,
  ExecResult,
  LabelledObject,
  OneShotSpec,
  Runtime,
  RuntimeEvent,
  SyncBatch,
} from './runtime.js';
import type { DockerRuntimeOptions } from './docker/client.js';
import { createDockerContext, type DockerContext } from './docker/context.js';
import * as containers from './docker/containers.js';
import * as engine from './docker/engine.js';
import * as execs from './docker/exec.js';
import * as images from './docker/images.js';
import * as networks from './docker/networks-volumes.js';
import * as streams from './docker/streams.js';

export { engineEndpoint } from './docker/engine-errors.js';
export { IMAGE_LABELS } from './docker/images.js';
export type { DockerRuntimeOptions };

export class DockerRuntime implements Runtime {
  private readonly context: DockerContext;

  constructor(options: DockerRuntimeOptions = {}) {
    this.context = createDockerContext(options);
  }

  // ── engine ───────────────────────────────────────────────────────────────────────────────────

  ping(signal?: AbortSignal): Promise<void> {
    return engine.ping(this.context, signal);
  }

  engineInfo(): Promise<EngineInfo> {
    return engine.engineInfo(this.context);
  }

  listLabelled(label: string): Promise<LabelledObject[]> {
    return engine.listLabelled(this.context, label);
  }

  // ── images ───────────────────────────────────────────────────────────────────────────────────

  imageExists(ref: string): Promise<boolean> {
    return images.imageExists(this.context, ref);
  }

  imageId(ref: string): Promise<string | undefined> {
    return images.imageId(this.context, ref);
  }

  pullImage(ref: string, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<void> {
    return images.pullImage(this.context, ref, onProgress, signal);
  }

  buildImage(request: BuildRequest): Promise<BuildResult> {
    return images.buildImage(this.context, request);
  }

  // ── networks and volumes ─────────────────────────────────────────────────────────────────────

  ensureNetwork(stack: string, name: string, labels: Record<string, string> = {}): Promise<void> {
    return networks.ensureNetwork(this.context, stack, name, labels);
  }

  removeNetwork(stack: string, name: string): Promise<void> {
    return networks.removeNetwork(this.context, stack, name);
  }

  listNetworks(stack: string): Promise<string[]> {
    return networks.listNetworks(this.context, stack);
  }

  ensureVolume(stack: string, name: string, labels: Record<string, string> = {}): Promise<void> {
    return networks.ensureVolume(this.context, stack, name, labels);
  }

  removeVolume(stack: string, name: string): Promise<void> {
    return networks.removeVolume(this.context, stack, name);
  }

  listVolumes(stack: string): Promise<string[]> {
    return networks.listVolumes(this.context, stack);
  }

  // ── containers ───────────────────────────────────────────────────────────────────────────────

  listContainers(stack: string): Promise<ContainerInfo[]> {
    return containers.listContainers(this.context, stack);
  }

  /** Reads are harmless: an unlabelled container is returned too (its `stack` is ''). */
  inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    return containers.inspectContainer(this.context, id);
  }

  createContainer(spec: ContainerSpec): Promise<string> {
    return containers.createContainer(this.context, spec);
  }

  startContainer(id: string): Promise<void> {
    return containers.startContainer(this.context, id);
  }

  discardStaleContainer(id: string): Promise<void> {
    return containers.discardStaleContainer(this.context, id);
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    return containers.stopContainer(this.context, id, timeoutSeconds);
  }

  pauseContainer(id: string): Promise<void> {
    return containers.pauseContainer(this.context, id);
  }

  unpauseContainer(id: string): Promise<void> {
    return containers.unpauseContainer(this.context, id);
  }

  removeContainer(id: string): Promise<void> {
    return containers.removeContainer(this.context, id);
  }

  runOneShot(spec: OneShotSpec): Promise<ExecResult> {
    return containers.runOneShot(this.context, spec);
  }

  // ── read-only views (diagnose, doctor): any container, whoever created it ─────────────────

  findContainers(query: ContainerQuery): Promise<ContainerInfo[]> {
    return containers.findContainers(this.context, query);
  }

  inspectDetails(id: string): Promise<ContainerDetails | undefined> {
    return containers.inspectDetails(this.context, id);
  }

  // ── into a running container ─────────────────────────────────────────────────────────────────

  exec(id: string, command: string[], signal?: AbortSignal): Promise<ExecResult> {
    return execs.exec(this.context, id, command, signal);
  }

  execAttached(id: string, command: string[], io: AttachedIo): Promise<number> {
    return execs.execAttached(this.context, id, command, io);
  }

  top(id: string): Promise<{ titles: string[]; processes: string[][] }> {
    return execs.top(this.context, id);
  }

  copyToContainer(id: string, batch: SyncBatch): Promise<void> {
    return execs.copyToContainer(this.context, id, batch);
  }

  // ── streams ──────────────────────────────────────────────────────────────────────────────────

  logs(id: string, tail: number): Promise<string> {
    return streams.logs(this.context, id, tail);
  }

  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal, tail?: number): Promise<void> {
    return streams.followLogs(this.context, id, onLine, signal, tail);
  }

  eventsSince(query: EventQuery): Promise<EngineEventRecord[]> {
    return streams.eventsSince(this.context, query);
  }

  events(stack: string, onEvent: (event: RuntimeEvent) => void, signal: AbortSignal): Promise<void> {
    return streams.events(this.context, stack, onEvent, signal);
  }
}
