/** The engine itself: is it there (ping), what is it (info), and everything carrying a label. */
import http from 'node:http';
import https from 'node:https';
import type Docker from 'dockerode';
import { CancelledError } from '../../errors.js';
import { LABELS, type EngineInfo, type LabelledObject } from '../runtime.js';
import { DockerClient, dockerOptionsFromHost } from './client.js';
import type { DockerContext } from './context.js';
import { toDate } from './container-info.js';
import { engineEndpoint } from './engine-errors.js';

/** The fresh-connection client of each context, made on the first ping. */
const pingers = new WeakMap<DockerContext, Docker>();

export async function ping(ctx: DockerContext, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(ctx.options.pingTimeoutMs ?? 5000);
  const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    await (freshConnections(ctx) as unknown as { ping(options: { abortSignal: AbortSignal }): Promise<unknown> }).ping({ abortSignal });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError('cancelled while waiting for the container engine');
    if (timeout.aborted) throw ctx.unavailable(new Error(`no answer within ${ctx.options.pingTimeoutMs ?? 5000} ms`));
    throw ctx.unavailable(error);
  }
}

/**
 * A client that opens a new connection per request. Node keeps idle connections alive, and a
 * stopping dockerd closes its listener but keeps serving the connections it has for a while: a
 * ping over a kept-alive one would say the engine answers while it is in fact going away.
 */
function freshConnections(ctx: DockerContext): Docker {
  const protocol = (ctx.docker.modem as { protocol?: string }).protocol;
  if (protocol === 'ssh') return ctx.docker;
  // docker-modem passes `agent` to every request (the typings do not list it).
  const agent = protocol === 'https' ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  let pinger = pingers.get(ctx);
  if (!pinger) {
    // The same engine as the main client: the options given, else the caller's DOCKER_HOST.
    pinger = new DockerClient({ ...(ctx.options.docker ?? dockerOptionsFromHost(ctx.options.dockerHost)), agent } as Docker.DockerOptions);
    pingers.set(ctx, pinger);
  }
  return pinger;
}

export async function engineInfo(ctx: DockerContext): Promise<EngineInfo> {
  let info: Record<string, unknown>;
  let version: Record<string, unknown>;
  try {
    [info, version] = (await Promise.all([ctx.docker.info(), ctx.docker.version()])) as unknown as [Record<string, unknown>, Record<string, unknown>];
  } catch (error) {
    throw ctx.fail('asking the engine for its info failed', error);
  }
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const engine: EngineInfo = {
    endpoint: await resolvedEndpoint(ctx),
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
  const clientVersion = (ctx.docker.modem as { version?: unknown }).version;
  if (typeof clientVersion === 'string') engine.clientApiVersion = clientVersion.replace(/^v/, '');
  const time = toDate(text(info.SystemTime));
  if (time) engine.systemTime = time;
  if (text(info.CgroupVersion)) engine.cgroupVersion = text(info.CgroupVersion);
  if (text(info.CgroupDriver)) engine.cgroupDriver = text(info.CgroupDriver);
  return engine;
}

/** The endpoint, with docker-modem's default-socket choice resolved (the path it dials). */
async function resolvedEndpoint(ctx: DockerContext): Promise<string> {
  const modem = ctx.docker.modem as { socketPath?: unknown; getSocketPath?: () => Promise<unknown> };
  if (typeof modem.socketPath === 'function' && typeof modem.getSocketPath === 'function') {
    const socket = await modem.getSocketPath().catch(() => undefined);
    if (typeof socket === 'string' && socket) return `unix://${socket}`;
  }
  return engineEndpoint(ctx.docker.modem);
}

export async function listLabelled(ctx: DockerContext, label: string): Promise<LabelledObject[]> {
  const filters = { label: [label] };
  try {
    const [containers, networks, volumes] = await Promise.all([
      ctx.docker.listContainers({ all: true, filters }),
      ctx.docker.listNetworks({ filters }),
      ctx.docker.listVolumes({ filters }),
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
    throw ctx.fail(`listing objects labelled ${label} failed`, error);
  }
}

