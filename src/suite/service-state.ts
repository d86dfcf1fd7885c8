/**
 * What the suite knows of the stack's services before it runs: how each is reached (published host
 * ports, from the running containers when a Runtime is at hand, else from the stack file), and, for a
 * service that is not running, a diagnosis — so a failing check can name the root cause even when
 * `stackctl test` runs on its own, without the diagnoses `stackctl up` hands over.
 */
import type { Stack } from '../config/model.js';
import { blockedDiagnosis, diagnose, type TextRedactor } from '../diagnose/diagnose-service.js';
import { createProbe } from '../probes/create-probe.js';
import { probeFailureOf } from '../probes/probe-failure.js';
import type { ProbeTarget } from '../probes/probe.js';
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

/** How long one readiness-probe attempt on a running service may take. */
const PROBE_ATTEMPT_TIMEOUT_MS = 5000;
/**
 * A running service whose probe fails is tried again for this long (an attempt a second) before it
 * is called down: on a loaded machine one attempt of a /ready that checks its own dependencies can
 * miss, and a service every check then reaches was reported "down" by a green run.
 */
const PROBE_SETTLE_MS = 8_000;
const PROBE_PAUSE_MS = 1000;

/** The service's readiness probe, tried until it passes or PROBE_SETTLE_MS is spent; the last error when it never passes. */
async function probeUntilSettled(stack: Stack, runtime: Runtime, container: ContainerInfo, redactor: TextRedactor | undefined): Promise<unknown> {
  const service = stack.services.find((s) => s.name === container.service);
  const spec = service?.readiness?.probe;
  if (!spec) return undefined;
  const probe = createProbe(spec, { ...(redactor ? { redactor } : {}), authGraceMs: 0 });
  const target: ProbeTarget = {
    service: container.service,
    containerId: container.id,
    host: LOOPBACK,
    hostPort: (port) => container.ports.find((p) => p.target === port && p.protocol === 'tcp')?.hostPort,
    runtime,
  };
  const settleBy = Date.now() + PROBE_SETTLE_MS;
  for (;;) {
    try {
      await probe.check(target, AbortSignal.timeout(PROBE_ATTEMPT_TIMEOUT_MS));
      return undefined;
    } catch (error) {
      // A refused credential does not heal by waiting: say so at once.
      if (probeFailureOf(error)?.kind === 'auth' || Date.now() + PROBE_PAUSE_MS >= settleBy) return error ?? new Error('probe failed');
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_PAUSE_MS));
  }
}

/**
 * Diagnoses for services that are not ready: a present container is diagnosed from its state and
 * logs by src/diagnose (the classifier `up` uses); a running one gets its readiness probe, for a few
 * seconds, and is diagnosed from the probe's error and its logs when that fails (a service left running
 * by a failed `up`); a service without a container is blocked by a dependency that is down, or simply
 * not started.
 */
export async function inspectServices(
  stack: Stack,
  runtime: Runtime,
  containers: readonly ContainerInfo[],
  redactor?: TextRedactor,
): Promise<Map<string, KnownDiagnosis>> {
  const out = new Map<string, KnownDiagnosis>();
  const missing: string[] = [];
  const neverStarted = new Set<string>();
  const present: ContainerInfo[] = [];
  for (const service of stack.services) {
    const container = containers.find((c) => c.service === service.name);
    // `up` creates every container at once and starts each when its dependencies are ready, so a
    // created-but-never-started container is one `up` did not start: explain it like a missing one,
    // by the dependency that is down.
    if (!container || container.status === 'created') {
      missing.push(service.name);
      if (container) neverStarted.add(service.name);
      continue;
    }
    present.push(container);
  }
  const found = await Promise.all(
    present.map(async (container) => {
      let error: unknown;
      if (container.status === 'running') {
        error = await probeUntilSettled(stack, runtime, container, redactor);
        if (error === undefined) return undefined;
      }
      const logs = await runtime.logs(container.id, 20).catch(() => '');
      const lastError = error instanceof Error ? error.message : undefined;
      const diagnosis = diagnose({
        service: container.service,
        container,
        logs,
        stack,
        ...(error !== undefined ? { error, probe: { attempts: 1, ...(lastError ? { lastError } : {}) } } : {}),
        ...(redactor ? { redactor } : {}),
      });
      return diagnosis;
    }),
  );
  for (const diagnosis of found) if (diagnosis) out.set(diagnosis.service, { diagnosis, source: 'runtime' });
  // In dependency order is not needed: resolve "blocked" by looking for any down dependency, repeatedly.
  let changed = true;
  while (changed) {
    changed = false;
    for (const name of missing) {
      if (out.has(name)) continue;
      const service = stack.services.find((s) => s.name === name);
      const down = service?.dependsOn.find((dep) => out.has(dep.service));
      if (!down) continue;
      out.set(name, { source: 'runtime', diagnosis: blockedDiagnosis(name, down.service, out.get(down.service)?.diagnosis) });
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
        rootCause: neverStarted.has(name)
          ? {
              code: 'unknown',
              summary: 'its container was created but never started',
              hint: 'the output of the `stackctl up` that created it says why; run `stackctl up` again to see',
            }
          : { code: 'unknown', summary: 'not running: the stack has no container for it', hint: 'start the stack: `stackctl up`' },
      },
    });
  }
  return out;
}
