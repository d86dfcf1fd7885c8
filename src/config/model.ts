/**
 * The normalised stack graph every other module works on. Both stack.yaml and docker-compose files
 * load into this one shape (src/config/load-stack.ts, src/compose/load-compose.ts); validation,
 * planning, the engine, the suite and the daemon read it and never look at YAML again.
 *
 * All paths are absolute. Every element keeps the location it came from so a finding can say
 * `file:line:col`.
 */
import type { SecretNamePolicy } from '../secret-names.js';
import type { SourceLocation } from '../errors.js';

export type StackFormat = 'stackctl' | 'compose';

export type DependencyCondition = 'started' | 'ready' | 'completed';

/** compose's names for the dependency conditions (`depends_on: {db: {condition: service_healthy}}`). */
const COMPOSE_CONDITIONS = new Map<string, DependencyCondition>([
  ['service_started', 'started'],
  ['service_healthy', 'ready'],
  ['service_completed_successfully', 'completed'],
]);

/** The condition a compose name means; undefined for anything else. */
export function composeCondition(name: string): DependencyCondition | undefined {
  return COMPOSE_CONDITIONS.get(name);
}

/** The condition a stack.yaml name means: stackctl's own names, or compose's (both are accepted). */
export function dependencyCondition(name: string): DependencyCondition | undefined {
  return name === 'started' || name === 'ready' || name === 'completed' ? name : composeCondition(name);
}

export interface Dependency {
  service: string;
  condition: DependencyCondition;
  /** True when the condition was written out (compose's `condition: service_started` is a choice). */
  explicit?: boolean;
  /** compose's `required: false`: a missing dependency is tolerated. */
  required: boolean;
  location: SourceLocation;
}

export interface PortMapping {
  /** Host interface; stackctl publishes on 127.0.0.1 when the file does not say. */
  hostIp?: string;
  /** Host port; undefined means an ephemeral port chosen by the engine. */
  published?: number;
  target: number;
  protocol: 'tcp' | 'udp';
  location: SourceLocation;
}

export interface VolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Named volume, or absolute host path for binds; undefined for anonymous volumes and tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
  /**
   * The mode flags besides ro/rw, as compose writes them (`z`, `Z`, `rslave`, `cached`, `nocopy`, …;
   * the long syntax's bind.propagation, bind.selinux and volume.nocopy become the same flags).
   * Absent when there are none, so a mount without flags hashes as it always did.
   */
  options?: string[];
  location: SourceLocation;
}

export interface NetworkAttachment {
  name: string;
  aliases: string[];
  location: SourceLocation;
}

export interface BuildSpec {
  /** Absolute path of the build context directory. */
  context: string;
  /** Absolute path of the Dockerfile (undefined when `dockerfileInline` is used). */
  dockerfile?: string;
  dockerfileInline?: string;
  args: Record<string, string>;
  target?: string;
  /** name → absolute path (or `docker-image://…` / `service:…` as written). */
  additionalContexts: Record<string, string>;
  location: SourceLocation;
}

export interface StatusRange {
  min: number;
  max: number;
}

export type ProbeSpec =
  | { kind: 'tcp'; port: number }
  | {
      kind: 'http';
      port: number;
      path: string;
      method: string;
      headers: Record<string, string>;
      status: StatusRange;
      /** Regular expression the body must match. */
      body?: string;
      /** JSON fields (dot paths) and the values they must equal. */
      json?: Record<string, unknown>;
    }
  | { kind: 'postgres'; port: number; user: string; password: string; database: string }
  | { kind: 'redis'; port: number; password?: string }
  | { kind: 'exec'; command: string[] }
  | { kind: 'log'; pattern: string };

export type ProbeKind = ProbeSpec['kind'];

export interface Readiness {
  probe: ProbeSpec;
  /** Deadline for the probe to pass, from the container's start. */
  timeoutMs: number;
  location: SourceLocation;
}

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** For on-failure[:max]. */
  maxRetries?: number;
}

export interface Service {
  name: string;
  location: SourceLocation;
  image?: string;
  build?: BuildSpec;
  command?: string[];
  entrypoint?: string[];
  /** Final environment after env_file + environment merging and interpolation. */
  environment: Record<string, string>;
  /** Where each environment key was set (for findings). */
  environmentLocations: Record<string, SourceLocation>;
  envFiles: string[];
  ports: PortMapping[];
  volumes: VolumeMount[];
  networks: NetworkAttachment[];
  dependsOn: Dependency[];
  readiness?: Readiness;
  startTimeoutMs: number;
  restart: RestartPolicy;
  restartDependents: boolean;
  /** Names of variables whose values are secret. */
  secrets: string[];
  requiresEnv: string[];
  profiles: string[];
  /** `develop.watch`: what `stackctl watch` does when files change (compose's syntax). */
  watch?: WatchRule[];
  /**
   * Compose input only: the healthcheck as written (after interpolation), so compose-specific rules can
   * judge the command docker would run inside the image (e.g. `curl` in an image without curl).
   */
  healthcheck?: ComposeHealthcheck;
  /** Compose input only: `network_mode` as written (`host`, `service:vpn`, `none`, …). */
  networkMode?: string;
  /** Compose input only: host names `extra_hosts` adds to /etc/hosts. */
  extraHosts?: string[];
  /** Compose input only: container ports declared by `expose`. */
  expose?: number[];
}

