/**
 * What stackctl needs from a container engine. Only src/runtime/docker-runtime.ts (a facade over
 * src/runtime/docker/) implements it with dockerode; the engine, the daemon and their unit tests
 * speak only to this interface (test/support/memory-runtime.ts is the in-memory fake).
 *
 * Ownership: every object stackctl creates carries LABELS.stack = the stack's name. A runtime
 * never lists, stops or removes anything without that label.
 */
import type { BuildSpec, PortMapping, RestartPolicy, VolumeMount } from '../config/model.js';
import type { SyncBatch } from './sync-archive.js';
import type { BuildSteps } from './build-steps.js';

export type { SyncBatch } from './sync-archive.js';

export const LABELS = {
  stack: 'io.stackctl.stack',
  service: 'io.stackctl.service',
  configHash: 'io.stackctl.config-hash',
  contextHash: 'io.stackctl.context-hash',
} as const;

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface PublishedPort {
  target: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

export interface ContainerInfo {
  id: string;
  name: string;
  stack: string;
  service: string;
  configHash: string;
  image: string;
  status: ContainerStatus;
  exitCode?: number;
  /** The engine's own error from its last attempt to start the container (e.g. after an engine crash). */
  startError?: string;
  oomKilled: boolean;
  restartCount: number;
  startedAt?: Date;
  finishedAt?: Date;
  ports: PublishedPort[];
  labels: Record<string, string>;
}

export interface ContainerSpec {
  stack: string;
  service: string;
  /** `<stack>-<service>`. */
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  env: Record<string, string>;
  ports: PortMapping[];
  volumes: VolumeMount[];
  network: string;
  aliases: string[];
  /** Further networks to join (a service listing several); added by the engine owner, optional. */
  extraNetworks?: Array<{ network: string; aliases: string[] }>;
  restart: RestartPolicy;
  labels: Record<string, string>;
  /**
   * Container ports a readiness probe reaches: each gets an ephemeral 127.0.0.1 host port unless
   * `ports` already publishes it on an address reachable from loopback. (A PortMapping without
   * `published` does the same.) Added by the runtime owner, optional.
   */
  probePorts?: number[];
}

export interface BuildRequest {
  stack: string;
  service: string;
  tag: string;
  build: BuildSpec;
  /** Skip the build when an image with this context hash label exists. */
  contextHash: string;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** `stackctl build --no-cache`: build even when the hash matches, without the layer cache. */
  noCache?: boolean;
  /** `stackctl build --pull`: pull newer base images (needs a registry). */
  pull?: boolean;
}

export interface BuildResult {
  imageId: string;
  /** False when the build was skipped because the context hash matched. */
  built: boolean;
  /** A real build: its steps after FROM, and how many the layer cache gave. */
  steps?: BuildSteps;
}

export interface AttachedIo {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** A terminal: one raw stream, as `docker exec -it`. */
  tty: boolean;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export type RuntimeEvent =
  | { type: 'die'; stack: string; service: string; containerId: string; exitCode: number; at: Date }
  | { type: 'start'; stack: string; service: string; containerId: string; at: Date }
  | { type: 'oom'; stack: string; service: string; containerId: string; at: Date };

/** Compose's labels on the containers it creates (docker compose v2 and docker-compose 1.x alike). */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
  oneoff: 'com.docker.compose.oneoff',
} as const;

/**
 * Which containers to read (diagnose, doctor): by label (`key` or `key=value`, all must match) or by
 * name/id (any). Read-only, so containers of any owner qualify.
 */
export interface ContainerQuery {
  labels?: string[];
  names?: string[];
}

export interface HealthRecord {
  start?: Date;
  exitCode: number;
  output: string;
}

/** Everything diagnose reads from one container; `env` is raw (callers redact it). */
export interface ContainerDetails extends ContainerInfo {
  createdAt?: Date;
  command: string[];
  env: Array<{ name: string; value: string }>;
  health?: { status: string; failingStreak: number; log: HealthRecord[] };
  restartPolicy: { name: string; maxRetries: number };
  /** HostConfig.Memory; undefined when unlimited. */
  memoryLimitBytes?: number;
  networks: string[];
  /** Host ports the container asked for (HostConfig.PortBindings), bound or not. */
  wantedPorts: PublishedPort[];
  /** The engine's last error for the container (e.g. a failed start), if any. */
  error?: string;
}

/** One engine event about a container, as recorded by the engine. */
export interface EngineEventRecord {
  at: Date;
  /** e.g. create, start, die, oom, kill, stop, restart, destroy, `health_status: unhealthy`. */
  action: string;
  containerId: string;
  /** Container name. */
  name: string;
  image?: string;
  exitCode?: number;
  labels: Record<string, string>;
}

export interface EventQuery extends ContainerQuery {
  since: Date;
  until?: Date;
}

/** What doctor reports about the engine. */
export interface EngineInfo {
  /** Where the runtime connects (unix:///var/run/docker.sock, tcp://…). */
  endpoint: string;
  serverVersion: string;
  apiVersion: string;
  minApiVersion?: string;
  /** The API version this client speaks (undefined: negotiated / the engine's). */
  clientApiVersion?: string;
  storageDriver: string;
  rootDir: string;
  systemTime?: Date;
  /** Host memory the engine sees. */
  memTotalBytes: number;
  memoryLimitSupported: boolean;
  swapLimitSupported: boolean;
  cgroupVersion?: string;
  cgroupDriver?: string;
  os: string;
  kernel: string;
  cpus: number;
}

export interface OneShotSpec {
  /** Label value of LABELS.stack on the throwaway container. */
  stack: string;
  image: string;
  command: string[];
  network?: string;
  /** Container name (resolvable through the network's DNS); default: the engine picks one. */
  name?: string;
  timeoutMs: number;
  /** Named volumes to mount (one that is missing is created by the engine, with `labels`). */
  volumes?: Array<{ volume: string; target: string; readOnly: boolean }>;
  /** Further labels on the throwaway container (LABELS.stack is `stack`). */
  labels?: Record<string, string>;
}

/** An engine object found by a label, whatever stack it belongs to (for `stackctl gc`). */
export interface LabelledObject {
  kind: 'container' | 'network' | 'volume';
  /** Container or network id; a volume's name. */
  id: string;
  name: string;
  /** Its LABELS.stack ('' when absent). */
  stack: string;
  labels: Record<string, string>;
  createdAt?: Date;
  /** Containers: running (or restarting) now. */
  running?: boolean;
}

export interface Runtime {
  /** Throws EngineUnavailableError when the engine does not answer. */
  ping(signal?: AbortSignal): Promise<void>;

  imageExists(ref: string): Promise<boolean>;
  /** Image id, or undefined when absent. */
  imageId(ref: string): Promise<string | undefined>;
  pullImage(ref: string, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<void>;
  buildImage(request: BuildRequest): Promise<BuildResult>;

  /** `labels`: further labels for a network or volume it creates (LABELS.stack is always set). */
  ensureNetwork(stack: string, name: string, labels?: Record<string, string>): Promise<void>;
  ensureVolume(stack: string, name: string, labels?: Record<string, string>): Promise<void>;
  removeNetwork(stack: string, name: string): Promise<void>;
  removeVolume(stack: string, name: string): Promise<void>;
  listVolumes(stack: string): Promise<string[]>;
  listNetworks(stack: string): Promise<string[]>;

  /** Containers of the stack (running or not), found by label. */
  listContainers(stack: string): Promise<ContainerInfo[]>;
  inspectContainer(id: string): Promise<ContainerInfo | undefined>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Freezes every process of the container (`docker pause`): its files hold still, its memory stays. */
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /**
   * Removes a container the engine can no longer start because of its own stale state (see
   * StaleContainerError), keeping its volumes (anonymous ones too), and clears what the engine still
   * holds under the container's name (network endpoints), so a new container of that name starts.
   */
  discardStaleContainer(id: string): Promise<void>;
  /** Last `tail` lines of the container's combined output. */
  logs(id: string, tail: number): Promise<string>;
  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal, tail?: number): Promise<void>;
  exec(id: string, command: string[], signal?: AbortSignal): Promise<ExecResult>;
  /** Attaches the caller's streams to a command in the container (exec); resolves with its exit code. */
  execAttached(id: string, command: string[], io: AttachedIo): Promise<number>;
  /** Processes in the container, as `ps` shows them: column titles and rows. */
  top(id: string): Promise<{ titles: string[]; processes: string[][] }>;
  /** Copies host files into a container (watch's sync); parent directories are created as needed. */
  copyToContainer(id: string, batch: SyncBatch): Promise<void>;
  /** Containers matching the query, whoever created them (read-only). */
  findContainers(query: ContainerQuery): Promise<ContainerInfo[]>;
  /** Full state of one container, whoever created it; undefined when it does not exist. */
  inspectDetails(id: string): Promise<ContainerDetails | undefined>;
  /** The engine's recorded container events in [since, until or now], oldest first. */
  eventsSince(query: EventQuery): Promise<EngineEventRecord[]>;
  engineInfo(): Promise<EngineInfo>;
  /** Runs a throwaway container (labelled `spec.stack`) to completion and removes it. */
  runOneShot(spec: OneShotSpec): Promise<ExecResult>;
  /**
   * Every container, network and volume carrying `label` (a key, any value), across stacks. Read only.
   * Optional: the in-memory test runtime does without it.
   */
  listLabelled?(label: string): Promise<LabelledObject[]>;
  /** Engine events for the stack's containers until `signal` aborts. */
  events(stack: string, onEvent: (event: RuntimeEvent) => void, signal: AbortSignal): Promise<void>;
}
