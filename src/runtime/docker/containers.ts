/** Containers of a stack: create (ports, mounts, networks), start, stop, remove, list and inspect. */
import type Docker from 'dockerode';
import { RuntimeError } from '../../errors.js';
import type { PortMapping } from '../../config/model.js';
import { LABELS, type ContainerDetails, type ContainerInfo, type ContainerQuery, type ContainerSpec, type ExecResult, type OneShotSpec } from '../runtime.js';
import { ImageNotFoundError, PortInUseError, StaleContainerError, isStaleStartError } from '../errors.js';
import type { DockerContext } from './context.js';
import { toDetails, toInfo } from './container-info.js';
import { engineMessage, statusOf } from './engine-errors.js';
import { inspectVolume } from './networks-volumes.js';
import { assertOwnedLabels, inspectRaw, owned } from './ownership.js';
import { logs } from './streams.js';

const LOOPBACK = '127.0.0.1';

export async function listContainers(ctx: DockerContext, stack: string): Promise<ContainerInfo[]> {
  let summaries: Docker.ContainerInfo[];
  try {
    summaries = await ctx.docker.listContainers({ all: true, filters: { label: [`${LABELS.stack}=${stack}`] } });
  } catch (error) {
    throw ctx.fail('listing containers failed', error);
  }
  const inspected = await Promise.all(summaries.map((summary) => inspectRaw(ctx, summary.Id)));
  return inspected
    .filter((item): item is Docker.ContainerInspectInfo => item !== undefined)
    .map(toInfo)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Reads are harmless: an unlabelled container is returned too (its `stack` is ''). */
export async function inspectContainer(ctx: DockerContext, id: string): Promise<ContainerInfo | undefined> {
  const raw = await inspectRaw(ctx, id);
  return raw ? toInfo(raw) : undefined;
}

function portBindings(ctx: DockerContext, ports: PortMapping[], probePorts: number[]): { exposed: Record<string, object>; bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> } {
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

export async function createContainer(ctx: DockerContext, spec: ContainerSpec): Promise<string> {
  const labels = { ...spec.labels, [LABELS.stack]: spec.stack, [LABELS.service]: spec.service };
  const { exposed, bindings } = portBindings(ctx, spec.ports, spec.probePorts ?? []);
  const mounts: Docker.MountSettings[] = [];
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  for (const volume of spec.volumes) {
    if (volume.type === 'tmpfs') tmpfs[volume.target] = '';
    else if (volume.type === 'bind' && volume.source !== undefined) {
      // Binds (not Mounts) so a missing host directory is created, as compose does.
      const modes = [...(volume.readOnly ? ['ro'] : []), ...(volume.options ?? []).filter((flag) => flag !== 'nocopy')];
      binds.push(`${volume.source}:${volume.target}${modes.length > 0 ? `:${modes.join(',')}` : ''}`);
    } else if (volume.source !== undefined) {
      const noCopy = volume.options?.includes('nocopy') === true;
      // dockerode's type asks for every VolumeOptions field; the engine takes NoCopy alone.
      const settings = { Type: 'volume', Source: volume.source, Target: volume.target, ReadOnly: volume.readOnly, ...(noCopy ? { VolumeOptions: { NoCopy: true } } : {}) };
      mounts.push(settings as Docker.MountSettings);
    } else {
      // Anonymous: labelled at creation, so even these are recognisably the stack's.
      mounts.push({ Type: 'volume', Target: volume.target, ReadOnly: volume.readOnly, VolumeOptions: { Labels: { [LABELS.stack]: spec.stack } } } as unknown as Docker.MountSettings);
    }
  }
  // Docker would create a missing named volume without our label (an orphan `down -v` never removes).
  for (const volume of spec.volumes) {
    if (volume.type !== 'volume' || volume.source === undefined) continue;
    if (!(await inspectVolume(ctx, volume.source))) {
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
    id = (await ctx.docker.createContainer(options)).id;
  } catch (error) {
    const status = statusOf(error);
    if (status === 409) {
      const existing = await inspectRaw(ctx, spec.name);
      if (existing) assertOwnedLabels('container', spec.name, existing.Config?.Labels, spec.stack);
      throw new RuntimeError(`container "${spec.name}" already exists: remove it before creating it again`, { service: spec.service, cause: error });
    }
    if (status === 404 && /image/i.test(engineMessage(error))) {
      throw new ImageNotFoundError(`image ${spec.image} not found locally: build it (build:) or pull/load it first`, spec.image, false, {
        service: spec.service,
        cause: error,
      });
    }
    throw ctx.fail(`creating container "${spec.name}" failed`, error, { service: spec.service });
  }
  // Further networks: connect before start so the service sees them all from the first moment.
  for (const extra of spec.extraNetworks ?? []) {
    try {
      await ctx.docker.getNetwork(extra.network).connect({ Container: id, EndpointConfig: { Aliases: [...new Set([spec.service, ...extra.aliases])] } });
    } catch (error) {
      throw ctx.fail(`connecting container "${spec.name}" to network ${extra.network} failed`, error, { service: spec.service });
    }
  }
  return id;
}

export async function startContainer(ctx: DockerContext, id: string): Promise<void> {
  const raw = await owned(ctx, id, 'start');
  if (!raw) throw new RuntimeError(`cannot start container ${id}: it does not exist`);
  const service = raw.Config?.Labels?.[LABELS.service];
  try {
    await ctx.docker.getContainer(id).start();
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
      throw new StaleContainerError(`the engine cannot start "${name}": ${ctx.redact(message)}`, ctx.redact(message), {
        ...(service ? { service } : {}),
        hint: `leftover engine state (after an engine restart or crash): \`stackctl up\` recreates the container, keeping its volumes; by hand: docker rm -f ${name}`,
        cause: error,
      });
    }
    throw ctx.fail(`starting container "${name}" failed`, error, service ? { service } : {});
  }
}

export async function discardStaleContainer(ctx: DockerContext, id: string): Promise<void> {
  const raw = await owned(ctx, id, 'remove');
  if (!raw) return;
  const name = raw.Name.replace(/^\//, '');
  try {
    // v: false — the volumes stay (named ones never go with a container; anonymous ones stay labelled).
    await ctx.docker.getContainer(id).remove({ force: true, v: false });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && !(status === 409 && /already in progress/i.test(engineMessage(error)))) {
      throw ctx.fail(`removing container "${name}" failed`, error);
    }
  }
  // An endpoint the engine kept under the container's name would refuse the new container.
  for (const network of Object.keys(raw.NetworkSettings?.Networks ?? {})) {
    try {
      await ctx.docker.getNetwork(network).disconnect({ Container: name, Force: true });
    } catch {
      // Nothing left under that name (the usual case), or the network is gone: nothing to clear.
    }
  }
}

export async function stopContainer(ctx: DockerContext, id: string, timeoutSeconds: number): Promise<void> {
  const raw = await owned(ctx, id, 'stop');
  if (!raw) return;
  try {
    await ctx.docker.getContainer(id).stop({ t: Math.max(0, Math.round(timeoutSeconds)) });
  } catch (error) {
    const status = statusOf(error);
    if (status === 304 || status === 404) return;
    throw ctx.fail(`stopping container "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
}

export async function pauseContainer(ctx: DockerContext, id: string): Promise<void> {
  const raw = await owned(ctx, id, 'pause');
  if (!raw) throw new RuntimeError(`cannot pause container ${id}: it does not exist`);
  try {
    await ctx.docker.getContainer(id).pause();
  } catch (error) {
    throw ctx.fail(`pausing container "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
}

export async function unpauseContainer(ctx: DockerContext, id: string): Promise<void> {
  const raw = await owned(ctx, id, 'unpause');
  if (!raw?.State.Paused) return;
  try {
    await ctx.docker.getContainer(id).unpause();
  } catch (error) {
    throw ctx.fail(`unpausing container "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
}

export async function removeContainer(ctx: DockerContext, id: string): Promise<void> {
  const raw = await owned(ctx, id, 'remove');
  if (!raw) return;
  try {
    // v: anonymous volumes go with the container (named volumes never do).
    await ctx.docker.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return;
    if (status === 409 && /already in progress/i.test(engineMessage(error))) return;
    throw ctx.fail(`removing container "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
}

export async function findContainers(ctx: DockerContext, query: ContainerQuery): Promise<ContainerInfo[]> {
  const labels = query.labels ?? [];
  let raws: Array<Docker.ContainerInspectInfo | undefined>;
  if (query.names && query.names.length > 0) {
    // The engine's name filter matches substrings: inspect each name exactly instead.
    raws = await Promise.all(query.names.map((name) => inspectRaw(ctx, name)));
  } else {
    let summaries: Docker.ContainerInfo[];
    try {
      summaries = await ctx.docker.listContainers({ all: true, ...(labels.length > 0 ? { filters: { label: labels } } : {}) });
    } catch (error) {
      throw ctx.fail('listing containers failed', error);
    }
    raws = await Promise.all(summaries.map((summary) => inspectRaw(ctx, summary.Id)));
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

export async function inspectDetails(ctx: DockerContext, id: string): Promise<ContainerDetails | undefined> {
  const raw = await inspectRaw(ctx, id);
  return raw ? toDetails(raw) : undefined;
}

export async function runOneShot(ctx: DockerContext, spec: OneShotSpec): Promise<ExecResult> {
  let container: Docker.Container;
  try {
    container = await ctx.docker.createContainer({
      ...(spec.name ? { name: spec.name } : {}),
      Image: spec.image,
      Cmd: spec.command,
      Labels: { ...spec.labels, [LABELS.stack]: spec.stack },
      HostConfig: {
        ...(spec.network ? { NetworkMode: spec.network } : {}),
        ...(spec.volumes
          ? {
              Mounts: spec.volumes.map(
                (mount) =>
                  ({
                    Type: 'volume',
                    Source: mount.volume,
                    Target: mount.target,
                    ReadOnly: mount.readOnly,
                    // Should the volume vanish before the mount, the engine creates it: labelled, so it is found again.
                    VolumeOptions: { Labels: { ...spec.labels, [LABELS.stack]: spec.stack } },
                  }) as unknown as Docker.MountSettings,
              ),
            }
          : {}),
      },
    });
  } catch (error) {
    if (statusOf(error) === 404) throw new ImageNotFoundError(`image ${spec.image} not found locally`, spec.image, false, { cause: error });
    throw ctx.fail('creating a throwaway container failed', error);
  }
  try {
    await container.start();
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), spec.timeoutMs).unref());
    const outcome = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timer]);
    if (outcome === 'timeout') {
      await container.kill().catch(() => undefined);
      throw new RuntimeError(`the throwaway container (${spec.command.join(' ')}) did not finish within ${spec.timeoutMs} ms`);
    }
    return { exitCode: outcome.StatusCode, output: await logs(ctx, container.id, 200) };
  } catch (error) {
    throw ctx.fail('running a throwaway container failed', error);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