export type WatchAction = 'sync' | 'sync+restart' | 'rebuild';

/** One `develop.watch` entry: files under `path` (absolute) changed → `action`. */
export interface WatchRule {
  path: string;
  action: WatchAction;
  /** Container directory the files of `path` are copied to (sync actions). */
  target?: string;
  /** Patterns relative to `path`, in .dockerignore syntax. */
  ignore: string[];
  location: SourceLocation;
}

export interface ComposeHealthcheck {
  /** The `test` as written: `['CMD', …]`, `['CMD-SHELL', '…']`, or a string (= CMD-SHELL). */
  test: string[] | string;
  location: SourceLocation;
}

export interface Thresholds {
  /** Percent; overall success rate must be greater. */
  successRate: number;
  avgResponseMs: number;
  /** Percent. */
  errorRate: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { successRate: 95, avgResponseMs: 500, errorRate: 5 };
export const DEFAULT_START_TIMEOUT_MS = 120_000;

/** Services some dependent waits on with `condition: completed`: one-shot jobs, done when they exit 0. */
export function awaitedJobs(stack: Pick<Stack, 'services'>): Set<string> {
  return new Set(stack.services.flatMap((service) => service.dependsOn.filter((dep) => dep.condition === 'completed').map((dep) => dep.service)));
}

/** A service with nothing set but its name and place: what both loaders start from and fill in. */
export function emptyService(name: string, location: SourceLocation): Service {
  return {
    name,
    location,
    environment: {},
    environmentLocations: {},
    envFiles: [],
    ports: [],
    volumes: [],
    networks: [],
    dependsOn: [],
    startTimeoutMs: DEFAULT_START_TIMEOUT_MS,
    restart: { name: 'no' },
    restartDependents: false,
    secrets: [],
    requiresEnv: [],
    profiles: [],
  };
}

/** One `${VAR}` occurrence in the file, as written and as resolved. */
export interface VariableReference {
  name: string;
  /** The whole expression as written, e.g. `${REDIS_PASSWORD:-}`. */
  expression: string;
  /** Key path in the document, e.g. ['services','redis','command']. */
  path: Array<string | number>;
  /** Service the reference belongs to, when under `services.<name>`. */
  service?: string;
  location: SourceLocation;
  /** Value the variable had (undefined = unset). */
  value?: string;
  /** True when the expression supplied a default that was used. */
  defaulted: boolean;
  /**
   * The operator of `${VAR<op>word}` when there is one (added for validate: a reference with an operator
   * handles the unset case on purpose and is not reported as unset).
   */
  operator?: ':-' | '-' | ':?' | '?' | ':+' | '+';
}

/**
 * What a stack knows of its own modules, for the diagnosis (stack.yaml `diagnose.module_hints`): a
 * "No module named X" for one of `modules` gets `hint`, with {module} and {service} filled in. The
 * core knows no stack's modules.
 */
export interface ModuleHint {
  modules: string[];
  hint: string;
  location: SourceLocation;
}

export interface Stack {
  name: string;
  /** Absolute path of the file the stack was loaded from (the first, when several compose files were merged). */
  file: string;
  /** Every compose file merged into the stack, in order, when there were several (-f a.yml -f b.yml). */
  files?: string[];
  /** Directory relative paths are resolved against. */
  dir: string;
  format: StackFormat;
  /** In file order. */
  services: Service[];
  volumes: Record<string, { external: boolean; location: SourceLocation }>;
  networks: Record<string, { external: boolean; location: SourceLocation }>;
  thresholds: Thresholds;
  /** Absolute path of the integration suite, when the stack names one. */
  suite?: string;
  /** `diagnose.module_hints`: the stack's own modules, for a module-not-found's hint. */
  moduleHints?: ModuleHint[];
  variables: VariableReference[];
  /** Every secret value known at load time (secret vars' values, probe credentials); for redaction. */
  secretValues: string[];
  /** The stack's own `secret_names: { add, exempt }` (docs/security.md); absent: the built-in rules alone. */
  secretNamePolicy?: SecretNamePolicy;
  /**
   * Extra labels on every container, network and volume of the stack (an ephemeral copy's
   * `io.stackctl.ephemeral`, `io.stackctl.expires-at`: src/plan/ephemeral-labels.ts). Not part of the config hash.
   */
  labels?: Record<string, string>;
}

export function serviceByName(stack: Stack, name: string): Service | undefined {
  return stack.services.find((service) => service.name === name);
}
