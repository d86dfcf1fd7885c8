/**
 * Pure helpers that turn the syntaxes stack.yaml shares with compose into model values: durations,
 * port and volume short/long syntax, environment map/list, shell-split commands, restart policies,
 * "did you mean" suggestions. Each parser returns either a value or an error message (never throws),
 * so a caller can attach the message to the location it came from. Used by load-stack.ts and by
 * src/compose/.
 */
import path from 'node:path';
import type { PortMapping, RestartPolicy, VolumeMount } from './model.js';
import type { SourceLocation } from '../errors.js';
import { isRecord } from '../is-record.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

const DURATION_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `1m30s`, `1.5s`, `2h`, or a number (of seconds) → milliseconds. */
export function parseDuration(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? ok(Math.round(input * 1000)) : fail(`invalid duration ${input}`);
  }
  if (typeof input !== 'string') return fail('expected a duration such as 30s, 1m30s or 500ms');
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return ok(Math.round(Number(text) * 1000));
  const re = /(\d+(?:\.\d+)?)(us|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
    matched = re.lastIndex;
  }
  if (text.length === 0 || matched !== text.length) {
    return fail(`invalid duration "${input}": expected e.g. 30s, 1m30s, 500ms or 2h`);
  }
  return ok(Math.round(total));
}

/** A port number 1–65535 from a number or numeric string. */
export function parsePortNumber(input: unknown): Parsed<number> {
  const n = typeof input === 'string' && /^\d+$/.test(input.trim()) ? Number(input.trim()) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    return fail(`invalid port ${JSON.stringify(input)}: expected a number from 1 to 65535`);
  }
  return ok(n);
}

function parsePortRange(text: string): Parsed<number[]> {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return fail(`invalid port "${text}"`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) return fail(`invalid port range "${text}"`);
  if (end - start > 1000) return fail(`port range "${text}" is too large (more than 1000 ports)`);
  return ok(Array.from({ length: end - start + 1 }, (_, i) => start + i));
}

/**
 * Compose short syntax `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]` (IPv6 host in
 * brackets), or a bare number. Ranges expand to one mapping per port.
 */
export function parsePortShort(input: string | number, location: SourceLocation): Parsed<PortMapping[]> {
  if (typeof input === 'number') {
    const port = parsePortNumber(input);
    return port.ok ? ok([{ target: port.value, protocol: 'tcp', location }]) : fail(port.error);
  }
  let text = input.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const proto = text.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') return fail(`invalid protocol "${proto}" in port "${input}": expected tcp or udp`);
    protocol = proto;
    text = text.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (v6) {
    hostIp = v6[1];
    text = v6[2]!;
  }
  const parts = text.split(':');
  if (!hostIp && parts.length === 3) {
    hostIp = parts.shift();
  }
  if (parts.length > 2 || parts.length === 0) {
    return fail(`invalid port "${input}": expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`);
  }
  const containerText = parts.pop()!;
  const hostText = parts.pop();
  const targets = parsePortRange(containerText);
  if (!targets.ok) return fail(`${targets.error} in "${input}"`);
  let published: Array<number | undefined> = targets.value.map(() => undefined);
  if (hostText !== undefined && hostText !== '') {
    const hosts = parsePortRange(hostText);
    if (!hosts.ok) return fail(`${hosts.error} in "${input}"`);
    if (hosts.value.length === 1 && targets.value.length > 1) {
      return fail(`invalid port "${input}": a single host port cannot publish a range of container ports`);
    }
    if (hosts.value.length !== targets.value.length && targets.value.length !== 1) {
      return fail(`invalid port "${input}": the host and container ranges differ in length`);
    }
    published = hosts.value.length === targets.value.length ? hosts.value : [hosts.value[0]];
  }
  if (hostIp !== undefined && hostIp.length === 0) hostIp = undefined;
  return ok(
    targets.value.map((target, i) => {
      const mapping: PortMapping = { target, protocol, location };
      if (hostIp !== undefined) mapping.hostIp = hostIp;
      if (published[i] !== undefined) mapping.published = published[i];
      return mapping;
    }),
  );
}

