/**
 * What kind of server a service is, from its image, name, command and environment: databases, caches
 * and brokers are what dependents must wait for. Pure heuristics shared by validation rules and export.
 */
import type { Service } from '../config/model.js';

export type ServiceKind = 'postgres' | 'mysql' | 'mongo' | 'redis' | 'memcached' | 'broker' | 'search' | 'app';

const PATTERNS: Array<[ServiceKind, RegExp]> = [
  ['postgres', /postgres|postgis|timescale|pgvector/],
  ['mysql', /mysql|mariadb|percona/],
  ['mongo', /mongo/],
  ['redis', /redis|valkey|keydb|dragonfly/],
  ['memcached', /memcache/],
  ['broker', /rabbitmq|kafka|zookeeper|nats|activemq|pulsar/],
  ['search', /elasticsearch|opensearch|meilisearch|solr/],
];

export function serviceKind(service: Service): ServiceKind {
  const image = (service.image ?? '').split('/').pop()?.split(':')[0]?.toLowerCase() ?? '';
  const command = (service.command ?? []).join(' ');
  if (/redis-server/.test(command)) return 'redis';
  for (const [kind, pattern] of PATTERNS) if (pattern.test(image)) return kind;
  // A server is configured with POSTGRES_PASSWORD; a client (temporal's POSTGRES_USER + POSTGRES_SEEDS) is told where one is.
  if ('POSTGRES_PASSWORD' in service.environment || 'POSTGRES_USER' in service.environment) {
    if (!Object.keys(service.environment).some((key) => /_(URL|URI|HOST|SEEDS|ADDR|ADDRESS|DSN)$/.test(key))) return 'postgres';
  }
  for (const [kind, pattern] of PATTERNS) if (pattern.test(service.name.toLowerCase()) && !service.build) return kind;
  return 'app';
}
