/**
 * URLs inside environment values (`DATABASE_URL=postgresql://u:p@postgres:5432/db`, `http://api:8000`)
 * that the *container* uses to reach a host. Not every `scheme://x` is that:
 *   - listen addresses (`http://+:80`, `http://*:8080`, `0.0.0.0`, `[::]`) name no host: they are the
 *     service's own listeners (see listenerPorts);
 *   - `sqlite:///`, `file://`, `unix://` name paths;
 *   - object-store URLs (`s3://bucket?endpoint=http://minio:9000`) name a bucket; the URLs in their
 *     query parameters (the endpoint) are hosts;
 *   - browser-side variables (`CORS_ORIGINS`, `NEXT_PUBLIC_*`, `VITE_*`, `*_PUBLIC_URL`, …) are reached by
 *     a browser on the host, not by the container;
 *   - a service's own `*_LISTENERS` / advertised listeners (kafka) are what it listens on and tells
 *     clients, not a host it reaches.
 */
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
  /** Written as `jdbc:postgresql://…` (credentials travel as separate properties). */
  jdbc?: boolean;
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

/** Schemes whose "host" is a file-system path or a socket. */
const PATH_SCHEMES = new Set(['file', 'sqlite', 'sqlite3', 'unix', 'npipe', 'ipc', 'http+unix', 'redis+unix', 'unix+redis']);
/** Schemes whose "host" is a bucket or container name, not a machine. */
const BUCKET_SCHEMES = new Set(['s3', 's3a', 's3n', 'gs', 'gcs', 'az', 'azure', 'azblob', 'abfs', 'abfss', 'wasb', 'wasbs', 'oss', 'cos', 'r2', 'b2', 'swift', 'minio', 'hdfs+bucket']);
/** Hosts that mean "every interface" in a listen address. */
const WILDCARD_HOSTS = new Set(['+', '*', '0.0.0.0', '::', '[::]', '']);

/** A password may hold spaces (`postgresql://app:pa ss@db/app` works with libpq): userinfo runs to its `@`. */
const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/((?:[^\s:@/'"]*:[^@/'"\n]*@)?[^\s'"<>,;]+)/gi;

/**
 * Variables read by a browser (or an external client) rather than by the container: their hosts are
 * names on the user's machine or the public internet.
 */
const BROWSER_SIDE = [
  /^(NEXT_PUBLIC|NUXT_PUBLIC|VITE|REACT_APP|VUE_APP|EXPO_PUBLIC|GATSBY|PUBLIC|STORYBOOK|SVELTEKIT_PUBLIC)_/,
  /(^|_)(CORS|CSRF)(_|$)/,
  /(^|_)(ALLOWED|TRUSTED)_(ORIGINS?|HOSTS?|REDIRECTS?)$/,
  /(^|_)ORIGINS?$/,
  /(^|_)(PUBLIC|EXTERNAL|BROWSER|FRONTEND|CLIENT|WEB|SITE|BASE_PUBLIC)_(URL|URI|HOST|ORIGIN)S?$/,
  /^(PUBLIC_URL|SITE_URL|ROOT_URL|APP_URL|SERVER_ROOT_URL|EXTERNAL_URL|WEB_URL|BASE_URL|DOMAIN|WEBHOOK_URL)$/,
  /(^|_)(REDIRECT|CALLBACK|RETURN)_(URL|URI)S?$/,
  /(^|_)ADVERTISED_/,
];

export function isBrowserSide(variable: string): boolean {
  // camelCase and dotted names (`IdentityUrlExternal`, `spa.client`) read like SNAKE_CASE.
  const name = variable.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[.-]/g, '_').toUpperCase();
  return BROWSER_SIDE.some((re) => re.test(name)) || (/(^|_)(EXTERNAL|PUBLIC|BROWSER|SPA|FRONTEND)(_|$)/.test(name) && /(URL|URI|ORIGIN|HOST|CLIENT|ISSUER|ENDPOINT|DOMAIN)/.test(name));
}

/** `KAFKA_LISTENERS`, `KAFKA_CFG_LISTENERS`, `*_ADVERTISED_LISTENERS`, `LISTEN_ADDR`, … */
export function isListenerVariable(variable: string): boolean {
  return /(^|_)(LISTENERS?|LISTEN|LISTEN_(ADDR|ADDRESS|HOST)|BIND|BIND_(ADDR|ADDRESS|HOST))$/i.test(variable) || /^(ASPNETCORE_URLS|URLS)$/i.test(variable);
}

export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/**
 * URLs through which the container reaches a host (see the module comment for what is left out). Seven
 * rules and the host index ask for every service: parsed once per environment, the same list returned.
 */
