/**
 * COMPOSE102: a database, cache, broker or search server others depend on has no healthcheck (compose)
 * / readiness probe, so nothing can wait for it to be ready. Databases and caches get a concrete
 * healthcheck in the hint. Left alone: application services (they usually retry, and whether they
 * need a healthcheck is the author's call), dependents that wrote `condition: service_started` (a
 * choice), and services whose healthcheck exists but proves nothing (COMPOSE108 says so).
 */
import type { Service, Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { serviceKind } from '../../compose/service-kind.js';

export const composeMissingHealthcheck: Rule = {
  code: 'COMPOSE102',
  name: 'compose-missing-healthcheck',
  category: 'probes',
  severity: 'warning',
  summary:
    'A database, cache, broker or search server others depend on has no healthcheck (compose) / readiness probe, so nothing can wait for it to be ready (application services and explicit `service_started` are left alone)',
  leavesAlone: 'Application services (whether they need a healthcheck is their author\'s call); dependents that wrote `condition: service_started`; services with any healthcheck',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const target of stack.services) {
      if (target.readiness || target.healthcheck) continue;
      const kind = serviceKind(target);
      if (kind === 'app') continue;
      const dependents = stack.services
        .filter((service) => service.dependsOn.some((d) => d.service === target.name && !(d.condition === 'started' && d.explicit)))
        .map((s) => s.name);
      if (dependents.length === 0) continue;
      const noun = stack.format === 'compose' ? 'healthcheck' : 'readiness probe';
      out.push({
        code: composeMissingHealthcheck.code,
        severity: composeMissingHealthcheck.severity,
        service: target.name,
        location: target.location,
        message: `${target.name} has no ${noun}: ${dependents.join(', ')} cannot wait for it to be ready (${KIND_NOUN[kind]} accepts connections only some seconds after its container starts)`,
        hint: stack.format === 'compose' ? composeHint(target, kind) : stackHint(kind),
      });
    }
    return out;
  },
};

const KIND_NOUN: Record<ReturnType<typeof serviceKind>, string> = {
  postgres: 'a postgres server',
  mysql: 'a mysql server',
  mongo: 'a mongodb server',
  redis: 'a redis server',
  memcached: 'a memcached server',
  broker: 'a message broker',
  search: 'a search server',
  app: 'an application',
};

function composeHint(target: Service, kind: ReturnType<typeof serviceKind>): string {
  switch (kind) {
    case 'postgres':
      return 'add `healthcheck: { test: ["CMD-SHELL", "pg_isready -U $$POSTGRES_USER -d $$POSTGRES_DB"], interval: 5s, retries: 12 }`';
    case 'redis': {
      const hasPassword = 'REDIS_PASSWORD' in target.environment;
      const requirepass = (target.command ?? []).includes('--requirepass');
      if (requirepass && !hasPassword) {
        return 'add `REDIS_PASSWORD: ${REDIS_PASSWORD}` to its environment and `healthcheck: { test: ["CMD-SHELL", "REDISCLI_AUTH=\\"$$REDIS_PASSWORD\\" redis-cli ping | grep -q PONG"], interval: 5s }`';
      }
      return hasPassword || requirepass
        ? 'add `healthcheck: { test: ["CMD-SHELL", "REDISCLI_AUTH=\\"$$REDIS_PASSWORD\\" redis-cli ping | grep -q PONG"], interval: 5s }`'
        : 'add `healthcheck: { test: ["CMD", "redis-cli", "ping"], interval: 5s }`';
    }
    case 'mysql':
      return 'add `healthcheck: { test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"], interval: 5s }`';
    default: {
      const port = target.ports[0]?.target;
      return `add a healthcheck that proves it serves requests, e.g. \`test: ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:${port ?? 'PORT'}/health')"]\` — or let stackctl probe it from outside with \`stackctl import\``;
    }
  }
}

function stackHint(kind: ReturnType<typeof serviceKind>): string {
  if (kind === 'postgres') return 'add `readiness: { postgres: { user: ${POSTGRES_USER}, password: ${POSTGRES_PASSWORD}, database: ${POSTGRES_DB} } }`';
  if (kind === 'redis') return 'add `readiness: { redis: { password: ${REDIS_PASSWORD} } }`';
  return 'add `readiness: { http: { port: PORT, path: /ready } }` (or tcp)';
}
