/**
 * What stackctl needs from a Swarm manager, through the docker CLI: `docker stack deploy` is a CLI
 * feature (the compose translation lives in the CLI, not in the engine API), so the Swarm target
 * drives the CLI rather than dockerode. Secret values go through stdin (`docker secret create NAME -`)
 * and the deploy's environment, never through argv.
 */
import { execa } from 'execa';
import { RuntimeError } from '../errors.js';

export interface SwarmInfo {
  /** inactive | pending | active | error | locked */
  state: string;
  manager: boolean;
  nodeId: string;
  nodes: number;
}

export interface SwarmTask {
  id: string;
  /** `<stack>_<service>.<slot>` */
  name: string;
  service: string;
  node: string;
  desiredState: string;
  /** e.g. "Running 3 seconds ago", "Starting 2 seconds ago", "Failed 1 second ago" */
  currentState: string;
  error: string;
  /** Published host ports: target → host port (host mode). */
  ports: Array<{ target: number; published: number; protocol: 'tcp' | 'udp' }>;
}

export interface SwarmEngine {
  info(): Promise<SwarmInfo>;
  init(advertiseAddr?: string): Promise<void>;
  leave(): Promise<void>;
  secretNames(stack: string): Promise<string[]>;
  createSecret(name: string, value: string, stack: string): Promise<void>;
  removeSecret(name: string): Promise<void>;
  deploy(stack: string, composeFile: string, env: Record<string, string>, options: { resolveImage: 'always' | 'never' }): Promise<void>;
  tasks(stack: string): Promise<SwarmTask[]>;
  nodeAddress(node: string): Promise<string>;
  removeStack(stack: string): Promise<void>;
  /** Removes the stack's volumes on this node (those `docker stack deploy` created); returns their names. */
  removeVolumes(stack: string): Promise<string[]>;
  stacks(): Promise<string[]>;
  serviceLogs(stack: string, service: string, tail: number): Promise<string>;
}

async function docker(args: string[], options: { input?: string; env?: Record<string, string>; allowFail?: boolean; timeoutMs?: number } = {}): Promise<string> {
  const result = await execa('docker', args, {
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.env ? { env: options.env } : {}),
    timeout: options.timeoutMs ?? 120_000,
  });
  if (result.exitCode !== 0 && !options.allowFail) {
    const message = String(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
    throw new RuntimeError(`docker ${args.slice(0, 2).join(' ')} failed: ${message}`, { hint: 'is the docker CLI installed and the engine running? (docker info)' });
  }
  return String(result.stdout);
}

/** `*:32768->6379/tcp,*:8000->8000/tcp` (docker stack ps) → ports. */
export function parseTaskPorts(text: string): SwarmTask['ports'] {
  const out: SwarmTask['ports'] = [];
  for (const match of text.matchAll(/:(\d+)->(\d+)\/(tcp|udp)/g)) {
    const port = { published: Number(match[1]), target: Number(match[2]), protocol: match[3] as 'tcp' | 'udp' };
    // IPv4 and IPv6 bindings of one port are listed twice.
    if (!out.some((p) => p.published === port.published && p.target === port.target && p.protocol === port.protocol)) out.push(port);
  }
  return out;
}

export class DockerCliSwarm implements SwarmEngine {
  async info(): Promise<SwarmInfo> {
    const text = await docker(['info', '--format', '{{json .Swarm}}']);
    const swarm = JSON.parse(text) as { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; Nodes?: number };
    return { state: swarm.LocalNodeState ?? 'inactive', manager: swarm.ControlAvailable === true, nodeId: swarm.NodeID ?? '', nodes: swarm.Nodes ?? 0 };
  }

  async init(advertiseAddr?: string): Promise<void> {
    await docker(['swarm', 'init', ...(advertiseAddr ? ['--advertise-addr', advertiseAddr] : [])]);
  }

  async leave(): Promise<void> {
    await docker(['swarm', 'leave', '--force']);
  }

  async secretNames(stack: string): Promise<string[]> {
    const text = await docker(['secret', 'ls', '--filter', `label=io.stackctl.stack=${stack}`, '--format', '{{.Name}}']);
    return text.split('\n').filter(Boolean);
  }

  async createSecret(name: string, value: string, stack: string): Promise<void> {
    await docker(['secret', 'create', '--label', `io.stackctl.stack=${stack}`, name, '-'], { input: value });
  }

  async removeSecret(name: string): Promise<void> {
    await docker(['secret', 'rm', name], { allowFail: true });
  }

  async deploy(stack: string, composeFile: string, env: Record<string, string>, options: { resolveImage: 'always' | 'never' }): Promise<void> {
    await docker(['stack', 'deploy', '--resolve-image', options.resolveImage, '--compose-file', composeFile, stack], { env });
  }

  async tasks(stack: string): Promise<SwarmTask[]> {
    const text = await docker(['stack', 'ps', stack, '--no-trunc', '--format', '{{json .}}'], { allowFail: true });
    const out: SwarmTask[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      const row = JSON.parse(line) as Record<string, string>;
      const name = row.Name ?? '';
      // History rows are named "\_ <name>".
      const clean = name.replace(/^\\_\s*/, '');
      const service = clean.slice(stack.length + 1).replace(/\.\d+$/, '');
      out.push({ id: row.ID ?? '', name: clean, service, node: row.Node ?? '', desiredState: row.DesiredState ?? '', currentState: row.CurrentState ?? '', error: row.Error ?? '', ports: parseTaskPorts(row.Ports ?? '') });
    }
    return out;
  }

  async nodeAddress(node: string): Promise<string> {
    return (await docker(['node', 'inspect', node, '--format', '{{.Status.Addr}}'])).trim();
  }

  async removeStack(stack: string): Promise<void> {
    await docker(['stack', 'rm', stack], { allowFail: true });
  }

  async removeVolumes(stack: string): Promise<string[]> {
    const list = async (): Promise<string[]> => (await docker(['volume', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`])).split('\n').filter(Boolean);
    const names = await list();
    // The tasks' containers are still going away after `docker stack rm`: a volume in use cannot go yet.
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const left = await list();
      if (left.length === 0) break;
      for (const name of left) await docker(['volume', 'rm', name], { allowFail: true });
      if ((await list()).length > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const left = new Set(await list());
    return names.filter((name) => !left.has(name));
  }

  async stacks(): Promise<string[]> {
    const text = await docker(['stack', 'ls', '--format', '{{.Name}}'], { allowFail: true });
    return text.split('\n').filter(Boolean);
  }

  async serviceLogs(stack: string, service: string, tail: number): Promise<string> {
    const result = await execa('docker', ['service', 'logs', '--raw', '--tail', String(tail), `${stack}_${service}`], { reject: false, stdin: 'ignore', all: true, timeout: 30_000 });
    return String(result.all ?? '');
  }
}
