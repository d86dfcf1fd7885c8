/**
 * The stack.yaml schema (zod), applied to the document after interpolation. It checks shapes and
 * types only; meaning (ports, durations, paths, probes) is normalised in load-stack.ts. Every object
 * is strict, so a misspelt key is an error with a "did you mean" (see zodIssuesToDiagnostics).
 * `x-*` keys are extension fields (for anchors) and are ignored anywhere.
 */
import { z } from 'zod';
import { parseDuration, parsePortShort, parseRestart, parseVolumeShort, shellSplit, type Parsed } from './normalize.js';

/** Runs a normalize.ts parser inside the schema so its error is reported with all the others. */
const check =
  <T>(parse: (value: T) => Parsed<unknown>) =>
  (value: T, ctx: z.RefinementCtx): void => {
    const parsed = parse(value);
    if (!parsed.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error });
  };
const NOWHERE = { file: '', line: 0, col: 0 };

/** Numeric strings (from interpolation) become numbers; "" (an empty `${port:-}`) means absent. */
const numeric = (value: unknown): unknown =>
  value === '' ? undefined : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;

const str = (what = 'a string') => z.string({ invalid_type_error: `expected ${what}`, required_error: `missing ${what}` });
const scalarString = z.union([z.string(), z.number(), z.boolean()], {
  errorMap: () => ({ message: 'expected a string' }),
});
const stringList = (what = 'a list of strings') =>
  z.array(z.string({ invalid_type_error: 'expected a string' }), { invalid_type_error: `expected ${what}` });
const stringOrList = (what = 'a string or a list of strings') =>
  z.union([z.string(), stringList()], { errorMap: () => ({ message: `expected ${what}` }) });
const commandSchema = z
  .union([z.string(), z.array(scalarString, { invalid_type_error: 'expected a list' })], {
    errorMap: () => ({ message: 'expected a string or a list of strings' }),
  })
  .superRefine(check((value) => (typeof value === 'string' ? shellSplit(value) : { ok: true, value })));
const duration = z
  .union([z.string(), z.number()], {
    errorMap: () => ({ message: 'expected a duration such as 30s, 1m30s or 500ms' }),
  })
  .superRefine(check(parseDuration));
const portNumber = z
  .number({ invalid_type_error: 'expected a port number' })
  .int('expected a whole port number')
  .min(1, 'a port is from 1 to 65535')
  .max(65535, 'a port is from 1 to 65535');
const port = z.preprocess(numeric, portNumber);
/** An optional port: absent, or "" from an empty interpolation, means "use the default". */
const optionalPort = z.preprocess(numeric, portNumber.optional());
const envValue = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  errorMap: () => ({ message: 'expected a string, number or boolean value' }),
});
const keyValues = (what: string) =>
  z.union([z.record(envValue), z.array(z.string({ invalid_type_error: 'expected "KEY=value"' }))], {
    errorMap: () => ({ message: `expected ${what} as a map (KEY: value) or a list of "KEY=value"` }),
  });
const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name such as API_KEY');
const varList = z.array(varName, { invalid_type_error: 'expected a list of variable names' });

const buildObject = z
  .object({
    context: str('the build context directory'),
    dockerfile: str('a Dockerfile path').optional(),
    dockerfile_inline: str().optional(),
    args: keyValues('build args').optional(),
    target: str().optional(),
    additional_contexts: keyValues('additional contexts').optional(),
  })
  .strict();

const portLong = z
  .object({
    target: port,
    published: z.union([z.string(), z.number()]).optional(),
    host_ip: str('an IP address').optional(),
    protocol: z.enum(['tcp', 'udp'], { errorMap: () => ({ message: 'expected tcp or udp' }) }).optional(),
    mode: z.enum(['host', 'ingress']).optional(),
    name: z.string().optional(),
    app_protocol: z.string().optional(),
  })
  .strict();

const volumeLong = z
  .object({
    type: z.enum(['volume', 'bind', 'tmpfs'], { errorMap: () => ({ message: 'expected volume, bind or tmpfs' }) }).optional(),
    source: str('a volume name or host path').optional(),
    target: str('the path inside the container'),
    read_only: z.boolean({ invalid_type_error: 'expected true or false' }).optional(),
    bind: z.object({}).passthrough().optional(),
    volume: z.object({}).passthrough().optional(),
    tmpfs: z.object({}).passthrough().optional(),
  })
  .strict();

