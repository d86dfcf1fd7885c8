/**
 * The failure classifier: lines of text (container output, build output, a probe or runtime error)
 * → the root cause, with a one-line summary and what to do. Each rule is one table entry: a
 * pattern, a code, a summary and a hint built from the match (and, when given, the stack, so a
 * hint can name the variable, the service behind a host name, the port override).
 *
 * Rules are tried in table order — most specific cause first — and each scans the lines newest
 * first, so the evidence is the latest line that shows the cause. The patterns are the real words
 * of the tools (Python, pip, psycopg2, redis-py, redis, postgres, dockerd, Node), taken from the
 * seeds and from running the broken images in test/fixtures/broken-images/.
 */
import type { Service, Stack } from '../config/model.js';
import type { RootCause, RootCauseCode } from './model.js';

export interface ClassifyContext {
  /** The failing service. */
  service?: string;
  /** The stack, for hints that name services, variables and port overrides. */
  stack?: Stack;
}

export interface Rule {
  code: RootCauseCode;
  /** Stable name of the rule (docs, tests). */
  name: string;
  /** A real line the rule recognises (tested; shown in docs/runtime-probes.md). */
  example: string;
  pattern: RegExp;
  summary: (match: RegExpExecArray, context: ClassifyContext) => string;
  hint: (match: RegExpExecArray, context: ClassifyContext) => string;
}

function serviceOf(context: ClassifyContext): Service | undefined {
  return context.stack?.services.find((service) => service.name === context.service);
}

function who(context: ClassifyContext): string {
  return context.service ? `"${context.service}"` : 'the service';
}

/** The stack's service reachable under `host` (its name or a network alias). */
export function serviceForHost(stack: Stack | undefined, host: string): Service | undefined {
  if (!stack) return undefined;
  const lower = host.toLowerCase();
  return (
    stack.services.find((service) => service.name.toLowerCase() === lower) ??
    stack.services.find((service) => service.networks.some((network) => network.aliases.some((alias) => alias.toLowerCase() === lower)))
  );
}

/** Does the service's REDIS_URL carry a password? (Never its value.) */
function redisUrlPassword(service: Service | undefined): 'none' | 'present' | 'unset' {
  const url = service?.environment.REDIS_URL;
  if (url === undefined) return 'unset';
  try {
    return new URL(url).password ? 'present' : 'none';
  } catch {
    return 'unset';
  }
}

function probeKind(context: ClassifyContext): string | undefined {
  return serviceOf(context)?.readiness?.probe.kind;
}

/** The variable that sets a published host port, e.g. POSTGRES_PORT for `${POSTGRES_PORT:-5432}`. */
function portVariable(stack: Stack | undefined, port: string): string | undefined {
  return stack?.variables.find((variable) => variable.value === port && variable.path.includes('ports'))?.name;
}

function dependency(stack: Stack | undefined, host: string): string {
  const service = serviceForHost(stack, host);
  return service ? ` (service ${service.name})` : '';
}

function listServices(stack: Stack | undefined): string {
  return stack ? ` (the stack's services: ${stack.services.map((service) => service.name).join(', ')})` : '';
}

const refusedHint = (host: string, port: string, context: ClassifyContext): string => {
  const target = serviceForHost(context.stack, host);
  if (target) {
    const declared = serviceOf(context)?.dependsOn.find((dep) => dep.service === target.name);
    const order = declared
      ? declared.condition === 'ready'
        ? ''
        : ` ${who(context)} depends on it with condition: ${declared.condition} — make it ready.`
      : ` ${who(context)} does not depend on it: add depends_on: [${target.name}].`;
    return `${target.name} did not accept connections on port ${port}: check it is up and ready (stackctl ps; stackctl logs ${target.name}).${order}`;
  }
  return `nothing answers at ${host}:${port}: check the host and port in ${who(context)}'s environment${listServices(context.stack)}`;
};

const unresolvedHint = (host: string, context: ClassifyContext): string => {
  const target = serviceForHost(context.stack, host);
  if (target) {
    return `"${host}" is the stack's service ${target.name}, but the name does not resolve from ${who(context)}: they must share a network, and ${target.name} must be running`;
  }
  return `no service of the stack is called "${host}": fix the host name in ${who(context)}'s environment${listServices(context.stack)}`;
};

