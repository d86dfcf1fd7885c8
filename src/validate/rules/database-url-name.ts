import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { postgresServer } from '../support/servers.js';
import { POSTGRES_SCHEMES, urlsToServers } from '../support/server-urls.js';
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
  check(context) {
    const { stack, files } = context;
    const out: Diagnostic[] = [];
    for (const { client, url, server, facts: pg } of urlsToServers(context, POSTGRES_SCHEMES, postgresServer)) {
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
    return out;
  },
};