/** Compose long syntax `{ target, published?, host_ip?, protocol? }`. */
export function parsePortLong(
  input: { target: unknown; published?: unknown; host_ip?: unknown; protocol?: unknown },
  location: SourceLocation,
): Parsed<PortMapping[]> {
  const target = parsePortNumber(input.target);
  if (!target.ok) return fail(`target: ${target.error}`);
  const mapping: PortMapping = { target: target.value, protocol: 'tcp', location };
  if (input.protocol !== undefined) {
    if (input.protocol !== 'tcp' && input.protocol !== 'udp') return fail(`protocol: expected tcp or udp`);
    mapping.protocol = input.protocol;
  }
  if (input.host_ip !== undefined && input.host_ip !== '') {
    if (typeof input.host_ip !== 'string') return fail('host_ip: expected a string');
    mapping.hostIp = input.host_ip;
  }
  if (input.published !== undefined && input.published !== '' && input.published !== null) {
    if (typeof input.published === 'string' && input.published.includes('-')) {
      const range = parsePortRange(input.published);
      if (!range.ok) return fail(`published: ${range.error}`);
      mapping.published = range.value[0];
    } else {
      const published = parsePortNumber(input.published);
      if (!published.ok) return fail(`published: ${published.error}`);
      mapping.published = published.value;
    }
  }
  return ok([mapping]);
}

/**
 * Compose short volume syntax `[SOURCE:]TARGET[:MODE]`: a source starting with `.`, `/` or `~` is a bind
 * mount (resolved against `dir`), otherwise a named volume; no source = anonymous volume.
 */
export function parseVolumeShort(input: string, dir: string, location: SourceLocation): Parsed<VolumeMount> {
  const parts = input.split(':');
  if (parts.some((p) => p.length === 0) || parts.length > 3) {
    return fail(`invalid volume "${input}": expected [SOURCE:]TARGET[:MODE]`);
  }
  if (parts.length === 1) {
    return checkTarget({ type: 'volume', target: parts[0]!, readOnly: false, location }, input);
  }
  let mode = '';
  if (parts.length === 3) mode = parts[2]!;
  else if (!parts[1]!.startsWith('/')) return fail(`invalid volume "${input}": the container path must be absolute`);
  const modes = mode ? mode.split(',') : [];
  const known = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'cached', 'delegated', 'consistent', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);
  const bad = modes.find((m) => !known.has(m));
  if (bad) return fail(`invalid volume mode "${bad}" in "${input}": expected ro, rw, z, Z, …`);
  const source = parts[0]!;
  const isPath = /^[./~]/.test(source);
  const mount: VolumeMount = {
    type: isPath ? 'bind' : 'volume',
    source: isPath ? resolveHostPath(source, dir) : source,
    target: parts[1]!,
    readOnly: modes.includes('ro'),
    location,
  };
  const options = modes.filter((m) => m !== 'ro' && m !== 'rw');
  if (options.length > 0) mount.options = options;
  return checkTarget(mount, input);
}

/** Compose long volume syntax. */
export function parseVolumeLong(
  input: { type?: unknown; source?: unknown; target?: unknown; read_only?: unknown; bind?: unknown; volume?: unknown },
  dir: string,
  location: SourceLocation,
): Parsed<VolumeMount> {
  const type = input.type ?? (typeof input.source === 'string' && /^[./~]/.test(input.source) ? 'bind' : 'volume');
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') return fail(`type: expected volume, bind or tmpfs, got ${JSON.stringify(type)}`);
  if (typeof input.target !== 'string' || input.target.length === 0) return fail('target: expected the container path');
  const mount: VolumeMount = { type, target: input.target, readOnly: input.read_only === true, location };
  const options = longSyntaxOptions(input);
  if (options.length > 0) mount.options = options;
  if (typeof input.source === 'string' && input.source.length > 0 && type !== 'tmpfs') {
    mount.source = type === 'bind' ? resolveHostPath(input.source, dir) : input.source;
  } else if (type === 'bind') {
    return fail('source: a bind mount needs a host path');
  }
  return checkTarget(mount, JSON.stringify(input));
}

