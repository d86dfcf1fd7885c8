/**
 * The reaper of an ephemeral stack (reaper/reaper.pl), Testcontainers' Ryuk for a whole stack.
 *
 * It is the copy's first object: a small container built locally from the base image (Perl only,
 * no registry), labelled as the copy's, with the engine's socket mounted. The owner — `stackctl up
 * --ephemeral` or the Node API's Stack — keeps one TCP connection to it open. When the owner dies
 * by any means (SIGKILL, a runner shutting the job down) the kernel closes that connection and the
 * reaper removes every container, network and volume carrying the copy's two labels
 * (io.stackctl.stack=<name> and io.stackctl.ephemeral=true), then itself — about 2 s after the
 * death. `--ttl` ends the copy the same way when its time is up, with or without an owner
 * (`--detach` hands the copy over to the TTL alone).
 *
 * Why a container rather than a process on the host: a CI runner ends every process of a job it
 * stops (and a host process dies with the runner's process group), while a container lives in the
 * engine, which is what owns the copy's objects anyway.
 */
import { connect, type Socket } from 'node:net';
import type { Stack } from '../config/model.js';
import { RuntimeError, errorMessage } from '../errors.js';
import { packagePath } from '../package-root.js';
import { LABELS, type ContainerSpec, type Runtime } from '../runtime/runtime.js';
import { EPHEMERAL_LABELS } from '../plan/ephemeral-labels.js';

export const REAPER_IMAGE = 'stackctl/reaper:1';
export const REAPER_SERVICE = 'stackctl-reaper';
const REAPER_PORT = 7070;
/** The reaper removes the copy when nobody has connected this long after its start. */
export const CONNECT_TIMEOUT_S = 6;

