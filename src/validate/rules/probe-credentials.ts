import type { Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { postgresServer, redisServer } from '../support/servers.js';

/** A service's own readiness probe uses credentials other than the ones the server is configured with. */
export const probeCredentials: Rule = {
  code: 'CRED004',
  name: 'probe-credentials-mismatch',
  category: 'credentials',
  severity: 'error',
  summary: "A redis/postgres readiness probe's credentials differ from the server's own (--requirepass, POSTGRES_USER/PASSWORD)",
  leavesAlone: 'Probes of services that are not recognisably redis/postgres servers',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const readiness = service.readiness;
      if (!readiness) continue;
      const probe = readiness.probe;
      if (probe.kind === 'redis') {
        const redis = redisServer(service);
        if (!redis || redis.password === undefined || redis.password === '') continue;
        if (probe.password === undefined || probe.password === '') {
          out.push(
            finding(probeCredentials, {
              service: service.name,
              location: readiness.location,
              message: `${service.name} requires a password (${redis.passwordSource}) but its redis readiness probe sends none: it will get NOAUTH until the deadline`,
              hint: `add \`password: \${${feeding(stack, service.name, redis.password) ?? 'REDIS_PASSWORD'}}\` to the redis probe`,
            }),
          );
        } else if (probe.password !== redis.password) {
          out.push(
            finding(probeCredentials, {
              service: service.name,
              location: readiness.location,
              message: `the redis readiness probe's password is not the one ${service.name} requires (${redis.passwordSource})`,
              hint: ((name) => `use the same variable for both: \`--requirepass \${${name}}\` and \`password: \${${name}}\``)(feeding(stack, service.name, redis.password) ?? 'REDIS_PASSWORD'),
            }),
          );
        }
      } else if (probe.kind === 'postgres') {
        const pg = postgresServer(service);
        if (!pg) continue;
        if (probe.user !== pg.user) {
          out.push(
            finding(probeCredentials, {
              service: service.name,
              location: readiness.location,
              message: `the postgres readiness probe logs in as "${probe.user}" but ${service.name} creates "${pg.user}" (POSTGRES_USER)`,
              hint: `use \`user: \${${feeding(stack, service.name, pg.user, 'POSTGRES_USER') ?? 'POSTGRES_USER'}}\` in the probe`,
            }),
          );
        }
        if (pg.password !== undefined && pg.password !== '' && probe.password !== pg.password) {
          out.push(
            finding(probeCredentials, {
              service: service.name,
              location: readiness.location,
              message: `the postgres readiness probe's password is not ${service.name}'s POSTGRES_PASSWORD`,
              hint: `use \`password: \${${feeding(stack, service.name, pg.password, 'POSTGRES_PASSWORD') ?? 'POSTGRES_PASSWORD'}}\` in the probe`,
            }),
          );
        }
      }
    }
    return out;
  },
};

/**
 * The variable the server's own setting comes from (`POSTGRES_PASSWORD: ${DB_PASSWORD}` → DB_PASSWORD),
 * so a hint names the variable that holds the value for that field, never another field's.
 */
function feeding(stack: Stack, service: string, value: string | undefined, key?: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const candidates = stack.variables.filter((ref) => ref.service === service && ref.value === value && !ref.defaulted);
  const byKey = key ? candidates.find((ref) => ref.path.includes(key)) : undefined;
  return (byKey ?? candidates[0])?.name;
}
