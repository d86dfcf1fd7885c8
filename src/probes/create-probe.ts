/**
 * ProbeSpec → Probe. One line per kind: adding a kind is one new file and one line here.
 */
import type { ProbeKind, ProbeSpec } from '../config/model.js';
import { AllOfProbe } from './all-of.js';
import { ExecProbe } from './exec.js';
import { HttpProbe } from './http.js';
import { LogProbe } from './log.js';
import { PostgresProbe } from './postgres.js';
import type { Probe } from './probe.js';
import { RedisProbe } from './redis.js';
import type { ProbeOptions } from './support.js';
import { TcpProbe } from './tcp.js';

export type { ProbeOptions } from './support.js';

type Factories = { [K in ProbeKind]: (spec: Extract<ProbeSpec, { kind: K }>, options: ProbeOptions) => Probe };

const FACTORIES: Factories = {
  tcp: (spec, options) => new TcpProbe(spec, options),
  http: (spec, options) => new HttpProbe(spec, options),
  postgres: (spec, options) => new PostgresProbe(spec, options),
  redis: (spec, options) => new RedisProbe(spec, options),
  exec: (spec, options) => new ExecProbe(spec, options),
  log: (spec, options) => new LogProbe(spec, options),
};

export const PROBE_KINDS = Object.keys(FACTORIES) as ProbeKind[];

/** A fresh probe per call: probes keep per-service state (how long an auth failure has lasted). */
export function createProbe(spec: ProbeSpec, options: ProbeOptions = {}): Probe {
  const factory = FACTORIES[spec.kind] as (spec: ProbeSpec, options: ProbeOptions) => Probe;
  return factory(spec, options);
}

/** Several specs that must all pass (one spec gives that probe itself). */
export function createProbes(specs: readonly ProbeSpec[], options: ProbeOptions = {}): Probe {
  const probes = specs.map((spec) => createProbe(spec, options));
  return probes.length === 1 && probes[0] ? probes[0] : new AllOfProbe(probes);
}
