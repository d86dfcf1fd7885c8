/**
 * How much of the compose specification stackctl understands, key by key. The loader and the
 * importer walk a compose document against these tables: a `mapped` key becomes part of the stack
 * graph; an `ignored` key is legal compose that stackctl does not apply (a COMPOSE001 warning names
 * its key path, so nothing is dropped silently); an unknown key is a COMPOSE002 error with a
 * suggestion, as compose itself would refuse it. `x-…` extensions are allowed everywhere compose
 * allows them and are ignored silently, as the specification says.
 */
import type { SourceLocation } from '../errors.js';
import type { Diagnostic } from '../diagnostic.js';
import { didYouMean } from '../config/normalize.js';
import type { KeyPath } from '../config/yaml-source.js';
import { isRecord } from '../is-record.js';

export type KeySupport = 'mapped' | 'ignored';

interface KeyTable {
  [key: string]: KeySupport | { support: KeySupport; why?: string; children?: KeyTable; items?: KeyTable; values?: KeyTable };
}

const RUNTIME_ONLY = 'stackctl does not apply it when it runs the stack (docker compose still does)';

const BUILD: KeyTable = {
  context: 'mapped',
  dockerfile: 'mapped',
  dockerfile_inline: 'mapped',
  args: 'mapped',
  target: 'mapped',
  additional_contexts: 'mapped',
  cache_from: 'ignored',
  cache_to: 'ignored',
  extra_hosts: 'ignored',
  isolation: 'ignored',
  labels: 'ignored',
  network: 'ignored',
  no_cache: 'ignored',
  platforms: 'ignored',
  privileged: 'ignored',
  pull: 'ignored',
  secrets: 'ignored',
  shm_size: 'ignored',
  ssh: 'ignored',
  tags: 'ignored',
  ulimits: 'ignored',
  entitlements: 'ignored',
};

const HEALTHCHECK: KeyTable = {
  test: 'mapped',
  interval: 'mapped',
  timeout: 'mapped',
  retries: 'mapped',
  start_period: 'mapped',
  start_interval: 'mapped',
  disable: 'mapped',
};

const DEPENDS_ON_ENTRY: KeyTable = {
  condition: 'mapped',
  required: 'mapped',
  restart: 'mapped',
};

const PORT_LONG: KeyTable = {
  target: 'mapped',
  published: 'mapped',
  host_ip: 'mapped',
  protocol: 'mapped',
  mode: 'ignored',
  name: 'ignored',
  app_protocol: 'ignored',
};

const VOLUME_LONG: KeyTable = {
  type: 'mapped',
  source: 'mapped',
  target: 'mapped',
  read_only: 'mapped',
  bind: { support: 'mapped', children: { create_host_path: 'mapped', propagation: 'ignored', selinux: 'ignored' } },
  volume: { support: 'mapped', children: { nocopy: 'ignored', subpath: 'ignored' } },
  tmpfs: { support: 'mapped', children: { size: 'ignored', mode: 'ignored' } },
  consistency: 'ignored',
};

const SERVICE_NETWORK: KeyTable = {
  aliases: 'mapped',
  ipv4_address: 'ignored',
  ipv6_address: 'ignored',
  link_local_ips: 'ignored',
  mac_address: 'ignored',
  driver_opts: 'ignored',
  gw_priority: 'ignored',
  priority: 'ignored',
};

const IGNORED_SERVICE_KEYS = [
  'annotations', 'attach', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'configs', 'container_name',
  'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'cpus', 'cpuset',
  'credential_spec', 'deploy', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname',
  'expose', 'external_links', 'extra_hosts', 'gpus', 'group_add', 'hostname', 'init', 'ipc', 'isolation', 'labels', 'label_file',
  'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'models', 'network_mode',
  'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'post_start', 'pre_stop', 'privileged', 'provider',
  'pull_policy', 'read_only', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period',
  'stop_signal', 'storage_opt', 'sysctls', 'tty', 'ulimits', 'use_api_socket', 'user', 'userns_mode', 'uts', 'volumes_from',
  'working_dir',
] as const;

