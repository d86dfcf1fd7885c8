/** What pg_isready and psql share: the local port, and a login from options or the container's environment. */
import type { ProbeSpec } from '../../config/model.js';
import { localPort, option, type HealthcheckContext } from './recogniser.js';

/**
 * The postgres probe for a client pointed at this container. `env` names the variables in the order
 * the tool reads them (psql prefers PG*, pg_isready the image's POSTGRES_*). Undefined when it points
 * elsewhere, a value cannot be read, or no password is known (the probe must log in).
 */
export function postgresLogin(words: string[], ctx: HealthcheckContext, env: { user: string[]; password: string[]; database: string[] }): ProbeSpec | undefined {
  const port = localPort(words, ctx, 5432);
  if (port === undefined) return undefined;
  const userOption = option(words, ['-U', '--username'], ctx);
  const dbOption = option(words, ['-d', '--dbname'], ctx);
  if (userOption === null || dbOption === null) return undefined;
  const first = (names: string[]): string | undefined => names.map((name) => ctx.containerEnv(name)).find((value) => value !== undefined);
  const user = userOption ?? first(env.user) ?? 'postgres';
  const password = first(env.password);
  if (password === undefined || password === '') return undefined;
  const database = dbOption ?? first(env.database) ?? user;
  return { kind: 'postgres', port, user, password, database };
}