export const RULES: readonly Rule[] = [
  {
    code: 'editable-outside-context',
    name: 'pip-editable-outside-context',
    example: "ERROR: ../pyairtable-common is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with bzr+http, …).",
    pattern: /(\S+) is not a valid editable requirement/,
    summary: (m) => `pip cannot install the editable requirement ${m[1]}: the path is not inside the build context`,
    hint: (m, c) =>
      `${m[1]} is outside ${who(c)}'s build context, so the build cannot see it: widen build.context to the directory holding both (e.g. context: services, dockerfile: ${c.service ?? '<service>'}/Dockerfile) and point the requirement inside it, or bring it in with additional_contexts`,
  },
  {
    code: 'editable-outside-context',
    name: 'copy-outside-context',
    example: "COPY failed: forbidden path outside the build context: ../pyairtable-common ()",
    pattern: /forbidden path outside the build context: (\S+)/,
    summary: (m) => `the Dockerfile copies ${m[1]}, which is outside the build context`,
    hint: (_m, c) =>
      `widen ${who(c)}'s build.context to a directory containing the path (and set build.dockerfile relative to it), or use additional_contexts`,
  },
  {
    code: 'module-not-found',
    name: 'python-module-not-found',
    example: "ModuleNotFoundError: No module named 'config'",
    pattern: /ModuleNotFoundError: No module named '([^']+)'/,
    summary: (m) => `No module named '${m[1]}'`,
    hint: (m, c) => {
      const top = (m[1] ?? '').split('.')[0] ?? '';
      // The stack's own modules (stack.yaml `diagnose.module_hints`): it knows where they come from.
      const known = c.stack?.moduleHints?.find((entry) => entry.modules.includes(top));
      if (known) return known.hint.replaceAll('{module}', top).replaceAll('{service}', who(c));
      return `module '${m[1]}' is not in ${who(c)}'s image: COPY it in the Dockerfile (on PYTHONPATH) or install it; if it lives outside the build context, widen the context; check .dockerignore does not exclude it`;
    },
  },
  {
    code: 'module-not-found',
    name: 'python-import-error',
    example: "ImportError: cannot import name 'load' from 'config' (/opt/pyairtable-common/config.py)",
    pattern: /ImportError: cannot import name '([^']+)' from '([^']+)'/,
    summary: (m) => `cannot import name '${m[1]}' from '${m[2]}'`,
    hint: (m, c) => `the '${m[2]}' module in ${who(c)}'s image is not the version the code expects: rebuild the image from the current sources (an old copy may be baked in)`,
  },
  {
    code: 'module-not-found',
    name: 'node-module-not-found',
    example: "Error: Cannot find module 'express'",
    pattern: /Error: Cannot find module '([^']+)'/,
    summary: (m) => `Cannot find module '${m[1]}'`,
    hint: (m, c) => `'${m[1]}' is not in ${who(c)}'s image: install it (npm ci in the Dockerfile) or COPY it; check .dockerignore`,
  },
  {
    code: 'missing-env',
    name: 'config-missing-env',
    example: "platform-services: cannot start: missing required environment variables: DATABASE_URL, JWT_SECRET",
    // pyairtable-common's config.load(): "<service>: cannot start: missing required environment variables: A, B[; invalid …]"
    pattern: /cannot start: missing required environment variables: ([^;\n]+?)(?:; invalid environment variables: (.+?))?\s*$/,
    summary: (m) => `missing required environment variables: ${m[1]}${m[2] ? `; invalid: ${m[2]}` : ''}`,
    hint: (m, c) =>
      `set ${m[1]} for ${who(c)} (environment: or env_file: in the stack file; list them in requires_env so validate catches this before start)`,
  },
  {
    code: 'missing-env',
    name: 'config-invalid-env',
    example: "platform-services: cannot start: invalid environment variables: PORT='abc' is not an integer",
    pattern: /cannot start: invalid environment variables: (.+?)\s*$/,
    summary: (m) => `invalid environment variables: ${m[1]}`,
    hint: (_m, c) => `fix the values in ${who(c)}'s environment: each must parse as the type the service expects`,
  },
  {
    code: 'missing-env',
    name: 'image-refuses-empty-variable',
    example: "REDIS_PASSWORD is empty: refusing to start redis without a password",
    // images/redis and images/postgres: "REDIS_PASSWORD is empty: refusing to start redis without a password"
    pattern: /\b([A-Z][A-Z0-9_]*) is empty: refusing to start/,
    summary: (m) => `${m[1]} is empty, so the container refuses to start`,
    hint: (m, c) => `set ${m[1]} in ${who(c)}'s environment (mark it in secrets:)`,
  },
  {
    code: 'missing-env',
    name: 'python-environ-keyerror',
    example: "KeyError: 'REDIS_PASSWORD'",
    pattern: /KeyError: '([A-Z][A-Z0-9_]*)'/,
    summary: (m) => `environment variable ${m[1]} is not set`,
    hint: (m, c) => `set ${m[1]} in ${who(c)}'s environment (and list it in requires_env)`,
  },
  {
    code: 'redis-auth',
    name: 'redis-server-without-password',
    example: "ResponseError: AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    pattern: /AUTH <password> called without any password configured|Client sent AUTH, but no password is set/,
    summary: () => 'redis has no password configured, but the client sends one',
    hint: (_m, c) =>
      `REDIS_PASSWORD is not propagated to the redis service: set REDIS_PASSWORD in redis's environment (the same variable ${who(c)}'s REDIS_URL uses)`,
  },
  {
    code: 'redis-auth',
    name: 'redis-noauth',
    example: "AuthenticationError: Authentication required.",
    // Redis's reply, and redis-py's rendering of it.
    pattern: /NOAUTH Authentication required|AuthenticationError: Authentication required/,
    summary: (_m, c) =>
      probeKind(c) === 'redis' ? 'redis requires a password and the readiness probe sends none (NOAUTH)' : `redis requires a password and ${who(c)} sends none (NOAUTH)`,
    hint: (_m, c) => {
      if (probeKind(c) === 'redis') return `give ${who(c)}'s readiness probe the password: readiness: { redis: { port: 6379, password: \${REDIS_PASSWORD} } }`;
      const url = redisUrlPassword(serviceOf(c));
      const now = url === 'none' ? ` (its REDIS_URL has no password now)` : '';
      return `REDIS_PASSWORD is not propagated: put it into ${who(c)}'s REDIS_URL — redis://:\${REDIS_PASSWORD}@redis:6379/0${now}; a separate REDIS_PASSWORD variable is not read by the client`;
    },
  },
  {
    code: 'redis-auth',
    name: 'redis-wrongpass',
    example: "ResponseError: WRONGPASS invalid username-password pair or user is disabled.",
    pattern: /WRONGPASS[^\n]*|invalid username-password pair|ERR invalid password/,
    summary: (_m, c) => (probeKind(c) === 'redis' ? 'redis rejected the readiness probe\'s password (WRONGPASS)' : `redis rejected ${who(c)}'s password (WRONGPASS)`),
    hint: (_m, c) =>
      probeKind(c) === 'redis'
        ? `the probe's password differs from redis's REDIS_PASSWORD: use \${REDIS_PASSWORD} in both`
        : `the password in ${who(c)}'s REDIS_URL differs from redis's REDIS_PASSWORD: build REDIS_URL from the same variable (redis://:\${REDIS_PASSWORD}@redis:6379/0)`,
  },
  {
    code: 'postgres-auth',
    name: 'postgres-password-failed',
    example: "connection to server at \"postgres\" (172.20.0.4), port 5432 failed: FATAL:  password authentication failed for user \"pyairtable\"",
    pattern: /password authentication failed for user "([^"]+)"/,
    summary: (m) => `postgres rejected the password of user "${m[1]}"`,
    hint: (m, c) => {
      const from = probeKind(c) === 'postgres' ? `the readiness probe's credentials` : `the credentials in ${who(c)}'s DATABASE_URL`;
      return `${from} for "${m[1]}" differ from postgres's POSTGRES_USER/POSTGRES_PASSWORD: use the same variables in both. postgres sets the password only when its data volume is first initialised — after changing POSTGRES_PASSWORD, remove the volume (stackctl down -v)`;
    },
  },
  {
    code: 'postgres-auth',
    name: 'postgres-role-missing',
    example: "FATAL:  role \"pyairtable\" does not exist",
    pattern: /role "([^"]+)" does not exist/,
    summary: (m) => `postgres has no role "${m[1]}"`,
    hint: (m) => `"${m[1]}" is not postgres's POSTGRES_USER: use the same variable in the client's URL; a volume initialised with another user keeps it (stackctl down -v)`,
  },
  {
    code: 'postgres-auth',
    name: 'postgres-database-missing',
    example: "FATAL:  database \"pyairtable\" does not exist",
    pattern: /database "([^"]+)" does not exist/,
    summary: (m) => `postgres has no database "${m[1]}"`,
    hint: (m) => `"${m[1]}" is not postgres's POSTGRES_DB: use the same variable in the client's URL; a volume initialised with another POSTGRES_DB keeps it (stackctl down -v)`,
  },
  {
    code: 'address-in-use',
    name: 'host-port-taken',
    example: "Error starting userland proxy: listen tcp4 127.0.0.1:5432: bind: address already in use",
    // dockerd: "listen tcp4 127.0.0.1:5432: bind: address already in use", "Bind for 127.0.0.1:5432 failed: port is already allocated"
    pattern: /(?:listen tcp[46]? |Bind for )(\S*?):(\d+)(?::)? (?:bind: address already in use|failed: port is already allocated)/,
    summary: (m) => `host port ${m[2]} is already in use`,
    hint: (m, c) => {
      const variable = portVariable(c.stack, m[2] ?? '');
      const override = variable ? `, e.g. ${variable}=<free port> stackctl up` : ' (publish it on another port)';
      return `something else holds ${m[1] || '*'}:${m[2]} — \`ss -ltnp 'sport = :${m[2]}'\` shows what; stop it or move ${who(c)}${override}`;
    },
  },
  {
    code: 'address-in-use',
    name: 'in-container-port-taken',
    example: "OSError: [Errno 98] Address already in use",
    pattern: /\[Errno 98\] Address already in use|EADDRINUSE/,
    summary: () => 'the port the service listens on is already in use inside its container',
    hint: (_m, c) => `two processes in ${who(c)}'s container listen on the same port: check PORT and the command`,
  },
  {
    code: 'image-not-found',
    name: 'image-not-found',
    example: "image stackctl-example/api-gateway:dev not found locally and no registry reachable: build it (build:) or load it (docker load)",
    pattern: /image (\S+) not found locally|pull access denied for ([^\s,]+)|manifest (?:for (\S+) )?unknown|No such image: (\S+)/,
    summary: (m) => {
      const name = m[1] ?? m[2] ?? m[3] ?? m[4];
      return name ? `image ${name} is not available locally and cannot be pulled` : 'the image is not available locally and cannot be pulled';
    },
    hint: (_m, c) => `build it (give ${who(c)} a build: section) or load it (docker load -i <file>); no registry is needed when the image exists locally`,
  },
  {
    code: 'image-not-found',
    name: 'registry-unreachable',
    example: "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host",
    pattern: /Get "https:\/\/([^/"]+)\/v2\/"/,
    summary: (m) => `no registry reachable (${m[1] ?? 'registry'}): an image cannot be pulled`,
    hint: () => 'build or load the missing image locally first (for debian:bookworm-slim: scripts/ensure-base-image.sh)',
  },
  {
    code: 'dependency-unresolved',
    name: 'psycopg2-unresolved',
    example: "could not translate host name \"postgres\" to address: Name or service not known",
    pattern: /could not translate host name "([^"]+)" to address/,
    summary: (m) => `cannot resolve host "${m[1]}"`,
    hint: (m, c) => unresolvedHint(m[1] ?? '', c),
  },
  {
    code: 'dependency-unresolved',
    name: 'redis-py-unresolved',
    example: "ConnectionError: Error -2 connecting to redis:6379. Name or service not known.",
    pattern: /Error -[235] connecting to ([^\s:]+):(\d+)\. (?:Name or service not known|Temporary failure in name resolution|No address associated)/,
    summary: (m) => `cannot resolve host "${m[1]}" (port ${m[2]})`,
    hint: (m, c) => unresolvedHint(m[1] ?? '', c),
  },
  {
    code: 'dependency-unresolved',
    name: 'http-unresolved',
    example: "mcp-server: cannot reach http://mcp-server:8001: [Errno -2] Name or service not known",
    pattern: /https?:\/\/([^\s:/]+)(?::(\d+))?\S*: \[Errno -[235]\] (?:Name or service not known|Temporary failure in name resolution|No address associated)/,
    summary: (m) => `cannot resolve host "${m[1]}"`,
    hint: (m, c) => unresolvedHint(m[1] ?? '', c),
  },
  {
    code: 'dependency-unresolved',
    name: 'node-unresolved',
    example: "Error: getaddrinfo ENOTFOUND postgres",
    pattern: /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([^\s:]+)/,
    summary: (m) => `cannot resolve host "${m[1]}"`,
    hint: (m, c) => unresolvedHint(m[1] ?? '', c),
  },
  {
    code: 'dependency-unresolved',
    name: 'go-unresolved',
    example: "dial tcp: lookup postgres on 127.0.0.11:53: no such host",
    pattern: /dial tcp: lookup ([^\s:]+)(?: on \S+)?: no such host/,
    summary: (m) => `cannot resolve host "${m[1]}"`,
    hint: (m, c) => unresolvedHint(m[1] ?? '', c),
  },
  {
    code: 'dependency-refused',
    name: 'psycopg2-refused',
    example: "connection to server at \"postgres\" (172.20.0.4), port 5432 failed: Connection refused",
    pattern: /connection to server at "([^"]+)" \([^)]*\), port (\d+) failed: Connection refused/,
    summary: (m, c) => `connection refused by ${m[1]}:${m[2]}${dependency(c.stack, m[1] ?? '')}`,
    hint: (m, c) => refusedHint(m[1] ?? '', m[2] ?? '', c),
  },
  {
    code: 'dependency-refused',
    name: 'redis-py-refused',
    example: "ConnectionError: Error 111 connecting to redis:6379. Connection refused.",
    pattern: /Error 111 connecting to ([^\s:]+):(\d+)\. Connection refused/,
    summary: (m, c) => `connection refused by ${m[1]}:${m[2]}${dependency(c.stack, m[1] ?? '')}`,
    hint: (m, c) => refusedHint(m[1] ?? '', m[2] ?? '', c),
  },
  {
    code: 'dependency-refused',
    name: 'http-refused',
    example: "airtable-gateway: cannot reach http://airtable-gateway:8002: [Errno 111] Connection refused",
    pattern: /https?:\/\/([^\s:/]+)(?::(\d+))?\S*: \[Errno 111\] Connection refused/,
    summary: (m, c) => `connection refused by ${m[1]}:${m[2] ?? '80'}${dependency(c.stack, m[1] ?? '')}`,
    hint: (m, c) => refusedHint(m[1] ?? '', m[2] ?? '80', c),
  },
  {
    code: 'dependency-refused',
    name: 'node-refused',
    example: "Error: connect ECONNREFUSED 172.18.0.3:5432",
    pattern: /connect ECONNREFUSED ([^\s:]+):(\d+)/,
    summary: (m, c) => `connection refused by ${m[1]}:${m[2]}${dependency(c.stack, m[1] ?? '')}`,
    hint: (m, c) => refusedHint(m[1] ?? '', m[2] ?? '', c),
  },
  {
    code: 'dependency-refused',
    name: 'go-refused',
    example: "dial tcp 172.18.0.3:5432: connect: connection refused",
    pattern: /dial tcp ([^\s:]+):(\d+): connect: connection refused/,
    summary: (m, c) => `connection refused by ${m[1]}:${m[2]}${dependency(c.stack, m[1] ?? '')}`,
    hint: (m, c) => refusedHint(m[1] ?? '', m[2] ?? '', c),
  },
  {
    code: 'build-failed',
    name: 'build-step-failed',
    example: "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
    pattern: /The command '(.+)' returned a non-zero code: (\d+)/,
    summary: (m) => `build step \`${(m[1] ?? '').replace(/^\/bin\/sh -c /, '')}\` exited with code ${m[2]}`,
    hint: () => 'the build output above the failing step says why; fix the Dockerfile or what the build context contains',
  },
];