const SERVICE: KeyTable = {
  build: { support: 'mapped', children: BUILD },
  develop: 'mapped',
  image: 'mapped',
  command: 'mapped',
  entrypoint: 'mapped',
  environment: 'mapped',
  env_file: 'mapped',
  ports: { support: 'mapped', items: PORT_LONG },
  volumes: { support: 'mapped', items: VOLUME_LONG },
  tmpfs: 'mapped',
  networks: { support: 'mapped', values: SERVICE_NETWORK },
  depends_on: { support: 'mapped', values: DEPENDS_ON_ENTRY },
  healthcheck: { support: 'mapped', children: HEALTHCHECK },
  restart: 'mapped',
  profiles: 'mapped',
  extends: { support: 'mapped', children: { service: 'mapped', file: 'mapped' } },
  ...Object.fromEntries(IGNORED_SERVICE_KEYS.map((key) => [key, 'ignored' as const])),
};

const TOP_NETWORK: KeyTable = {
  external: 'mapped',
  name: 'mapped',
  driver: 'mapped',
  driver_opts: 'ignored',
  attachable: 'ignored',
  enable_ipv4: 'ignored',
  enable_ipv6: 'ignored',
  ipam: 'ignored',
  internal: 'ignored',
  labels: 'ignored',
};

const TOP_VOLUME: KeyTable = {
  external: 'mapped',
  name: 'mapped',
  driver: 'mapped',
  driver_opts: 'ignored',
  labels: 'ignored',
};

const TOP: KeyTable = {
  version: 'mapped',
  name: 'mapped',
  services: 'mapped',
  networks: { support: 'mapped', values: TOP_NETWORK },
  volumes: { support: 'mapped', values: TOP_VOLUME },
  secrets: { support: 'ignored', why: 'stackctl marks secret variables with `secrets:` in stack.yaml; compose file secrets are not mounted' },
  configs: 'ignored',
  include: 'mapped',
  models: 'ignored',
};

export const SUPPORTED_SERVICE_KEYS: readonly string[] = Object.entries(SERVICE)
  .filter(([, spec]) => (typeof spec === 'string' ? spec : spec.support) === 'mapped')
  .map(([key]) => key);

export interface CoverageContext {
  locateKey(path: KeyPath): SourceLocation;
  /** Service names, in file order, for findings' `service`. */
}

/** COMPOSE001 warnings for ignored keys and COMPOSE002 errors for unknown ones, over the raw document. */
export function checkCoverage(document: Record<string, unknown>, ctx: CoverageContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  walkMapping(document, TOP, [], ctx, out);
  const services = document.services;
  if (isRecord(services)) {
    for (const [name, service] of Object.entries(services)) {
      if (isRecord(service)) walkMapping(service, SERVICE, ['services', name], ctx, out, name);
    }
  }
  return out;
}

function walkMapping(value: Record<string, unknown>, table: KeyTable, path: Array<string | number>, ctx: CoverageContext, out: Diagnostic[], service?: string): void {
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('x-')) continue;
    if (path.length === 0 && key === 'services') continue;
    const spec = table[key];
    const keyPath = [...path, key];
    if (spec === undefined) {
      const suggestion = didYouMean(key, Object.keys(table));
      out.push(finding('COMPOSE002', 'error', keyPath, ctx, service, `unknown key \`${key}\` at ${showPath(keyPath)}`, suggestion ? `did you mean \`${suggestion}\`?` : `remove it, or prefix it with \`x-\` to keep it as an extension`));
      continue;
    }
    const support = typeof spec === 'string' ? spec : spec.support;
    if (support === 'ignored') {
      const why = typeof spec === 'string' ? RUNTIME_ONLY : spec.why ?? RUNTIME_ONLY;
      out.push(finding('COMPOSE001', 'info', keyPath, ctx, service, `\`${showPath(keyPath)}\` is not supported by stackctl and is ignored`, why));
      continue;
    }
    if (typeof spec === 'string') continue;
    if (spec.children && isRecord(child)) walkMapping(child, spec.children, keyPath, ctx, out, service);
    if (spec.items && Array.isArray(child)) {
      child.forEach((item, index) => {
        if (isRecord(item)) walkMapping(item, spec.items!, [...keyPath, index], ctx, out, service);
      });
    }
    if (spec.values && isRecord(child)) {
      for (const [name, item] of Object.entries(child)) {
        if (isRecord(item)) walkMapping(item, spec.values, [...keyPath, name], ctx, out, service);
      }
    }
  }
}

function finding(code: string, severity: Diagnostic['severity'], path: KeyPath, ctx: CoverageContext, service: string | undefined, message: string, hint: string): Diagnostic {
  const diagnostic: Diagnostic = { code, severity, location: ctx.locateKey(path), message, hint };
  if (service !== undefined) diagnostic.service = service;
  return diagnostic;
}

export function showPath(path: KeyPath): string {
  return path.map(String).join('.');
}
