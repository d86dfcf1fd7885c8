/** URLs inside environment values (`DATABASE_URL=postgresql://u:p@postgres:5432/db`, `http://api:8000`). */
import type { Service } from '../../config/model.js';

export interface EnvUrl {
  /** The environment variable holding it. */
  variable: string;
  scheme: string;
  host: string;
  /** Explicit port, else the scheme's default (undefined when neither). */
  port?: number;
  explicitPort: boolean;
  username: string;
  /** Undefined when the URL has no password part. */
  password?: string;
  /** Path without the leading slash (the database for postgres, the db index for redis). */
  path: string;
}

const DEFAULT_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  redis: 6379,
  rediss: 6379,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  mongodb: 27017,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
  grpc: 80,
};

const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/([^\s'"<>,;]+)/gi;

export function urlsInEnvironment(service: Service): EnvUrl[] {
  const out: EnvUrl[] = [];
  for (const [variable, value] of Object.entries(service.environment)) {
    for (const match of value.matchAll(URL_PATTERN)) {
      const url = parseUrl(variable, match[0]);
      if (url) out.push(url);
    }
  }
  return out;
}

export function parseUrl(variable: string, text: string): EnvUrl | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  // SQLAlchemy-style `postgresql+psycopg2://`.
  const base = scheme.split('+')[0]!;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host) return undefined;
  const explicitPort = url.port !== '';
  const port = explicitPort ? Number(url.port) : DEFAULT_PORTS[base];
  const parsed: EnvUrl = {
    variable,
    scheme: base,
    host,
    explicitPort,
    username: decode(url.username),
    path: decode(url.pathname.replace(/^\//, '')),
  };
  if (port !== undefined) parsed.port = port;
  // `redis://:pw@host` has an empty username and a password; `redis://host` has neither.
  if (url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:@/i.test(text)) parsed.password = decode(url.password);
  return parsed;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
