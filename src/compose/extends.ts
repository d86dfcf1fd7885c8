/**
 * `extends` resolution (same file and other files), following the compose specification's merge
 * rules: mappings merge (the extending service wins), `command`/`entrypoint`/`healthcheck.test` are
 * replaced, `ports`/`env_file`/… append, `volumes` merge by container path. A base service from another
 * file keeps its own directory for relative paths (they are made absolute before merging).
 * Every resolved service remembers where each of its keys was written (`ServiceOrigin`).
 */
import { existsSync } from 'node:fs';
import { ALLOWED_PATHS_VARIABLE, insideProject, projectRoot, readInputFileSync } from '../config/read-input.js';
import { notAStackFile, STACK_FILE_KEYS } from '../config/stack-file-shape.js';
import path from 'node:path';
import type { SourceLocation } from '../errors.js';
import type { VariableReference } from '../config/model.js';
import type { Diagnostic } from '../diagnostic.js';
import { parseYamlSource, type KeyPath, type YamlSource } from '../config/yaml-source.js';
import { interpolateTree, type Environment } from '../config/interpolate.js';
import { resolveHostPath } from '../config/normalize.js';
import { isRecord } from '../is-record.js';

/** How many services one `extends` chain may pass through (docs/security.md, input limits). */
export const MAX_EXTENDS_DEPTH = 64;

export interface ServiceOrigin {
  source: YamlSource;
  /** Path of the service in its source, e.g. ['services','api']. */
  path: KeyPath;
  /** Directory relative paths of this definition resolve against. */
  dir: string;
  /** The definition as written (interpolated), before merging. */
  own: Record<string, unknown>;
  base?: ServiceOrigin;
}

export interface ResolvedService {
  name: string;
  value: Record<string, unknown>;
  origin: ServiceOrigin;
}

export interface ExtendsResult {
  services: ResolvedService[];
  /** Services whose `extends` could not be resolved (reported as COMPOSE003). */
  failed: Set<string>;
  references: VariableReference[];
  diagnostics: Diagnostic[];
}

/**
 * Location of `sub` (a key path inside the service) in the definition that wrote it: for an item of a
 * merged list, the definition whose list holds that item (`merged` is the merged service); else the
 * first definition, from the top, that writes the whole path; else the first that writes its head.
 */
export function locateInService(origin: ServiceOrigin, sub: KeyPath, key = false, merged?: Record<string, unknown>): SourceLocation {
  const at = (layer: ServiceOrigin, path: KeyPath): SourceLocation => {
    const full = [...layer.path, ...path];
    return key ? layer.source.locateKey(full) : layer.source.locate(full);
  };
  const layers: ServiceOrigin[] = [];
  for (let current: ServiceOrigin | undefined = origin; current; current = current.base) layers.push(current);
  const head = sub[0];
  if (head === undefined) return at(origin, sub);
  const listAt = sub.findIndex((segment) => typeof segment === 'number');
  if (merged && listAt > 0 && layers.length > 1) {
    const item = JSON.stringify(valueAt(merged, sub.slice(0, listAt + 1)));
    const listPath = sub.slice(0, listAt);
    for (const layer of layers) {
      const list = valueAt(layer.own, listPath);
      const index = Array.isArray(list) ? list.findIndex((candidate) => JSON.stringify(candidate) === item) : -1;
      if (index >= 0) return at(layer, [...listPath, index, ...sub.slice(listAt + 1)]);
    }
  }
  if (layers.length > 1) {
    for (const layer of layers) {
      const written = concretePath(layer.own, sub);
      if (written) return at(layer, written);
    }
  }
  for (const layer of layers) if (typeof head === 'string' && head in layer.own) return at(layer, sub);
  return key ? origin.source.locateKey(origin.path) : origin.source.locate(origin.path);
}

function valueAt(value: unknown, path: KeyPath): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && typeof segment === 'string') current = current[segment];
    else return undefined;
  }
  return current;
}

/**
 * `path` as written in `value`, or undefined when `value` does not write it. A name inside a
 * `KEY=value` list (environment, labels in list form, merged as a mapping) becomes the item's index.
 */