export function urlsInEnvironment(service: Service): readonly EnvUrl[] {
  let urls = urlsByEnvironment.get(service.environment);
  if (!urls) {
    urls = parseUrlsInEnvironment(service);
    urlsByEnvironment.set(service.environment, urls);
  }
  return urls;
}
const urlsByEnvironment = new WeakMap<object, readonly EnvUrl[]>();

function parseUrlsInEnvironment(service: Service): readonly EnvUrl[] {
  const out: EnvUrl[] = [];
  for (const [variable, value] of Object.entries(service.environment)) {
    if (isBrowserSide(variable) || isListenerVariable(variable)) continue;
    for (const url of urlsInValue(variable, value)) if (!isWildcardHost(url.host)) out.push(url);
  }
  return out;
}

/** Every host-naming URL in one value, including URLs nested in an object-store URL's query. */
export function urlsInValue(variable: string, value: string): EnvUrl[] {
  const out: EnvUrl[] = [];
  for (const match of value.matchAll(URL_PATTERN)) {
    const scheme = match[1]!.toLowerCase();
    if (PATH_SCHEMES.has(scheme)) continue;
    if (BUCKET_SCHEMES.has(scheme)) {
      const query = match[0].indexOf('?');
      if (query >= 0) {
        for (const param of match[0].slice(query + 1).split('&')) {
          const inner = decode(param.slice(param.indexOf('=') + 1));
          out.push(...urlsInValue(variable, inner));
        }
      }
      continue;
    }
    const url = parseUrl(variable, match[0]);
    if (!url) continue;
    if (/jdbc:$/i.test(value.slice(Math.max(0, (match.index ?? 0) - 5), match.index))) url.jdbc = true;
    out.push(url);
  }
  return out;
}

export function parseUrl(variable: string, text: string): EnvUrl | undefined {
  let url: URL;
  const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i.exec(text);
  const parsable = userinfo ? `${userinfo[1]}${userinfo[2]!.replace(/ /g, '%20')}@${text.slice(userinfo[0].length)}` : text;
  try {
    url = new URL(parsable);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  // SQLAlchemy-style `postgresql+psycopg2://`.
  const base = scheme.split('+')[0]!;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host) return undefined;
  const authority = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0] ?? '';
  const explicitPort = /:\d+$/.test(authority.slice(authority.lastIndexOf('@') + 1));
  const port = url.port !== '' ? Number(url.port) : DEFAULT_PORTS[base];
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

/**
 * Ports a service says it listens on in its own environment: `KAFKA_LISTENERS=INTERNAL://0.0.0.0:9093`,
 * `ASPNETCORE_URLS=http://+:5000`, `PORT=3000`, `HTTP_PORT=8080`, `LISTEN_ADDR=0.0.0.0:9000`.
 * Ports of other servers it is told about (`DB_PORT`, `REDIS_PORT`, …) are not its own.
 */
export function listenerPorts(service: Service): number[] {
  const out: number[] = [];
  for (const [variable, value] of Object.entries(service.environment)) {
    if (isListenerVariable(variable)) {
      for (const m of value.matchAll(/:\/\/[^\s,;/]*?:(\d{1,5})\b/g)) out.push(Number(m[1]));
      for (const m of value.matchAll(/(?:^|[\s,;])(?:[\w.-]+|\[[^\]]*\])?:(\d{1,5})(?=$|[\s,;/])/g)) out.push(Number(m[1]));
      continue;
    }
    if (!/^\d{1,5}$/.test(value.trim())) continue;
    if (!/(^|_)PORT$/i.test(variable)) continue;
    if (/^(DB|DATABASE|POSTGRES|PG|REDIS|MYSQL|MARIADB|MONGO|MONGODB|SMTP|MAIL|EMAIL|AMQP|RABBITMQ|KAFKA|ELASTIC|ELASTICSEARCH|MEMCACHED|S3|MINIO|LDAP|CLICKHOUSE|NATS|ZOOKEEPER|SENTRY|OTEL|JAEGER|ZIPKIN|STATSD|UPSTREAM|BACKEND|API|PROXY|EXTERNAL|PUBLIC|HOST)_/i.test(variable)) continue;
    out.push(Number(value.trim()));
  }
  // Wildcard and loopback URLs in other variables are listen addresses too (`SERVER_ADDR=http://0.0.0.0:8080`).
  for (const [variable, value] of Object.entries(service.environment)) {
    for (const m of value.matchAll(URL_PATTERN)) {
      const url = parseUrl(variable, m[0]);
      if (url && isWildcardHost(url.host) && url.port !== undefined) out.push(url.port);
    }
  }
  return out.filter((port) => port > 0 && port < 65536);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
