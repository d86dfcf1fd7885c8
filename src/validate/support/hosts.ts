/**
 * Which host names reach which service on the stack's networks: service names, network aliases and
 * the container names stackctl gives (`<stack>-<service>`), plus what a service listens on.
 */
import type { Service, Stack } from '../../config/model.js';
import { postgresServer, redisServer } from './servers.js';

export interface HostIndex {
  /** Lower-cased host name → service name. */
  byHost: Map<string, string>;
  /** Service → container ports it is known to listen on (empty set = unknown). */
  listens: Map<string, Set<number>>;
}

export function indexHosts(stack: Stack): HostIndex {
  const byHost = new Map<string, string>();
  const listens = new Map<string, Set<number>>();
  for (const service of stack.services) {
    byHost.set(service.name.toLowerCase(), service.name);
    byHost.set(`${stack.name}-${service.name}`.toLowerCase(), service.name);
  }
  for (const service of stack.services) {
    for (const network of service.networks) for (const alias of network.aliases) if (!byHost.has(alias.toLowerCase())) byHost.set(alias.toLowerCase(), service.name);
    listens.set(service.name, listeningPorts(service));
  }
  return { byHost, listens };
}

export function listeningPorts(service: Service): Set<number> {
  const ports = new Set<number>(service.ports.map((p) => p.target));
  const probe = service.readiness?.probe;
  if (probe && 'port' in probe) ports.add(probe.port);
  const redis = redisServer(service);
  if (redis) ports.add(redis.port);
  const pg = postgresServer(service);
  if (pg) ports.add(pg.port);
  return ports;
}

/** True for names that clearly live outside the stack: dotted names, IPs, localhost. */
export function isExternalHost(host: string): boolean {
  return host.includes('.') || host.includes(':') || host === 'localhost';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]' || host === '0.0.0.0';
}
