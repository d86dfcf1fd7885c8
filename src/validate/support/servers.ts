/**
 * Recognising the servers whose credentials clients must carry: redis (password from
 * `--requirepass`, else REDIS_PASSWORD in its environment) and postgres (POSTGRES_USER /
 * POSTGRES_PASSWORD / POSTGRES_DB, as the official and the example images honour them).
 */
import type { Service } from '../../config/model.js';

export interface RedisServer {
  port: number;
  /** Undefined: no password required. */
  password?: string;
  /** Where the password comes from, for messages (never the value). */
  passwordSource?: string;
}

export interface PostgresServer {
  port: number;
  user: string;
  password?: string;
  database: string;
}

const REDIS_IMAGE = /(^|\/)(redis|valkey|keydb)([:@]|$)|redis-stack|bitnami\/redis/i;
const POSTGRES_IMAGE = /(^|\/)(postgres|postgresql|postgis|timescaledb)([:@]|$)|bitnami\/postgresql|\/postgres(ql)?:/i;

export function redisServer(service: Service): RedisServer | undefined {
  const command = [...(service.entrypoint ?? []), ...(service.command ?? [])];
  const runsRedis = command.some((word) => /(^|\/)(redis-server|valkey-server)$/.test(word));
  const looksRedis =
    runsRedis ||
    (service.image !== undefined && REDIS_IMAGE.test(service.image)) ||
    service.readiness?.probe.kind === 'redis';
  if (!looksRedis) return undefined;
  const server: RedisServer = { port: 6379 };
  const portFlag = flagValue(command, '--port');
  if (portFlag && /^\d+$/.test(portFlag)) server.port = Number(portFlag);
  const requirepass = flagValue(command, '--requirepass');
  // `--requirepass ${REDIS_PASSWORD}` with the variable unset still says a password is meant: the
  // seed's failure was exactly that, so clients without one must still be reported.
  const requirepassWritten = command.some((word) => word.includes('--requirepass'));
  if (requirepass !== undefined || requirepassWritten) {
    server.password = requirepass ?? '';
    server.passwordSource = '--requirepass';
  } else if (service.environment.REDIS_PASSWORD !== undefined && service.environment.REDIS_PASSWORD !== '') {
    server.password = service.environment.REDIS_PASSWORD;
    server.passwordSource = 'REDIS_PASSWORD';
  }
  return server;
}

export function postgresServer(service: Service): PostgresServer | undefined {
  const env = service.environment;
  const looksPostgres =
    (service.image !== undefined && POSTGRES_IMAGE.test(service.image)) ||
    (service.readiness?.probe.kind === 'postgres' && ('POSTGRES_PASSWORD' in env || 'POSTGRES_USER' in env)) ||
    ('POSTGRES_PASSWORD' in env && !hasUrlTo(env, 'postgres'));
  if (!looksPostgres) return undefined;
  const user = env.POSTGRES_USER || 'postgres';
  const server: PostgresServer = { port: Number(env.PGPORT) || 5432, user, database: env.POSTGRES_DB || user };
  if (env.POSTGRES_PASSWORD !== undefined) server.password = env.POSTGRES_PASSWORD;
  return server;
}

function hasUrlTo(env: Record<string, string>, scheme: string): boolean {
  return Object.values(env).some((value) => value.startsWith(`${scheme}://`) || value.startsWith(`${scheme}ql://`));
}

/** `--flag value` or `--flag=value`, also inside a single `sh -c "…"` word. */
function flagValue(words: string[], flag: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === flag) return words[i + 1] ?? '';
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
    if (word.includes(' ') && word.includes(flag)) {
      const inner = flagValue(word.split(/\s+/).filter(Boolean), flag);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}
