/**
 * What `stackctl diagnose` finds, as one value: the stack, each service's state and what it said,
 * the root causes (joined with validate's findings), and the timeline. `--json` prints it as is;
 * the schema is versioned (DIAGNOSE_SCHEMA_VERSION) and documented in docs/diagnose.md.
 */
import type { EnvEntry } from './environment.js';
import type { FindingRef, RootCauseGroup } from './join.js';
import type { StackSource } from './stacks.js';
import type { TimelineEntry } from './timeline.js';
import type { Diagnosis, RootCause } from './model.js';

export const DIAGNOSE_SCHEMA_VERSION = 1;

export interface PortReport {
  /** hostIp:hostPort->target/protocol */
  mapping: string;
  hostPort: number;
  /** Something accepted a connection on it (undefined: not tried, e.g. the container is not running). */
  answers?: boolean;
}

export interface HealthReport {
  status: string;
  failingStreak: number;
  /** The healthcheck's last outputs, newest last. */
  lastOutputs: string[];
}

export interface ServiceReport {
  service: string;
  container?: string;
  containerId?: string;
  image?: string;
  /** The engine's state, or `missing` (in the file, no container). */
  state: string;
  exitCode?: number;
  oomKilled: boolean;
  restartCount: number;
  restartLoop: boolean;
  restartPolicy?: string;
  memoryLimitBytes?: number;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  health?: HealthReport;
  ports: PortReport[];
  /** Redacted: secret-looking names and URL passwords show ***. */
  environment: EnvEntry[];
  lastLogLines: string[];
  failing: boolean;
  /** A failing service's probe record: attempts, last error and its failure as data (kind, detail, refusal), redacted. */
  probe?: Diagnosis['probe'];
  cause?: RootCause;
}

export interface DiagnoseReport {
  schemaVersion: typeof DIAGNOSE_SCHEMA_VERSION;
  generatedAt: string;
  stack: {
    name: string;
    source: StackSource;
    /** The file validated (compose: found through the labels). */
    file?: string;
    workingDir?: string;
  };
  summary: { services: number; failing: number; rootCauses: number };
  rootCauses: RootCauseGroup[];
  services: ServiceReport[];
  timeline: { since: string; entries: TimelineEntry[] };
  /** Errors and warnings of validate that explain no failure (still worth reading). */
  otherFindings: FindingRef[];
  /** What diagnose could not do (file not found, engine events unavailable, …). */
  notes: string[];
}