function concretePath(value: unknown, path: KeyPath): KeyPath | undefined {
  let current = value;
  const out: Array<string | number> = [];
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number' && segment < current.length) {
      current = current[segment];
      out.push(segment);
    } else if (isRecord(current) && typeof segment === 'string' && segment in current) {
      current = current[segment];
      out.push(segment);
    } else if (Array.isArray(current) && typeof segment === 'string') {
      const index = current.findIndex((item) => item === segment || (typeof item === 'string' && item.startsWith(`${segment}=`)));
      if (index < 0) return undefined;
      current = current[index];
      out.push(index);
    } else return undefined;
  }
  return out;
}

interface LoadedFile {
  source: YamlSource;
  services: Record<string, unknown>;
  dir: string;
}

export function resolveExtends(
  main: { source: YamlSource; services: Record<string, unknown>; dir: string; cwd?: string },
  env: Environment,
  skip: (path: KeyPath) => boolean,
): ExtendsResult {
  const diagnostics: Diagnostic[] = [];
  const references: VariableReference[] = [];
  const files = new Map<string, LoadedFile | undefined>();
  const mainFile: LoadedFile = { source: main.source, services: main.services, dir: main.dir };
  files.set(path.resolve(main.source.file), mainFile);
  const failed = new Set<string>();
  const done = new Map<string, { value: Record<string, unknown>; origin: ServiceOrigin } | undefined>();
  const poisoned = new Set<string>();

  const loadFile = (file: string, from: SourceLocation, service: string): LoadedFile | undefined => {
    const absolute = path.resolve(file);
    if (files.has(absolute)) return files.get(absolute);
    const refuse = (message: string, hint: string): undefined => {
      diagnostics.push({ code: 'COMPOSE003', severity: 'error', service, location: from, message, hint });
      files.set(absolute, undefined);
      return undefined;
    };
    if (existsSync(absolute) && !insideProject(absolute, main.dir, env, main.cwd)) {
      return refuse(`extends: file ${absolute} is outside the project (${projectRoot(main.dir)}); stackctl reads referenced files only inside it`, `move it into the project, or allow its directory with ${ALLOWED_PATHS_VARIABLE}=${path.dirname(absolute)}`);
    }
    const read = readInputFileSync(absolute, env);
    if (!read.ok) return refuse(`extends: file ${absolute} cannot be read: ${read.reason}`, 'fix the `file:` path (it is relative to the file that names it)');
    const source = parseYamlSource(read.text, absolute);
    const notStack = notAStackFile(source, STACK_FILE_KEYS, 'a compose file');
    if (notStack) return refuse(`extends: ${notStack}`, 'extend a service of a compose file');
    for (const d of source.diagnostics) diagnostics.push({ ...d, service });
    const interpolated = interpolateTree(source.value, env, source, { skip, serviceOf: () => service });
    references.push(...interpolated.references);
    diagnostics.push(...interpolated.diagnostics);
    const value = interpolated.value;
    const services = isRecord(value) && isRecord(value.services) ? value.services : {};
    const loaded: LoadedFile = { source, services, dir: path.dirname(absolute) };
    files.set(absolute, loaded);
    return loaded;
  };

  const resolve = (file: LoadedFile, name: string, chain: string[], from: SourceLocation, owner: string): { value: Record<string, unknown>; origin: ServiceOrigin } | undefined => {
    const id = `${file.source.file}#${name}`;
    if (done.has(id)) return done.get(id);
    if (chain.includes(id)) {
      const members = [...chain.slice(chain.indexOf(id)), id].map((entry) => entry.split('#')[1] ?? '');
      const cycle = members.join(' → ');
      if (file === mainFile) for (const member of members) failed.add(member);
      failed.add(owner);
      diagnostics.push({ code: 'COMPOSE003', severity: 'error', service: name, location: file.source.locate(['services', name, 'extends']), message: `extends cycle: ${cycle}`, hint: 'a service cannot extend itself, directly or through others' });
      return undefined;
    }
    if (chain.length >= MAX_EXTENDS_DEPTH) {
      failed.add(owner);
      // Every service on this chain is unresolvable: none may pass for resolved without its bases.
      for (const member of chain) poisoned.add(member);
      diagnostics.push({ code: 'COMPOSE003', severity: 'error', service: owner, location: from, message: `extends: the chain from \`${owner}\` is deeper than ${MAX_EXTENDS_DEPTH} services (the limit); stopped at \`${name}\``, hint: 'flatten the chain: let services extend one shared base instead of each other' });
      return undefined;
    }
    const raw = file.services[name];
    if (!isRecord(raw)) {
      failed.add(owner);
      const known = Object.keys(file.services);
      diagnostics.push({
        code: 'COMPOSE003',
        severity: 'error',
        service: owner,
        location: from,
        message: `extends: no service \`${name}\` in ${file === mainFile ? 'this file' : file.source.file}`,
        hint: known.length > 0 ? `services there: ${known.join(', ')}` : 'check the service name',
      });
      return undefined;
    }
    const own = file === mainFile ? raw : rebase(raw, file.dir);
    const origin: ServiceOrigin = { source: file.source, path: ['services', name], dir: file.dir, own: raw };
    let value: Record<string, unknown> = { ...own };
    const ext = raw.extends;
    if (ext !== undefined) {
      delete value.extends;
      const target = typeof ext === 'string' ? { service: ext } : isRecord(ext) ? ext : undefined;
      const extLocation = file.source.locate(['services', name, 'extends']);
      if (!target || typeof target.service !== 'string') {
        failed.add(owner);
        diagnostics.push({ code: 'COMPOSE003', severity: 'error', service: owner, location: extLocation, message: 'extends: expected a service name or { service, file }', hint: 'write `extends: base` or `extends: { file: common.yml, service: base }`' });
      } else {
        const baseFile = typeof target.file === 'string' ? loadFile(path.resolve(file.dir, target.file), extLocation, owner) : file;
        const base = baseFile ? resolve(baseFile, target.service, [...chain, id], extLocation, owner) : undefined;
        if (base) {
          value = applyMergeTags(mergeService(base.value, value), value, file.source, name);
          origin.base = base.origin;
        }
      }
    }
    if (poisoned.has(id)) {
      done.set(id, undefined);
      if (file === mainFile) failed.add(name);
      return undefined;
    }
    const result = { value, origin };
    done.set(id, result);
    return result;
  };

  const services: ResolvedService[] = [];
  for (const [name, raw] of Object.entries(main.services)) {
    if (!isRecord(raw)) continue;
    const resolved = resolve(mainFile, name, [], main.source.locate(['services', name]), name);
    if (resolved) services.push({ name, value: resolved.value, origin: resolved.origin });
    else services.push({ name, value: withoutExtends(raw), origin: { source: main.source, path: ['services', name], dir: main.dir, own: raw } });
  }
  return { services, failed, references, diagnostics };
}

