/**
 * What the suite knows of the stack's services before it runs: how each is reached (published host
 * ports, from the running containers when a Runtime is at hand, else from the stack file), and, for a
 * service that is not running, a diagnosis — so a failing check can name the root cause even when
 * `stackctl test` runs on its own, without the diagnoses `stackctl up` hands over.
 */
import type { Stack } from '../config/model.js';
import type { Diagnosis, RootCause } from '../diagnose/diagnosis.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import type { ServiceEndpoint } from './context.js';
import type { KnownDiagnosis } from './root-cause.js';

const LOOPBACK = '127.0.0.1';

function reachableHost(hostIp: string | undefined): string {
  return !hostIp || hostIp === '0.0.0.0' || hostIp === '::' ? LOOPBACK : hostIp;
}

/** Endpoints from the stack file alone: published ports as declared. */
export function endpointsFromStack(stack: Stack): Map<string, ServiceEndpoint> {
  const out = new Map<string, ServiceEndpoint>();
  for (const service of stack.services) {
    const ports = new Map<number, number>();
    let host = LOOPBACK;
    let primaryPort: number | undefined;
    for (const mapping of service.ports) {
      if (mapping.protocol !== 'tcp' || mapping.published === undefined) continue;
      ports.set(mapping.target, mapping.published);
      if (primaryPort === undefined) {
        primaryPort = mapping.published;
        host = reachableHost(mapping.hostIp);
      }
    }
    out.set(service.name, { host, ports, ...(primaryPort !== undefined ? { primaryPort } : {}) });
  }
  return out;
}

/**
 * Endpoints with the ports the engine actually published (ephemeral loopback ports included — e.g.
 * the probe port of a database the stack does not publish). The primary port is the one of the
 * service's first declared port, else its readiness probe's port, else the first published one.
 */
export function endpointsFromContainers(stack: Stack, containers: readonly ContainerInfo[]): Map<string, ServiceEndpoint> {
  const out = endpointsFromStack(stack);
  for (const service of stack.services) {
    const container = containers.find((c) => c.service === service.name && c.status === 'running');
    if (!container) continue;
    const tcp = container.ports.filter((p) => p.protocol === 'tcp');
    if (tcp.length === 0) continue;
    const ports = new Map<number, number>();
    for (const port of tcp) if (!ports.has(port.target)) ports.set(port.target, port.hostPort);
    const probe = service.readiness?.probe;
    const preferred = service.ports[0]?.target ?? (probe && 'port' in probe ? probe.port : undefined);
    const primary = (preferred !== undefined ? tcp.find((p) => p.target === preferred) : undefined) ?? tcp[0];
    out.set(service.name, { host: reachableHost(primary?.hostIp), ports, ...(primary ? { primaryPort: primary.hostPort } : {}) });
  }
  return out;
}

const PATTERNS: Array<{ re: RegExp; cause: (m: RegExpExecArray, line: string) => Omit<RootCause, 'evidence'> }> = [
  {
    re: /ModuleNotFoundError: No module named '([^']+)'/,
    cause: (m) => ({ code: 'module-not-found', summary: `No module named '${m[1]}'`, hint: `the image lacks the module "${m[1]}": check the Dockerfile copies it and PYTHONPATH points at it` }),
  },
  {
    re: /NOAUTH|WRONGPASS|invalid username-password pair|Authentication required/i,
    cause: () => ({ code: 'redis-auth', summary: 'redis refused the credentials (NOAUTH/WRONGPASS)', hint: 'pass REDIS_PASSWORD to this service (its REDIS_URL must carry the password redis requires)' }),
  },
  {
    re: /password authentication failed for user "([^"]+)"/,
    cause: (m) => ({ code: 'postgres-auth', summary: `postgres refused the password of user "${m[1]}"`, hint: 'the service and postgres must use the same POSTGRES_PASSWORD (an existing data volume keeps the old one)' }),
  },
  {
    re: /missing (?:required )?(?:environment )?variables?:? (.+)/i,
    cause: (m) => ({ code: 'missing-env', summary: `missing environment: ${m[1]}`, hint: 'set the variables in .env or under the service\'s environment:' }),
  },
  {
    re: /address already in use/i,
    cause: () => ({ code: 'address-in-use', summary: 'the port is already in use', hint: 'free the port, or override it with the *_PORT variable in .env' }),
  },
];

