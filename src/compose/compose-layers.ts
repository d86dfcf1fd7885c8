/**
 * A compose project made of several files, merged as docker compose merges them. Each file is a
 * *layer*: interpolated with its project's variables, its `extends` resolved, then merged over the
 * layers before it by the compose specification's merge rules (mergeService in extends.ts: mappings
 * merge, `ports`/`volumes`/`environment`/… merge by key, the later file wins). `include:` adds the
 * included files' layers, each included project with its own directory and `.env`; a service both
 * included and defined here is an error, as in compose. Every merged service keeps a chain of origins
 * (override → base file → extends bases), so a finding points into the file and line that wrote the value.
 *
 *   composeLayers(sources, { env, dir, skip })  → { layers, references, diagnostics }
 *   mergeLayers(layers)                         → { services, top, failed, diagnostics }
 */
import path from 'node:path';
import type { SourceLocation } from '../errors.js';
import type { VariableReference } from '../config/model.js';
import type { Diagnostic } from '../diagnostic.js';
import { parseYamlSource, type KeyPath, type YamlSource } from '../config/yaml-source.js';
import { ALLOWED_PATHS_VARIABLE, insideProject, projectRoot, readInputFileSync } from '../config/read-input.js';
import { interpolateTree, mergeEnvironment, type Environment } from '../config/interpolate.js';
import { readEnvFile } from '../config/env-file.js';
import { applyMergeTags, mergeService, resolveExtends, type ResolvedService, type ServiceOrigin } from './extends.js';
import { isRecord } from '../is-record.js';

export interface ComposeLayer {
  source: YamlSource;
  /** The interpolated document. */
  doc: Record<string, unknown>;
  /** Directory relative paths resolve against: the project's (the first file's), or the included project's. */
  dir: string;
  services: ResolvedService[];
  failed: Set<string>;
  /** 0 for the files given; every `include:` entry is a project of its own. */
  project: number;
}

export interface LayerOptions {
  env: Environment;
  dir: string;
  /** Where stackctl runs: referenced files must be inside the project (docs/security.md). */
  cwd?: string;
  skip: (path: KeyPath) => boolean;
}

export interface LayersResult {
  layers: ComposeLayer[];
  references: VariableReference[];
  diagnostics: Diagnostic[];
}

export function composeLayers(sources: readonly YamlSource[], options: LayerOptions): LayersResult {
  const result: LayersResult = { layers: [], references: [], diagnostics: [] };
  let nextProject = 1;
  const visit = (files: readonly YamlSource[], env: Environment, dir: string, project: number, chain: string[]): void => {
    for (const source of files) {
      if (!isRecord(source.value)) continue;
      const interpolated = interpolateTree(source.value, env, source, { skip: options.skip });
      result.references.push(...interpolated.references);
      result.diagnostics.push(...interpolated.diagnostics);
      const doc = isRecord(interpolated.value) ? interpolated.value : {};
      for (const include of includeEntries(doc.include, source, dir, result.diagnostics)) {
        const absolute = include.files.map((file) => path.resolve(dir, file));
        if (absolute.some((file) => chain.includes(file))) {
          result.diagnostics.push({ code: 'COMPOSE007', severity: 'error', location: include.location, message: `include cycle: ${[...chain, absolute[0]].map((f) => path.basename(f ?? '')).join(' → ')}`, hint: 'a compose file cannot include itself, directly or through others' });
          continue;
        }
        const included: YamlSource[] = [];
        for (const file of absolute) {
          // Regular files only, within the input limit, inside the project (as every referenced file).
          const read = insideProject(file, options.dir, env, options.cwd) ? readInputFileSync(file, env) : undefined;
          if (!read?.ok) {
            const why = read ? read.reason : `it is outside the project (${projectRoot(options.dir)})`;
            result.diagnostics.push({ code: 'COMPOSE007', severity: 'error', location: include.location, message: `include: ${file} cannot be read: ${why}`, hint: read ? 'fix the path (relative to the file that includes it)' : `move it into the project, or allow its directory with ${ALLOWED_PATHS_VARIABLE}` });
            continue;
          }
          const parsed = parseYamlSource(read.text, file);
          result.diagnostics.push(...parsed.diagnostics);
          if (parsed.ok) included.push(parsed);
        }
        if (included.length === 0) continue;
        const projectDir = include.projectDirectory ? path.resolve(dir, include.projectDirectory) : path.dirname(absolute[0]!);
        const envFiles = include.envFiles.length > 0 ? include.envFiles.map((file) => path.resolve(dir, file)) : [path.join(projectDir, '.env')];
        const fileVars = envFiles.map((file) => {
          const loaded = readEnvFile(file, env, { optional: include.envFiles.length === 0, referencedFrom: include.location });
          result.diagnostics.push(...loaded.diagnostics);
          return loaded.vars;
        });
        visit(included, mergeEnvironment(env, ...fileVars), projectDir, nextProject++, [...chain, ...absolute]);
      }
      const services = isRecord(doc.services) ? doc.services : {};
      const extended = resolveExtends({ source, services, dir, ...(options.cwd ? { cwd: options.cwd } : {}) }, env, options.skip);
      result.references.push(...extended.references);
      result.diagnostics.push(...extended.diagnostics);
      result.layers.push({ source, doc, dir, services: extended.services, failed: extended.failed, project });
    }
  };
  visit(sources, options.env, options.dir, 0, sources.map((source) => path.resolve(source.file)));
  return result;
}

