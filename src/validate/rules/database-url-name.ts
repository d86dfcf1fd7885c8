import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { postgresServer } from '../support/servers.js';
import { urlsInEnvironment } from '../support/urls.js';
import { unsetIn } from '../support/variables.js';
import { initScriptFacts } from '../support/init-scripts.js';

/** A postgres URL naming a database other than the one the server creates (POSTGRES_DB). */
export const databaseUrlName: Rule = {
  code: 'CRED003',
  name: 'database-url-database',
  category: 'credentials',
  severity: 'warning',
  summary: "A postgres:// URL names a database other than the postgres service's POSTGRES_DB that no init script (/docker-entrypoint-initdb.d) creates",
  leavesAlone: 'Databases created by init scripts (CREATE DATABASE, createdb, POSTGRES_MULTIPLE_DATABASES); URLs built from unset variables',
  check({ stack, services, hosts, files }) {
    const out: Diagnostic[] = [];
    for (const client of stack.services) {
      for (const url of urlsInEnvironment(client)) {
        if (url.scheme !== 'postgres' && url.scheme !== 'postgresql') continue;
        const serverName = hosts.byHost.get(url.host);
        const server = serverName === undefined ? undefined : services.get(serverName);
        const pg = server ? postgresServer(server) : undefined;
        if (!server || !pg) continue;
        const database = url.path.split('?')[0] ?? '';
        if (database === '' || database === pg.database || unsetIn(stack, client, url.variable).length > 0) continue;
        const init = initScriptFacts(server, files);
        if (init.opaque || init.databases.has(database)) continue;
        out.push(
          finding(databaseUrlName, {
            service: client.name,
            location: client.environmentLocations[url.variable] ?? client.location,
            message: `${url.variable} uses the database "${database}" but ${server.name} creates "${pg.database}" (POSTGRES_DB)`,
            hint: `use \${POSTGRES_DB} in the URL, or create "${database}" in an init script (/docker-entrypoint-initdb.d)`,
          }),
        );
      }
    }
    return out;
  },
};