const networkAttachment = z
  .object({
    aliases: stringList('a list of aliases').optional(),
    ipv4_address: z.string().optional(),
    ipv6_address: z.string().optional(),
  })
  .strict()
  .nullable();

const conditionNames = ['started', 'ready', 'completed', 'service_started', 'service_healthy', 'service_completed_successfully'] as const;
const dependencyObject = z
  .object({
    condition: z
      .enum(conditionNames, { errorMap: () => ({ message: 'expected a condition: started, ready or completed' }) })
      .optional(),
    required: z.boolean({ invalid_type_error: 'expected true or false' }).optional(),
    restart: z.boolean().optional(),
  })
  .strict()
  .nullable();

const headers = z.record(scalarString, { invalid_type_error: 'expected a map of header names to values' });
const status = z.union([z.number(), z.string()], { errorMap: () => ({ message: 'expected a status such as 200 or "200-299"' }) });

const probeFields = {
  tcp: z
    .union([port, z.object({ port: optionalPort }).strict(), z.null()], {
      errorMap: () => ({ message: 'expected { port: N } or a port number' }),
    })
    .optional(),
  http: z
    .union(
      [
        z.string(),
        z
          .object({
            port: optionalPort,
            path: str('a path such as /ready').optional(),
            method: str('an HTTP method').optional(),
            headers: headers.optional(),
            status: status.optional(),
            body: str('a regular expression').optional(),
            json: z.record(z.unknown(), { invalid_type_error: 'expected a map of JSON fields to values' }).optional(),
          })
          .strict(),
      ],
      { errorMap: () => ({ message: 'expected { port, path, … } or a path' }) },
    )
    .optional(),
  postgres: z
    .object(
      {
        port: optionalPort,
        user: str('the user name, e.g. ${POSTGRES_USER}'),
        password: scalarString.optional(),
        database: scalarString.optional(),
      },
      { invalid_type_error: 'expected { user, password, database }' },
    )
    .strict()
    .optional(),
  redis: z
    .union([z.object({ port: optionalPort, password: scalarString.optional() }).strict(), z.null()], {
      errorMap: () => ({ message: 'expected { port, password }' }),
    })
    .optional(),
  exec: commandSchema.optional(),
  log: str('a regular expression').optional(),
};

/** A template file in healthchecks/: exactly one probe kind, an optional timeout, and documentation. */
export const probeTemplateSchema = z
  .object({
    description: z.string().optional(),
    params: z.record(z.unknown()).optional(),
    ...probeFields,
    timeout: duration.optional(),
  })
  .strict();

const readinessSchema = z
  .object({
    ...probeFields,
    use: str('a template path such as healthchecks/http-ready.yaml').optional(),
    with: z.record(envValue, { invalid_type_error: 'expected a map of template parameters' }).optional(),
    timeout: duration.optional(),
  })
  .strict();

const serviceSchema = z
  .object({
    image: str('an image reference').optional(),
    build: z
      .union([z.string(), buildObject], { errorMap: () => ({ message: 'expected a context path or { context, dockerfile, … }' }) })
      .optional(),
    command: commandSchema.optional(),
    entrypoint: commandSchema.optional(),
    environment: keyValues('environment').optional(),
    env_file: stringOrList().optional(),
    ports: z
      .array(
        z
          .union([z.string(), z.number(), portLong], {
            errorMap: () => ({ message: 'expected "HOST:CONTAINER", a port number or { target, published }' }),
          })
          .superRefine(check((value) => (typeof value === 'object' ? { ok: true, value } : parsePortShort(value, NOWHERE)))),
        { invalid_type_error: 'expected a list of ports' },
      )
      .optional(),
    volumes: z
      .array(
        z
          .union([z.string(), volumeLong], { errorMap: () => ({ message: 'expected "SOURCE:TARGET[:ro]" or { type, source, target }' }) })
          .superRefine(check((value) => (typeof value === 'string' ? parseVolumeShort(value, '/', NOWHERE) : { ok: true, value }))),
        {
        invalid_type_error: 'expected a list of volumes',
      })
      .optional(),
    networks: z
      .union([stringList('a list of network names'), z.record(networkAttachment)], {
        errorMap: () => ({ message: 'expected a list of network names or a map of network → { aliases }' }),
      })
      .optional(),
    depends_on: z
      .union([stringList('a list of service names'), z.record(dependencyObject)], {
        errorMap: () => ({ message: 'expected a list of service names or a map of service → { condition }' }),
      })
      .optional(),
    readiness: readinessSchema.optional(),
    start_timeout: duration.optional(),
    restart: z
      .union([z.string(), z.literal(false)], { errorMap: () => ({ message: 'expected no, always, on-failure[:max] or unless-stopped' }) })
      .superRefine(check(parseRestart))
      .optional(),
    restart_dependents: z.boolean({ invalid_type_error: 'expected true or false' }).optional(),
    secrets: varList.optional(),
    requires_env: varList.optional(),
    profiles: stringList().optional(),
    // Checked by config/develop-watch.ts, the parser compose files share.
    develop: z.unknown().optional(),
    description: z.string().optional(),
  })
  .strict();

