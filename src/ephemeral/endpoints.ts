/**
 * How each service of a running stack is reached from the host — the answer of `stackctl env`,
 * `stackctl port` and the Node API's `endpoints`: the host ports the engine actually published
 * (ephemeral ones included) and a URL built from the service's readiness probe (http://, a postgres
 * or redis URL with its credentials, else tcp://).
 *
 * Credentials are replaced by *** unless `showSecrets`; the variable names are the service's name
 * upper-cased: API_GATEWAY_URL, API_GATEWAY_HOST, API_GATEWAY_PORT_8000. No bare API_GATEWAY_PORT:
 * that is the kind of variable a stack file reads its host port from, and a later `up --ephemeral`
 * would take it as a pin (src/ephemeral/ephemeral-stack.ts).
 */
import type { Stack } from '../config/model.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import { REDACTED } from '../secrets.js';
import { endpointsFromContainers } from '../suite/service-state.js';

export interface ServiceEndpoints {
  service: string;
  host: string;
  /** Container port → host port, TCP. */
  ports: Record<string, number>;
  url?: string;
}

export interface StackEndpoints {
  stack: string;
  services: ServiceEndpoints[];
}

export interface EndpointOptions {
  /** Put credentials into URLs as they are (default: ***). */
  showSecrets?: boolean;
}

function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function credential(value: string, show: boolean): string {
  return show ? encodeURIComponent(value) : REDACTED;
}

export function stackEndpoints(stack: Stack, containers: readonly ContainerInfo[], options: EndpointOptions = {}): StackEndpoints {
  const show = options.showSecrets === true;
  const found = endpointsFromContainers(stack, containers.filter((container) => container.configHash !== ''));
  const running = new Set(containers.filter((container) => container.status === 'running').map((container) => container.service));
  const services: ServiceEndpoints[] = [];
  for (const service of stack.services) {
    const endpoint = found.get(service.name);
    if (!endpoint || !running.has(service.name)) continue;
    const ports = Object.fromEntries([...endpoint.ports].map(([target, host]) => [String(target), host]));
    const entry: ServiceEndpoints = { service: service.name, host: endpoint.host, ports };
    const probe = service.readiness?.probe;
    const probePort = probe && 'port' in probe ? endpoint.ports.get(probe.port) : undefined;
    const at = (port: number): string => `${hostInUrl(endpoint.host)}:${port}`;
    if (probe?.kind === 'http' && probePort !== undefined) entry.url = `http://${at(probePort)}`;
    else if (probe?.kind === 'postgres' && probePort !== undefined) {
      entry.url = `postgresql://${encodeURIComponent(probe.user)}:${credential(probe.password, show)}@${at(probePort)}/${encodeURIComponent(probe.database)}`;
    } else if (probe?.kind === 'redis' && probePort !== undefined) {
      entry.url = probe.password ? `redis://:${credential(probe.password, show)}@${at(probePort)}/0` : `redis://${at(probePort)}/0`;
    } else if (endpoint.primaryPort !== undefined) entry.url = `tcp://${at(endpoint.primaryPort)}`;
    services.push(entry);
  }
  return { stack: stack.name, services };
}

/** `api-gateway` → `API_GATEWAY`. */
export function variablePrefix(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The endpoints as dotenv lines (no quoting needed: hosts, ports and URLs have no spaces or newlines). */
export function dotenvLines(endpoints: StackEndpoints): string[] {
  const lines = [`STACKCTL_PROJECT_NAME=${endpoints.stack}`];
  for (const service of endpoints.services) {
    const prefix = variablePrefix(service.service);
    lines.push(`${prefix}_HOST=${service.host}`);
    for (const [target, host] of Object.entries(service.ports)) lines.push(`${prefix}_PORT_${target}=${host}`);
    if (service.url) lines.push(`${prefix}_URL=${service.url}`);
  }
  return lines;
}
