import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { postgresServer } from '../support/servers.js';
import { POSTGRES_SCHEMES, urlsToServers } from '../support/server-urls.js';
import { unsetIn } from '../support/variables.js';
import { initScriptFacts } from '../support/init-scripts.js';

/**
 * A postgres URL whose user or password differs from the server's POSTGRES_USER / POSTGRES_PASSWORD.
 * Users the server's init scripts create (`/docker-entrypoint-initdb.d`) are known users (their
 * passwords are the script's business); a URL built from an unset variable is ENV001's finding.
 */
export const databaseUrlCredentials: Rule = {
  code: 'CRED002',
  name: 'database-url-credentials',
  category: 'credentials',
  severity: 'error',
  summary: "A postgres:// URL's user or password differs from the postgres service's POSTGRES_USER / POSTGRES_PASSWORD",
  leavesAlone: 'URLs built from unset variables (ENV001); users created or altered by init scripts (`/docker-entrypoint-initdb.d/*.sql`, `*.sh`); non-official postgres images or images built here (users may be baked in); URLs without a user (JDBC, or a separate DB_USER)',
  check(context) {
    const { stack, files } = context;
    const out: Diagnostic[] = [];
    for (const { client, url, server, facts: pg } of urlsToServers(context, POSTGRES_SCHEMES, postgresServer)) {
      if (unsetIn(stack, client, url.variable).length > 0) continue;
      // No user in the URL (a JDBC URL, or `postgres://db/app` beside DB_USER=…): the client passes
      // its credentials another way, which this rule cannot see.
      if (url.username === '' && (url.password === undefined || url.password === '') && (url.jdbc || Object.keys(client.environment).some((k) => /(^|_)(USER|USERNAME)$/.test(k)))) continue;
      if (url.username !== pg.user) {
        const init = initScriptFacts(server, files);
        if (init.opaque || init.users.has(url.username)) continue;
      }
      const location = client.environmentLocations[url.variable] ?? client.location;
      const template = `postgresql://\${POSTGRES_USER}:\${POSTGRES_PASSWORD}@${url.host}:${url.port ?? 5432}/\${POSTGRES_DB}`;
      if (url.username !== pg.user) {
        out.push(
          finding(databaseUrlCredentials, {
            service: client.name,
            location,
            message: `${url.variable} logs in as "${url.username || '(no user)'}" but ${server.name} creates the user "${pg.user}" (POSTGRES_USER)${initNote(initScriptFacts(server, files).scripts.length)}: authentication will fail`,
            hint: `build the URL from the server's variables: ${url.variable}=${template}`,
          }),
        );
        continue; // another user's password is not the server's: one finding says it
      }
      if (pg.password !== undefined && pg.password !== '' && url.password !== pg.password) {
        out.push(
          finding(databaseUrlCredentials, {
            service: client.name,
            location,
            message:
              url.password === undefined || url.password === ''
                ? `${url.variable} has no password but ${server.name} requires POSTGRES_PASSWORD: authentication will fail`
                : `the password in ${url.variable} is not ${server.name}'s POSTGRES_PASSWORD: authentication will fail`,
            hint: `build the URL from the server's variables: ${url.variable}=${template}`,
          }),
        );
      }
    }
    return out;
  },
};

function initNote(scripts: number): string {
  return scripts > 0 ? ' and its init scripts create no such user' : '';
}