/** A plain explanation from a stopped container's state and last log lines. */
export function classifyStopped(service: string, container: ContainerInfo, lastLogLines: string[]): Diagnosis {
  let rootCause: RootCause | undefined;
  for (const line of [...lastLogLines].reverse()) {
    for (const pattern of PATTERNS) {
      const match = pattern.re.exec(line);
      if (match) {
        rootCause = { ...pattern.cause(match, line), evidence: line.trim() };
        break;
      }
    }
    if (rootCause) break;
  }
  if (!rootCause && container.oomKilled) {
    rootCause = { code: 'oom-killed', summary: 'the container ran out of memory and was killed', hint: 'raise its memory limit or find the leak' };
  }
  const last = lastLogLines.filter((l) => l.trim().length > 0).at(-1);
  rootCause ??= {
    code: 'exited',
    summary: `container ${container.status}${container.exitCode !== undefined ? ` with code ${container.exitCode}` : ''}${last ? `: ${last.trim().slice(0, 200)}` : ''}`,
    hint: `read its output: \`stackctl logs ${service}\``,
    ...(last ? { evidence: last.trim() } : {}),
  };
  return {
    service,
    state: 'failed',
    container: {
      status: container.status,
      ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
      oomKilled: container.oomKilled,
      restartCount: container.restartCount,
    },
    lastLogLines,
    rootCause,
  };
}

/**
 * Diagnoses for services that are not running: a stopped container is classified from its logs; a
 * service without a container is blocked by a dependency that is down, or simply not started.
 */
export async function inspectServices(stack: Stack, runtime: Runtime, containers: readonly ContainerInfo[]): Promise<Map<string, KnownDiagnosis>> {
  const out = new Map<string, KnownDiagnosis>();
  const missing: string[] = [];
  for (const service of stack.services) {
    const container = containers.find((c) => c.service === service.name);
    if (!container) {
      missing.push(service.name);
      continue;
    }
    if (container.status === 'running') continue;
    const logs = await runtime.logs(container.id, 20).catch(() => '');
    const lines = logs.split('\n').filter((line) => line.length > 0);
    out.set(service.name, { diagnosis: classifyStopped(service.name, container, lines), source: 'runtime' });
  }
  // In dependency order is not needed: resolve "blocked" by looking for any down dependency, repeatedly.
  let changed = true;
  while (changed) {
    changed = false;
    for (const name of missing) {
      if (out.has(name)) continue;
      const service = stack.services.find((s) => s.name === name);
      const down = service?.dependsOn.find((dep) => out.has(dep.service));
      if (!down) continue;
      const root = out.get(down.service)?.diagnosis.rootCause;
      out.set(name, {
        source: 'runtime',
        diagnosis: {
          service: name,
          state: 'blocked',
          blockedBy: down.service,
          lastLogLines: [],
          rootCause: {
            code: root?.code ?? 'unknown',
            summary: `not started: its dependency ${down.service} is down${root ? ` (${root.summary})` : ''}`,
            hint: root ? `fix ${down.service} first — ${root.hint}` : `fix ${down.service} first`,
          },
        },
      });
      changed = true;
    }
  }
  for (const name of missing) {
    if (out.has(name)) continue;
    out.set(name, {
      source: 'runtime',
      diagnosis: {
        service: name,
        state: 'failed',
        lastLogLines: [],
        rootCause: { code: 'unknown', summary: 'not running: the stack has no container for it', hint: 'start the stack: `stackctl up`' },
      },
    });
  }
  return out;
}