export interface ReaperOptions {
  /** Expiry of the copy (ms since the epoch): the reaper removes it then, owner or not. */
  expiresAtMs?: number;
  /** The engine socket to mount (default: DOCKER_HOST's unix path, else /var/run/docker.sock). */
  dockerSocket?: string;
  env?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

/** The owner's side of the connection: kept open while the copy is wanted. */
export interface ReaperSession {
  containerId: string;
  /** Host port the reaper listens on (127.0.0.1). */
  port: number;
  /** Hands the copy to its TTL: the reaper no longer removes it when this process ends. */
  detach(): Promise<void>;
  /** Closes the connection (the reaper then removes the copy unless detached or already down). */
  close(): void;
}

export function dockerSocketPath(env: Readonly<Record<string, string | undefined>>): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

/** Builds the reaper image unless an identical one exists (the build is skipped by its context hash). */
export async function ensureReaperImage(runtime: Runtime, stackName: string, signal?: AbortSignal): Promise<string> {
  const context = packagePath('reaper');
  const result = await runtime.buildImage({
    stack: stackName,
    service: REAPER_SERVICE,
    tag: REAPER_IMAGE,
    contextHash: '',
    build: { context, dockerfile: packagePath('reaper', 'Dockerfile'), args: {}, additionalContexts: {}, location: { file: packagePath('reaper', 'Dockerfile'), line: 1, col: 1 } },
    ...(signal ? { signal } : {}),
  });
  return result.imageId;
}

/** The reaper's own network, labelled as the copy's: it publishes its port without the engine's default bridge. */
export function reaperNetwork(stackName: string): string {
  return `${stackName}_${REAPER_SERVICE}`;
}

export function reaperSpec(stack: Stack, options: ReaperOptions = {}): ContainerSpec {
  const location = { file: stack.file, line: 1, col: 1 };
  const socket = options.dockerSocket ?? dockerSocketPath(options.env ?? process.env);
  return {
    stack: stack.name,
    service: REAPER_SERVICE,
    name: `${stack.name}-${REAPER_SERVICE}`,
    image: REAPER_IMAGE,
    env: {
      STACKCTL_STACK: stack.name,
      STACKCTL_EXPIRES_AT: options.expiresAtMs === undefined ? '0' : String(Math.ceil(options.expiresAtMs / 1000)),
      STACKCTL_CONNECT_TIMEOUT: String(CONNECT_TIMEOUT_S),
      STACKCTL_GRACE: '1',
    },
    ports: [{ hostIp: '127.0.0.1', target: REAPER_PORT, protocol: 'tcp', location }],
    volumes: [{ type: 'bind', source: socket, target: '/var/run/docker.sock', readOnly: false, location }],
    network: reaperNetwork(stack.name),
    aliases: [],
    restart: { name: 'no' },
    labels: { ...stack.labels, [LABELS.stack]: stack.name, [LABELS.service]: REAPER_SERVICE, [EPHEMERAL_LABELS.reaper]: 'true' },
  };
}

/** Connects and waits for the reaper's `ACK <stack>` (the engine's proxy accepts before the reaper listens). */
async function handshake(port: number, stackName: string, deadlineMs: number): Promise<Socket> {
  let lastError = 'no answer';
  while (Date.now() < deadlineMs) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port });
        let buffer = '';
        const timer = setTimeout(() => fail(new Error('no ACK within 1 s')), 1000);
        const fail = (error: Error): void => {
          clearTimeout(timer);
          socket.destroy();
          reject(error);
        };
        socket.on('data', (chunk) => {
          buffer += chunk.toString('utf8');
          if (!buffer.includes('\n')) return;
          clearTimeout(timer);
          socket.removeAllListeners('data');
          socket.removeAllListeners('close');
          if (buffer.startsWith(`ACK ${stackName}\n`)) resolve(socket);
          else fail(new Error(`unexpected answer ${JSON.stringify(buffer.slice(0, 40))}`));
        });
        socket.on('error', (error) => fail(error));
        socket.on('close', () => fail(new Error('closed before ACK')));
      });
    } catch (error) {
      lastError = errorMessage(error);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new RuntimeError(`the reaper of stack ${stackName} did not answer on 127.0.0.1:${port}: ${lastError}`, {
    hint: `\`docker logs ${stackName}-${REAPER_SERVICE}\` shows why; the reaper removes the stack by itself when nobody connects`,
  });
}

/**
 * Starts the copy's reaper and connects to it. Call it before anything else of the copy exists, so
 * that from the first network on, the death of this process removes the copy.
 */
export async function startReaper(runtime: Runtime, stack: Stack, options: ReaperOptions = {}): Promise<ReaperSession> {
  await ensureReaperImage(runtime, stack.name, options.signal);
  await runtime.ensureNetwork(stack.name, reaperNetwork(stack.name), stack.labels);
  const id = await runtime.createContainer(reaperSpec(stack, options));
  await runtime.startContainer(id);
  const info = await runtime.inspectContainer(id);
  const port = info?.ports.find((published) => published.target === REAPER_PORT)?.hostPort;
  if (port === undefined) throw new RuntimeError(`the reaper of stack ${stack.name} has no published port`);
  const socket = await handshake(port, stack.name, Date.now() + (CONNECT_TIMEOUT_S - 1) * 1000);
  // The connection must not keep a process alive that has nothing else to do: when the process
  // ends, the connection ends, and that is the signal.
  socket.unref();
  socket.on('error', () => undefined);
  return {
    containerId: id,
    port,
    detach: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new RuntimeError(`the reaper of stack ${stack.name} did not confirm DETACH`)), 3000);
        socket.once('data', (chunk) => {
          clearTimeout(timer);
          if (chunk.toString('utf8').includes('DETACHED')) resolve();
          else reject(new RuntimeError(`the reaper of stack ${stack.name} answered ${JSON.stringify(chunk.toString('utf8').slice(0, 40))} to DETACH`));
        });
        socket.write('DETACH\n');
      }).finally(() => socket.destroy()),
    close: () => socket.destroy(),
  };
}