interface IncludeEntry {
  files: string[];
  projectDirectory?: string;
  envFiles: string[];
  location: SourceLocation;
}

function includeEntries(value: unknown, source: YamlSource, _dir: string, diagnostics: Diagnostic[]): IncludeEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    diagnostics.push({ code: 'COMPOSE002', severity: 'error', location: source.locate(['include']), message: '`include` must be a list', hint: 'write `include: [other/compose.yaml]` or `include: [{ path: other/compose.yaml }]`' });
    return [];
  }
  const out: IncludeEntry[] = [];
  value.forEach((entry, index) => {
    const location = source.locate(['include', index]);
    const list = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    if (typeof entry === 'string') out.push({ files: [entry], envFiles: [], location });
    else if (isRecord(entry) && list(entry.path).length > 0) {
      const item: IncludeEntry = { files: list(entry.path), envFiles: list(entry.env_file), location };
      if (typeof entry.project_directory === 'string') item.projectDirectory = entry.project_directory;
      out.push(item);
    } else {
      diagnostics.push({ code: 'COMPOSE002', severity: 'error', location, message: 'an `include` entry needs a path', hint: 'write `- other/compose.yaml` or `- path: other/compose.yaml`' });
    }
  });
  return out;
}

export interface TopLevelEntry {
  value: unknown;
  location: SourceLocation;
  source: YamlSource;
}

export interface MergedProject {
  services: ResolvedService[];
  /** Top-level `volumes`, `networks`, `secrets`, `configs`: name → the merged definition and where it was last written. */
  top: Record<'volumes' | 'networks' | 'secrets' | 'configs', Map<string, TopLevelEntry>>;
  /** The last `name:` given. */
  name?: unknown;
  failed: Set<string>;
  diagnostics: Diagnostic[];
}

export function mergeLayers(layers: readonly ComposeLayer[]): MergedProject {
  const merged = new Map<string, { service: ResolvedService; project: number; source: YamlSource }>();
  const top: MergedProject['top'] = { volumes: new Map(), networks: new Map(), secrets: new Map(), configs: new Map() };
  const failed = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  let name: unknown;
  for (const layer of layers) {
    if (layer.doc.name !== undefined && layer.project === 0) name = layer.doc.name;
    for (const key of ['volumes', 'networks', 'secrets', 'configs'] as const) {
      const section = layer.doc[key];
      if (!isRecord(section)) continue;
      for (const [entry, value] of Object.entries(section)) {
        const previous = top[key].get(entry);
        const combined = previous && isRecord(previous.value) && isRecord(value) ? { ...previous.value, ...value } : value;
        top[key].set(entry, { value: combined, location: layer.source.locateKey([key, entry]), source: layer.source });
      }
    }
    for (const service of layer.services) {
      if (layer.failed.has(service.name)) failed.add(service.name);
      const previous = merged.get(service.name);
      if (!previous) {
        merged.set(service.name, { service: { ...service, value: applyMergeTags({ ...service.value }, service.value, layer.source, service.name) }, project: layer.project, source: layer.source });
        continue;
      }
      if (previous.project !== layer.project) {
        diagnostics.push({
          code: 'COMPOSE007',
          severity: 'error',
          service: service.name,
          location: layer.source.locateKey(['services', service.name]),
          message: `service \`${service.name}\` is defined here and in ${previous.source.file} (included): compose refuses the conflict`,
          hint: 'rename one of them, or drop the `include` and merge the files with -f instead',
        });
        continue;
      }
      const value = applyMergeTags(mergeService(previous.service.value, service.value), service.value, layer.source, service.name);
      merged.set(service.name, {
        service: { name: service.name, value, origin: onTopOf(service.origin, previous.service.origin) },
        project: layer.project,
        source: layer.source,
      });
    }
  }
  const out: MergedProject = { services: [...merged.values()].map((entry) => entry.service), top, failed, diagnostics };
  if (name !== undefined) out.name = name;
  return out;
}

/** The origin chain of `upper` (with its extends bases) continued by `lower`'s. */
function onTopOf(upper: ServiceOrigin, lower: ServiceOrigin): ServiceOrigin {
  return { ...upper, base: upper.base ? onTopOf(upper.base, lower) : lower };
}