function withoutExtends(raw: Record<string, unknown>): Record<string, unknown> {
  const { extends: _ignored, ...rest } = raw;
  return rest;
}

/** Makes the relative host paths of a definition from another file absolute. */
function rebase(service: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...service };
  const abs = (value: unknown): unknown => (typeof value === 'string' && /^[.~]/.test(value) ? resolveHostPath(value, dir) : typeof value === 'string' && !path.isAbsolute(value) && !value.includes('://') ? path.resolve(dir, value) : value);
  if (typeof out.build === 'string') out.build = abs(out.build);
  else if (isRecord(out.build)) out.build = { ...out.build, context: abs(out.build.context ?? '.') };
  if (typeof out.env_file === 'string') out.env_file = abs(out.env_file);
  else if (Array.isArray(out.env_file)) out.env_file = out.env_file.map((entry) => (isRecord(entry) ? { ...entry, path: abs(entry.path) } : abs(entry)));
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((volume) => {
      if (typeof volume === 'string' && /^[.~]/.test(volume)) {
        const colon = volume.indexOf(':');
        return colon < 0 ? volume : `${resolveHostPath(volume.slice(0, colon), dir)}${volume.slice(colon)}`;
      }
      if (isRecord(volume) && volume.type === 'bind' && typeof volume.source === 'string') return { ...volume, source: resolveHostPath(volume.source, dir) };
      return volume;
    });
  }
  return out;
}

