/**
 * Which stack diagnose looks at, found in the engine by labels: stackctl's (io.stackctl.stack), or
 * compose's (com.docker.compose.project, with the compose files and working directory it recorded),
 * or given as container names. With none named, every stack the engine shows, with its state.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { COMPOSE_LABELS, LABELS, type ContainerInfo, type ContainerQuery, type Runtime } from '../runtime/runtime.js';

export type StackSource = 'stackctl' | 'compose' | 'containers';

export interface StackTarget {
  name: string;
  source: StackSource;
  query: ContainerQuery;
  /** Compose files the project was started from (absolute), when compose recorded them. */
  configFiles?: string[];
  workingDir?: string;
}

export type StackState = 'running' | 'degraded' | 'failed' | 'stopped';

export interface StackSummary {
  name: string;
  source: Exclude<StackSource, 'containers'>;
  containers: number;
  running: number;
  /** Exited non-zero, dead, restarting or OOM-killed. */
  failing: number;
  state: StackState;
}

/** The service a container runs: stackctl's label, compose's, else its name. */
export function serviceNameOf(container: Pick<ContainerInfo, 'labels' | 'name'>): string {
  return container.labels[LABELS.service] || container.labels[COMPOSE_LABELS.service] || container.name.replace(/^\//, '');
}

export function isFailing(container: Pick<ContainerInfo, 'status' | 'exitCode' | 'oomKilled'>): boolean {
  if (container.oomKilled || container.status === 'restarting' || container.status === 'dead') return true;
  return container.status === 'exited' && container.exitCode !== 0;
}

function stateOf(containers: ContainerInfo[]): StackState {
  const running = containers.filter((c) => c.status === 'running').length;
  const failing = containers.filter(isFailing).length;
  if (failing === 0) return running > 0 ? 'running' : 'stopped';
  return running > 0 ? 'degraded' : 'failed';
}

function summarise(source: StackSummary['source'], name: string, containers: ContainerInfo[]): StackSummary {
  return {
    name,
    source,
    containers: containers.length,
    running: containers.filter((c) => c.status === 'running').length,
    failing: containers.filter(isFailing).length,
    state: stateOf(containers),
  };
}

function groupBy(containers: ContainerInfo[], label: string): Map<string, ContainerInfo[]> {
  const groups = new Map<string, ContainerInfo[]>();
  for (const container of containers) {
    const key = container.labels[label];
    if (!key) continue;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(container);
  }
  return groups;
}

/** Every stack the engine shows: stackctl's first, then compose projects, each by name. */
export async function listStacks(runtime: Runtime): Promise<StackSummary[]> {
  const [ours, compose] = await Promise.all([
    runtime.findContainers({ labels: [LABELS.stack] }),
    runtime.findContainers({ labels: [COMPOSE_LABELS.project] }),
  ]);
  // A stackctl container of a stack created by `up` carries a config hash; throwaway ones (doctor) do not.
  const managed = ours.filter((c) => c.configHash !== '');
  const out: StackSummary[] = [];
  for (const [name, containers] of groupBy(managed, LABELS.stack)) out.push(summarise('stackctl', name, containers));
  const plain = compose.filter((c) => !c.labels[LABELS.stack] && c.labels[COMPOSE_LABELS.oneoff] !== 'True');
  for (const [name, containers] of groupBy(plain, COMPOSE_LABELS.project)) out.push(summarise('compose', name, containers));
  return out.sort((a, b) => a.source.localeCompare(b.source) || a.name.localeCompare(b.name));
}

/** The compose files a project's containers recorded (absolute; compose joins several with ","). */
function composeFiles(containers: ContainerInfo[]): { configFiles?: string[]; workingDir?: string } {
  const labels = containers.find((c) => c.labels[COMPOSE_LABELS.configFiles])?.labels ?? {};
  const workingDir = labels[COMPOSE_LABELS.workingDir];
  const files = (labels[COMPOSE_LABELS.configFiles] ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter(Boolean)
    .map((file) => (path.isAbsolute(file) || !workingDir ? file : path.join(workingDir, file)));
  return { ...(files.length > 0 ? { configFiles: files } : {}), ...(workingDir ? { workingDir } : {}) };
}

/** The stack named -p: stackctl's label first, then compose's. UsageError listing what exists when neither matches. */
export async function findStack(runtime: Runtime, name: string): Promise<StackTarget> {
  const ours = (await runtime.findContainers({ labels: [`${LABELS.stack}=${name}`] })).filter((c) => c.configHash !== '');
  if (ours.length > 0) return { name, source: 'stackctl', query: { labels: [`${LABELS.stack}=${name}`] } };
  const compose = (await runtime.findContainers({ labels: [`${COMPOSE_LABELS.project}=${name}`] })).filter((c) => c.labels[COMPOSE_LABELS.oneoff] !== 'True');
  if (compose.length > 0) return { name, source: 'compose', query: { labels: [`${COMPOSE_LABELS.project}=${name}`] }, ...composeFiles(compose) };
  const known = await listStacks(runtime);
  throw new UsageError(`no containers of a stack "${name}" (neither ${LABELS.stack} nor ${COMPOSE_LABELS.project} labels)`, {
    hint: known.length > 0 ? `stacks the engine shows: ${known.map((s) => s.name).join(', ')}; or name containers with --containers NAME…` : 'no stack runs on this engine; name containers with --containers NAME…',
  });
}

/** Containers given by name (e.g. started by hand with docker run). UsageError naming the missing ones. */
export async function containersTarget(runtime: Runtime, names: string[]): Promise<StackTarget> {
  const found = await runtime.findContainers({ names });
  const present = new Set(found.flatMap((c) => [c.name, c.id]));
  const missing = names.filter((name) => !present.has(name) && !found.some((c) => c.id.startsWith(name)));
  if (missing.length > 0) {
    throw new UsageError(`no container named ${missing.join(', ')}`, { hint: '`docker ps -a` lists the containers; give names or ids' });
  }
  return { name: names.length === 1 ? names[0]! : `${names.length} containers`, source: 'containers', query: { names } };
}