const MAX_EVIDENCE = 300;

function evidenceOf(line: string): string {
  const flat = line.trim();
  return flat.length > MAX_EVIDENCE ? `${flat.slice(0, MAX_EVIDENCE)}…` : flat;
}

/**
 * The root cause the lines show, or undefined when no rule matches. Rules in table order; each
 * looks at the newest line first.
 */
export function classifyLines(lines: readonly string[], context: ClassifyContext = {}): RootCause | undefined {
  for (const rule of RULES) {
    for (let index = lines.length - 1; index >= 0; index -= 1) {
      const line = lines[index];
      if (line === undefined) continue;
      const match = rule.pattern.exec(line);
      if (!match) continue;
      return { code: rule.code, summary: rule.summary(match, context), hint: rule.hint(match, context), evidence: evidenceOf(line) };
    }
  }
  return undefined;
}

/** Where a cause's first rule stands in the table: a lower rank is the more specific cause. */
export function causeRank(code: RootCause['code']): number {
  const index = RULES.findIndex((rule) => rule.code === code);
  return index < 0 ? RULES.length : index;
}

/** Splits texts (log output, error messages) into lines and classifies them. */
export function classifyText(texts: ReadonlyArray<string | undefined>, context: ClassifyContext = {}): RootCause | undefined {
  const lines = texts.flatMap((text) => (text === undefined ? [] : text.split('\n')));
  return classifyLines(lines, context);
}