const REPLACED = new Set(['command', 'entrypoint', 'profiles', 'image', 'restart']);
const APPENDED = new Set(['ports', 'expose', 'dns', 'dns_search', 'env_file', 'tmpfs', 'cap_add', 'cap_drop', 'external_links', 'links', 'security_opt', 'devices', 'configs', 'secrets']);
const MAPS = new Set(['environment', 'labels', 'depends_on', 'networks', 'extra_hosts', 'sysctls', 'annotations']);

/** Compose's merge of an extending service (`own`) over its base. */
export function mergeService(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const previous = out[key];
    if (previous === undefined || value === null || REPLACED.has(key)) out[key] = value;
    else if (MAPS.has(key)) out[key] = { ...toMap(previous, key), ...toMap(value, key) };
    else if (APPENDED.has(key)) out[key] = dedupe([...toList(previous), ...toList(value)]);
    else if (key === 'volumes') out[key] = mergeVolumes(toList(previous), toList(value));
    else if (key === 'build') out[key] = mergeBuild(previous, value);
    else if (isRecord(previous) && isRecord(value)) out[key] = { ...previous, ...value };
    else out[key] = value;
  }
  return out;
}

function toList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function toMap(value: unknown, key: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (!Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const item of value) {
    if (typeof item !== 'string') continue;
    if (key === 'environment' || key === 'labels' || key === 'sysctls' || key === 'annotations') {
      const eq = item.indexOf('=');
      out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? null : item.slice(eq + 1);
    } else if (key === 'extra_hosts') {
      const sep = item.search(/[=:]/);
      out[sep < 0 ? item : item.slice(0, sep)] = sep < 0 ? '' : item.slice(sep + 1);
    } else {
      out[item] = key === 'depends_on' ? { condition: 'service_started' } : null;
    }
  }
  return out;
}

function dedupe(items: unknown[]): unknown[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function volumeTarget(volume: unknown): string | undefined {
  if (isRecord(volume)) return typeof volume.target === 'string' ? volume.target : undefined;
  if (typeof volume !== 'string') return undefined;
  const parts = volume.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

function mergeVolumes(base: unknown[], own: unknown[]): unknown[] {
  const targets = new Set(own.map(volumeTarget).filter((t): t is string => t !== undefined));
  return [...base.filter((volume) => !targets.has(volumeTarget(volume) ?? '\0')), ...own];
}

function mergeBuild(base: unknown, own: unknown): unknown {
  const b = typeof base === 'string' ? { context: base } : isRecord(base) ? base : {};
  const o = typeof own === 'string' ? { context: own } : isRecord(own) ? own : {};
  const merged: Record<string, unknown> = { ...b, ...o };
  if (b.args !== undefined || o.args !== undefined) merged.args = { ...toMap(b.args, 'environment'), ...toMap(o.args, 'environment') };
  return merged;
}
/**
 * compose's merge tags in the file being merged: `!reset` removes the value the earlier files gave
 * (`ports: !reset []`), `!override` replaces it instead of merging (`environment: !override {…}`).
 */
export function applyMergeTags(merged: Record<string, unknown>, own: Record<string, unknown>, source: YamlSource, name: string): Record<string, unknown> {
  const tags = source.mergeTags?.() ?? [];
  for (const { tag, path: tagPath } of tags) {
    if (tagPath[0] !== 'services' || tagPath[1] !== name || tagPath.length < 3) continue;
    const sub = tagPath.slice(2);
    const parent = valueAtPath(merged, sub.slice(0, -1));
    const last = sub[sub.length - 1]!;
    if (!isRecord(parent) || typeof last !== 'string') continue;
    if (tag === 'reset') delete parent[last];
    else parent[last] = valueAtPath(own, sub);
  }
  return merged;
}

function valueAtPath(value: unknown, keyPath: KeyPath): unknown {
  let current = value;
  for (const segment of keyPath) current = isRecord(current) ? current[String(segment)] : Array.isArray(current) && typeof segment === 'number' ? current[segment] : undefined;
  return current;
}