const namedResource = z
  .object({
    external: z.boolean({ invalid_type_error: 'expected true or false' }).optional(),
    name: z.string().optional(),
    driver: z.string().optional(),
    driver_opts: z.record(z.unknown()).optional(),
    labels: z.unknown().optional(),
    internal: z.boolean().optional(),
  })
  .strict()
  .nullable();

export const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const STACK_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export const stackSchema = z
  .object(
    {
      stackctl: z.unknown().optional(),
      name: z
        .string({ required_error: 'missing required key `name`', invalid_type_error: 'expected the stack name as a string' })
        .regex(STACK_NAME, 'the stack name must be lower case letters, digits, `-` and `_`, starting with a letter or digit'),
      env_file: stringOrList().optional(),
      thresholds: z
        .object({
          success_rate: z.number({ invalid_type_error: 'expected a percentage' }).min(0).max(100).optional(),
          avg_response_ms: z.number({ invalid_type_error: 'expected milliseconds' }).positive().optional(),
          error_rate: z.number({ invalid_type_error: 'expected a percentage' }).min(0).max(100).optional(),
        })
        .strict()
        .optional(),
      suite: str('a path to the suite file').optional(),
      diagnose: z
        .object({
          module_hints: z
            .array(
              z
                .object({
                  modules: z.array(z.string({ invalid_type_error: 'expected a module name' }), { invalid_type_error: 'expected a list of module names' }).min(1),
                  hint: str('the hint, with {module} and {service} where they belong'),
                })
                .strict(),
              { invalid_type_error: 'expected a list of { modules, hint }' },
            )
            .optional(),
        })
        .strict()
        .optional(),
      secret_names: z
        .object({
          add: z.array(z.string({ invalid_type_error: 'expected a variable name or a glob such as *_SIGNING_SALT' })).optional(),
          exempt: z.array(z.string({ invalid_type_error: 'expected a variable name or a glob such as PUBLIC_*' })).optional(),
        })
        .strict()
        .optional(),
      volumes: z.record(namedResource, { invalid_type_error: 'expected a map of volume names' }).optional(),
      networks: z.record(namedResource, { invalid_type_error: 'expected a map of network names' }).optional(),
      services: z.record(
        z.string().regex(SERVICE_NAME, 'a service name is letters, digits, `.`, `-` and `_`, starting with a letter or digit'),
        serviceSchema,
        { required_error: 'missing required key `services`', invalid_type_error: 'expected a map of services' },
      ),
    },
    { invalid_type_error: 'expected a mapping with `name` and `services`' },
  )
  .strict();

export type StackDocument = z.infer<typeof stackSchema>;
export type ServiceDocument = z.infer<typeof serviceSchema>;
export type ReadinessDocument = z.infer<typeof readinessSchema>;
export type ProbeTemplateDocument = z.infer<typeof probeTemplateSchema>;
export type BuildDocument = z.infer<typeof buildObject>;

/** Keys stack.yaml accepts in a service and nowhere in compose — they mark a file as stack.yaml. */
export const STACKCTL_ONLY_SERVICE_KEYS = ['readiness', 'requires_env', 'start_timeout', 'restart_dependents'] as const;

/**
 * Removes `x-*` extension keys (they exist for YAML anchors) at the levels compose allows them: the top
 * level and each service. Other maps (environment, headers) keep every key.
 */
export function stripExtensions(value: unknown): unknown {
  const strip = (item: unknown): unknown =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).filter(([key]) => !key.startsWith('x-')))
      : item;
  const top = strip(value);
  if (top === null || typeof top !== 'object' || Array.isArray(top)) return top;
  const services = (top as Record<string, unknown>).services;
  if (services === null || typeof services !== 'object' || Array.isArray(services)) return top;
  return {
    ...top,
    services: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, strip(service)])),
  };
}