/** bind.propagation, bind.selinux and volume.nocopy as the short syntax's mode flags. */
function longSyntaxOptions(input: { bind?: unknown; volume?: unknown }): string[] {
  const options: string[] = [];
  const bind = isRecord(input.bind) ? input.bind : {};
  const volume = isRecord(input.volume) ? input.volume : {};
  if (typeof bind.selinux === 'string' && (bind.selinux === 'z' || bind.selinux === 'Z')) options.push(bind.selinux);
  if (typeof bind.propagation === 'string' && PROPAGATION.has(bind.propagation)) options.push(bind.propagation);
  if (volume.nocopy === true) options.push('nocopy');
  return options;
}

const PROPAGATION = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);

function checkTarget(mount: VolumeMount, input: string): Parsed<VolumeMount> {
  if (!mount.target.startsWith('/')) return fail(`invalid volume "${input}": the container path "${mount.target}" must be absolute`);
  return ok(mount);
}

export function resolveHostPath(input: string, dir: string): string {
  if (input === '~' || input.startsWith('~/')) return path.join(process.env.HOME ?? '/', input.slice(1));
  return path.resolve(dir, input);
}

/**
 * Environment as a map (`KEY: value`, value null = taken from `env` when set) or a list (`KEY=value`,
 * bare `KEY` = taken from `env`). Returns the entries in order with their index/key for locating.
 */
export function environmentEntries(
  input: Record<string, unknown> | unknown[],
  env: Readonly<Record<string, string | undefined>>,
): Array<{ name: string; value?: string; at: string | number; error?: string }> {
  const out: Array<{ name: string; value?: string; at: string | number; error?: string }> = [];
  const scalar = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : typeof v === 'object' ? undefined : String(v));
  if (Array.isArray(input)) {
    input.forEach((item, index) => {
      if (typeof item !== 'string') {
        out.push({ name: '', at: index, error: 'expected "KEY=value"' });
        return;
      }
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq);
      if (!/^[^\s=]+$/.test(name)) {
        out.push({ name, at: index, error: `invalid variable name "${name}" in "${item}"` });
        return;
      }
      const value = eq < 0 ? env[name] : item.slice(eq + 1);
      out.push(value === undefined ? { name, at: index } : { name, value, at: index });
    });
    return out;
  }
  for (const [name, raw] of Object.entries(input)) {
    if (raw !== null && typeof raw === 'object') {
      out.push({ name, at: name, error: 'expected a string, number or boolean value' });
      continue;
    }
    const value = raw === null || raw === undefined ? env[name] : scalar(raw);
    out.push(value === undefined ? { name, at: name } : { name, value, at: name });
  }
  return out;
}

/** POSIX-shell-like word splitting (quotes and backslashes), as compose does for string commands. */
export function shellSplit(input: string): Parsed<string[]> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < input.length && '"\\$`'.includes(input[i + 1]!)) word += input[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < input.length) {
      word += input[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return fail(`unterminated ${quote} quote in "${input}"`);
  if (inWord) words.push(word);
  return ok(words);
}

/** `no` | `always` | `on-failure[:max]` | `unless-stopped`. */
export function parseRestart(input: unknown): Parsed<RestartPolicy> {
  if (input === false) return ok({ name: 'no' });
  if (typeof input !== 'string') return fail('expected no, always, on-failure[:max] or unless-stopped');
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(input.trim());
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    return fail(`invalid restart policy "${input}": expected no, always, on-failure[:max] or unless-stopped`);
  }
  const policy: RestartPolicy = { name: m[1] as RestartPolicy['name'] };
  if (m[2] !== undefined) policy.maxRetries = Number(m[2]);
  return ok(policy);
}

/** Levenshtein distance, bounded: returns `max + 1` as soon as the distance exceeds `max`. */
export function editDistance(a: string, b: string, max = 10): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(value);
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate to `word`, when it is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase(), limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
