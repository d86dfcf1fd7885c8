import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { redisServer } from '../support/servers.js';
import { REDIS_SCHEMES, urlsToServers } from '../support/server-urls.js';
import { unsetIn } from '../support/variables.js';

/** A client's redis URL lacks the password (or has another one than) the redis server requires. */
export const redisUrlCredentials: Rule = {
  code: 'CRED001',
  name: 'redis-url-credentials',
  category: 'credentials',
  severity: 'error',
  summary:
    'A redis:// URL points at a redis that requires a password (`--requirepass` / REDIS_PASSWORD) but carries none, or a different one',
  leavesAlone: 'Redis servers without a password; a URL that carries `${REDIS_PASSWORD}` while the variable is unset (ENV001\'s finding); clients that do not use a URL',
  check(context) {
    const { stack } = context;
    const out: Diagnostic[] = [];
    for (const { client, url, server, facts: redis } of urlsToServers(context, REDIS_SCHEMES, redisServer)) {
      if (redis.passwordSource === undefined) continue;
      const location = client.environmentLocations[url.variable] ?? client.location;
      const source = redis.passwordSource === '--requirepass' ? `runs with --requirepass` : `requires a password (REDIS_PASSWORD)`;
      // `redis://:${REDIS_PASSWORD}@…` with the variable unset carries the password as written: the
      // unset variable is ENV001's one finding, not one more per client.
      if ((url.password === undefined || url.password === '') && unsetIn(stack, client, url.variable).length > 0) continue;
      if (url.password === undefined || url.password === '') {
        // A separate REDIS_PASSWORD beside the URL only helps code that reads it (the seed's did not).
        const separate = client.environment.REDIS_PASSWORD !== undefined;
        out.push(
          finding(redisUrlCredentials, {
            service: client.name,
            location,
            message: `${url.variable} connects to ${server.name} without a password, but ${server.name} ${source}: commands will fail with NOAUTH${
              separate ? ' (a separate REDIS_PASSWORD only helps if the code reads it; URL-based clients do not)' : ''
            }`,
            hint: `put the password in the URL: ${url.variable}=${url.scheme}://:\${REDIS_PASSWORD}@${url.host}:${url.port ?? 6379}/${url.path || '0'}`,
          }),
        );
      } else if (redis.password !== undefined && redis.password !== '' && url.password !== redis.password) {
        out.push(
          finding(redisUrlCredentials, {
            service: client.name,
            location,
            message: `the password in ${url.variable} is not the one ${server.name} ${source}: authentication will fail (WRONGPASS)`,
            hint: `build the URL from the same variable as the server: ${url.scheme}://:\${REDIS_PASSWORD}@${url.host}:${url.port ?? 6379}/${url.path || '0'}`,
          }),
        );
      }
    }
    return out;
  },
};
