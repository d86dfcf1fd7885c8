/**
 * Which host names reach which service on the stack's networks: service names, network aliases and
 * the container names stackctl gives (`<stack>-<service>`), plus what a service listens on.
 */
import type { Service, Stack } from '../../config/model.js';
import { postgresServer, redisServer } from './servers.js';
import { listenerPorts } from './urls.js';

export interface HostIndex {
  /** Lower-cased host name → service name. */
  byHost: Map<string, string>;
  /** Service → container ports it is known to listen on (empty set = unknown). */
  listens: Map<string, Set<number>>;
  /** Lower-cased names `extra_hosts` maps to machines outside the stack. */
  extraHosts: Set<string>;
}

export function indexHosts(stack: Stack): HostIndex {
  const byHost = new Map<string, string>();
  const listens = new Map<string, Set<number>>();
  const extraHosts = new Set<string>();
  for (const service of stack.services) {
    byHost.set(service.name.toLowerCase(), service.name);
    byHost.set(`${stack.name}-${service.name}`.toLowerCase(), service.name);
  }
  for (const service of stack.services) {
    for (const entry of service.extraHosts ?? []) {
      const host = entry.split(/[:=]/)[0]!.trim().toLowerCase();
      if (host) extraHosts.add(host);
    }
  }
  for (const service of stack.services) {
    for (const network of service.networks) for (const alias of network.aliases) if (!byHost.has(alias.toLowerCase())) byHost.set(alias.toLowerCase(), service.name);
    listens.set(service.name, listeningPorts(service));
  }
  return { byHost, listens, extraHosts };
}

export function listeningPorts(service: Service): Set<number> {
  const ports = new Set<number>(service.ports.map((p) => p.target));
  for (const port of service.expose ?? []) ports.add(port);
  for (const port of listenerPorts(service)) ports.add(port);
  for (const port of commandPorts([...(service.entrypoint ?? []), ...(service.command ?? [])])) ports.add(port);
  for (const port of healthcheckPorts(service)) ports.add(port);
  const probe = service.readiness?.probe;
  if (probe && 'port' in probe) ports.add(probe.port);
  const redis = redisServer(service);
  if (redis) ports.add(redis.port);
  const pg = postgresServer(service);
  if (pg) ports.add(pg.port);
  for (const port of imageDefaultPorts(service.image)) ports.add(port);
  return ports;
}

/** Ports well-known images listen on without being told (the repository name, without registry or tag). */
const IMAGE_PORTS: Array<[RegExp, number[]]> = [
  [/^(minio|minio\/minio|bitnami\/minio)$/, [9000, 9001]],
  [/(^|\/)(postgres|postgis|timescaledb(-ha)?|pgvector)$/, [5432]],
  [/(^|\/)(redis|valkey|keydb|redis-stack(-server)?)$/, [6379]],
  [/(^|\/)(mysql|mariadb|percona)$/, [3306]],
  [/(^|\/)mongo(db)?$/, [27017]],
  [/(^|\/)rabbitmq$/, [5672, 15672]],
  [/(^|\/)(kafka|cp-kafka|redpanda)$/, [9092]],
  [/(^|\/)(zookeeper|cp-zookeeper)$/, [2181]],
  [/(^|\/)(elasticsearch|opensearch)$/, [9200, 9300]],
  [/(^|\/)memcached$/, [11211]],
  [/(^|\/)nats$/, [4222, 8222]],
  [/(^|\/)clickhouse(-server)?$/, [8123, 9000]],
  [/(^|\/)(nginx|httpd|caddy|nginx-unprivileged)$/, [80, 443]],
  [/(^|\/)traefik$/, [80, 443, 8080]],
  [/(^|\/)grafana$/, [3000]],
  [/(^|\/)prometheus$/, [9090]],
  [/(^|\/)(alertmanager)$/, [9093]],
  [/(^|\/)(node-exporter)$/, [9100]],
  [/(^|\/)loki$/, [3100]],
  [/(^|\/)tempo$/, [3200, 4317, 4318]],
  [/(^|\/)(all-in-one|jaeger)$/, [16686, 14268, 14250, 4317, 4318, 6831]],
  [/(^|\/)(opentelemetry-collector(-contrib)?|otel-collector)$/, [4317, 4318, 8888, 13133]],
  [/(^|\/)(mailhog|mailpit)$/, [1025, 8025]],
  [/(^|\/)keycloak$/, [8080, 8443]],
  [/(^|\/)vault$/, [8200]],
  [/(^|\/)consul$/, [8500, 8600]],
  [/(^|\/)etcd$/, [2379, 2380]],
  [/(^|\/)(temporal|auto-setup)$/, [7233]],
  [/(^|\/)(temporal-ui|ui)$/, [8080]],
  [/(^|\/)snuba$/, [1218]],
  [/(^|\/)symbolicator$/, [3021]],
  [/(^|\/)(relay)$/, [3000]],
];

export function imageDefaultPorts(image: string | undefined): number[] {
  if (image === undefined) return [];
  const repository = image.replace(/@.*$/, '').replace(/:[^/]*$/, '').replace(/^[^/]+\.[^/]+\//, '').replace(/^docker\.io\//, '').replace(/^library\//, '').toLowerCase();
  return IMAGE_PORTS.filter(([re]) => re.test(repository)).flatMap(([, ports]) => ports);
}

/**
 * Ports a command line says the server listens on: `--port 8000`, `--port=8000`, `--http-port 80`,
 * `--bind 0.0.0.0:8000`, `-b :8000`, `runserver 0.0.0.0:8000`, `-Dserver.port=8080`, `--listen :9000`.
 */
export function commandPorts(words: readonly string[]): number[] {
  const out: number[] = [];
  const all = words.flatMap((word) => (word.includes(' ') ? word.split(/\s+/) : [word]));
  for (let i = 0; i < all.length; i++) {
    const word = all[i]!;
    const next = all[i + 1] ?? '';
    const flag = /^--?([a-z][\w.-]*?)(?:=(.*))?$/i.exec(word);
    if (flag) {
      const name = flag[1]!.toLowerCase();
      const value = flag[2] ?? next;
      if (/(^|[.-])port$/.test(name) && /^\d{1,5}$/.test(value)) out.push(Number(value));
      else if (/^(b|bind|listen|addr|address|http|http-addr|web\.listen-address|server\.port|dserver\.port)$/.test(name)) {
        const port = /:(\d{1,5})$/.exec(value) ?? /^(\d{1,5})$/.exec(value);
        if (port) out.push(Number(port[1]));
      }
      continue;
    }
    const address = /^(?:0\.0\.0\.0|\[::\]|\*|::)?:(\d{1,5})$/.exec(word) ?? /^0\.0\.0\.0:(\d{1,5})$/.exec(word);
    if (address) out.push(Number(address[1]));
  }
  return out.filter((port) => port > 0 && port < 65536);
}

/** A healthcheck that calls `localhost:PORT` proves the service listens on PORT. */
function healthcheckPorts(service: Service): number[] {
  const test = service.healthcheck?.test;
  if (test === undefined) return [];
  const text = typeof test === 'string' ? test : test.join(' ');
  return [...text.matchAll(/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]):(\d{1,5})/g)].map((m) => Number(m[1]));
}

/** True for names that clearly live outside the stack: dotted names, IPs, localhost. */
export function isExternalHost(host: string): boolean {
  return host.includes('.') || host.includes(':') || host === 'localhost';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]' || host === '0.0.0.0';
}
