/**
 * What a database's init scripts (`/docker-entrypoint-initdb.d`) create: users/roles and databases.
 * `.sql` files are read for `CREATE USER|ROLE name` and `CREATE DATABASE name`; `.sh` files for the same
 * statements (heredocs to psql) with `$VAR` taken from the service's environment, and `createuser` /
 * `createdb`. A script we cannot read through (a variable we cannot resolve, a `.sql.gz`) makes the
 * result `opaque`: any user or database may exist, so nothing is claimed about them.
 */
import path from 'node:path';
import type { Service } from '../../config/model.js';
import type { FileCache } from './files.js';

export interface InitScriptFacts {
  users: Set<string>;
  databases: Set<string>;
  /** True when some script may create users or databases we cannot name. */
  opaque: boolean;
  /** The scripts found, for messages. */
  scripts: string[];
}

const INIT_DIR = '/docker-entrypoint-initdb.d';

/** The official image (and images built on it) creates POSTGRES_USER only; others may bake in more. */
const OFFICIAL_POSTGRES = /^(docker\.io\/)?(library\/)?(postgres|postgis\/postgis|timescale\/timescaledb|pgvector\/pgvector)(:|@|$)/;

export function initScriptFacts(service: Service, files: FileCache): InitScriptFacts {
  const facts: InitScriptFacts = { users: new Set(), databases: new Set(), opaque: service.build !== undefined || !OFFICIAL_POSTGRES.test(service.image ?? ''), scripts: [] };
  for (const mount of service.volumes) {
    if (mount.type !== 'bind' || mount.source === undefined) continue;
    const target = mount.target.replace(/\/+$/, '');
    if (target !== INIT_DIR && !target.startsWith(`${INIT_DIR}/`)) continue;
    const sources = files.isDirectory(mount.source) ? (files.list(mount.source) ?? []).map((name) => path.join(mount.source!, name)) : [mount.source];
    for (const file of sources) readScript(file, service, files, facts);
  }
  // A common custom script: POSTGRES_MULTIPLE_DATABASES=a,b (each also becomes a user of that name).
  for (const name of (service.environment.POSTGRES_MULTIPLE_DATABASES ?? '').split(/[,\s]+/).filter(Boolean)) {
    const [database, user] = name.split(':');
    facts.databases.add(database!);
    facts.users.add(user ?? database!);
  }
  return facts;
}

function readScript(file: string, service: Service, files: FileCache, facts: InitScriptFacts): void {
  const base = path.basename(file);
  if (!/\.(sql|sh|sql\.gz|sql\.xz)$/.test(base)) return;
  facts.scripts.push(file);
  const text = files.text(file);
  if (text === undefined || /\.(gz|xz)$/.test(base)) {
    facts.opaque = true;
    return;
  }
  const shell = base.endsWith('.sh');
  const resolved = shell ? substitute(text, service.environment) : { text, unresolved: false };
  const body = resolved.text;
  // ALTER USER x assumes x exists (created by the image or an earlier script): a known user too.
  for (const m of body.matchAll(/\b(?:CREATE|ALTER)\s+(?:USER|ROLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?("?)([^\s";]+)\1/gi)) facts.users.add(m[2]!);
  for (const m of body.matchAll(/\bCREATE\s+DATABASE\s+(?:IF\s+NOT\s+EXISTS\s+)?("?)([^\s";]+)\1/gi)) facts.databases.add(m[2]!);
  if (shell) {
    for (const m of body.matchAll(/\bcreateuser\b[^\n]*?\s([A-Za-z_][\w-]*)\s*$/gm)) facts.users.add(m[1]!);
    for (const m of body.matchAll(/\bcreatedb\b[^\n]*?\s([A-Za-z_][\w-]*)\s*$/gm)) facts.databases.add(m[1]!);
    const createsSomething = /\b(CREATE\s+(USER|ROLE|DATABASE)|createuser|createdb)\b/i.test(text);
    if (resolved.unresolved && createsSomething) facts.opaque = true;
    if (!createsSomething && /\b(psql|mysql|mongo|mongosh)\b/.test(text)) facts.opaque = true; // runs SQL from elsewhere
  }
}

/** `$VAR` / `${VAR}` from the environment; `unresolved` when one is not there (loops, script variables). */
function substitute(text: string, env: Record<string, string>): { text: string; unresolved: boolean } {
  let unresolved = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = a ?? b!;
    const value = env[name];
    if (value === undefined || value === '') {
      unresolved = true;
      return whole;
    }
    return value;
  });
  return { text: out, unresolved };
}
