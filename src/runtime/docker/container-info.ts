/** The engine's inspect answers mapped to the Runtime's ContainerInfo and ContainerDetails (pure). */
import type Docker from 'dockerode';
import { LABELS, type ContainerDetails, type ContainerInfo, type ContainerStatus, type PublishedPort } from '../runtime.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function toDate(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const STATUSES: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

export function toInfo(inspect: Docker.ContainerInspectInfo): ContainerInfo {
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

export function toDetails(inspect: Docker.ContainerInspectInfo): ContainerDetails {
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
