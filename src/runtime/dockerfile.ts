/**
 * What the build needs of a Dockerfile (parsing itself: src/dockerfile/parse.ts): the images it
 * builds FROM (so a rebuilt base image invalidates a skipped build), and the rewrite that merges
 * `additional_contexts` into the one context the classic builder accepts (`COPY --from=<name> src
 * dest` becomes `COPY <prefix>/<name>/src dest`).
 */
import path from 'node:path';
import { flagValue, parseCopyArgs, parseDockerfile, substitute } from '../dockerfile/parse.js';

/**
 * Images the Dockerfile builds FROM (stage references and `scratch` excluded), with `ARG`s declared
 * before the first FROM substituted from their defaults and the build args. A reference that cannot
 * be resolved is left out.
 */
export function baseImages(dockerfile: string, buildArgs: Record<string, string> = {}): string[] {
  const stages = new Set<string>();
  const globalArgs: Record<string, string> = {};
  const images: string[] = [];
  let seenFrom = false;
  for (const instruction of parseDockerfile(dockerfile)) {
    if (instruction.keyword === 'ARG' && !seenFrom) {
      for (const declaration of instruction.args.split(/\s+/).filter(Boolean)) {
        const [name = '', value] = declaration.split(/=(.*)/s);
        const given = buildArgs[name];
        if (given !== undefined) globalArgs[name] = given;
        else if (value !== undefined) globalArgs[name] = value.replace(/^"(.*)"$/, '$1');
      }
      continue;
    }
    if (instruction.keyword !== 'FROM') continue;
    seenFrom = true;
    const words = instruction.args.split(/\s+/).filter((word) => word && !word.startsWith('--'));
    const [ref, as, name] = words;
    if (ref === undefined) continue;
    const resolved = substitute(ref, globalArgs);
    if (resolved && resolved.toLowerCase() !== 'scratch' && !stages.has(resolved.toLowerCase())) images.push(resolved);
    if (as?.toLowerCase() === 'as' && name) stages.add(name.toLowerCase());
  }
  return [...new Set(images)];
}

/** Where an additional context is merged in the tar: `<MERGED_CONTEXTS_DIR>/<name>/…`. */
export const MERGED_CONTEXTS_DIR = '.stackctl-contexts';

export type AdditionalContextSource =
  | { kind: 'local'; name: string; path: string }
  | { kind: 'image'; name: string; image: string }
  | { kind: 'service'; name: string; service: string };

export function classifyAdditionalContext(name: string, value: string): AdditionalContextSource {
  if (value.startsWith('docker-image://')) return { kind: 'image', name, image: value.slice('docker-image://'.length) };
  if (value.startsWith('service:')) return { kind: 'service', name, service: value.slice('service:'.length) };
  return { kind: 'local', name, path: value };
}

export interface RewriteResult {
  dockerfile: string;
  /** Names of the local contexts the Dockerfile actually copies from. */
  usedLocal: string[];
}

/** Why the rewrite cannot be done honestly; the caller turns it into an error naming the service. */
export class RewriteRefused extends Error {
  override readonly name = 'RewriteRefused';
}

const GLOB_CHARS = /[*?[]/;

/** Does the main-context COPY source `source` (cleaned) take in the merged-contexts directory? */
function sweepsMergedDir(source: string): boolean {
  const cleaned = path.posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (cleaned === '.' || cleaned === '') return true;
  const first = cleaned.split('/')[0] ?? '';
  if (!GLOB_CHARS.test(first)) return false;
  const pattern = first
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${pattern}$`).test(MERGED_CONTEXTS_DIR);
}

function quoteJson(items: string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
}

/**
 * Rewrites a Dockerfile so that the classic builder can use `additional_contexts`: each
 * `COPY --from=<name>` of a local context copies from `<MERGED_CONTEXTS_DIR>/<name>/` of the main
 * context instead, and each `--from=<name>`/`FROM <name>` of a `docker-image://` context uses that
 * image. Throws RewriteRefused when the result would not mean the same thing:
 *  - a `FROM <name>` of a local or service context, or a `service:` context used at all;
 *  - a stage with the same name as a context;
 *  - a main-context `COPY`/`ADD` whose source would also take in the merged directory (`COPY . /app`);
 *  - a source escaping its context (`../x`).
 */
export function rewriteAdditionalContexts(dockerfile: string, contexts: AdditionalContextSource[]): RewriteResult {
  if (contexts.length === 0) return { dockerfile, usedLocal: [] };
  const byName = new Map(contexts.map((context) => [context.name.toLowerCase(), context]));
  const lines = dockerfile.split(/\r?\n/);
  const replacements = new Map<number, { last: number; text: string }>();
  const usedLocal = new Set<string>();
  const stages = new Set<string>();

  for (const instruction of parseDockerfile(dockerfile)) {
    const { keyword } = instruction;
    if (keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter(Boolean);
      const flags = words.filter((word) => word.startsWith('--'));
      const [ref, as, stage] = words.filter((word) => !word.startsWith('--'));
      if (as?.toLowerCase() === 'as' && stage) {
        if (byName.has(stage.toLowerCase())) {
          throw new RewriteRefused(`stage "${stage}" has the same name as an additional context`);
        }
        stages.add(stage.toLowerCase());
      }
      const context = ref ? byName.get(ref.toLowerCase()) : undefined;
      if (!context || stages.has((ref ?? '').toLowerCase())) continue;
      if (context.kind !== 'image') {
        throw new RewriteRefused(`FROM ${ref} uses the ${context.kind === 'local' ? 'directory' : 'service'} context "${context.name}" as a base image`);
      }
      const tail = as ? ` ${as} ${stage ?? ''}` : '';
      replacements.set(instruction.line - 1, {
        last: instruction.lastLine - 1,
        text: `FROM ${[...flags, context.image].join(' ')}${tail}`.trimEnd(),
      });
      continue;
    }
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const args = parseCopyArgs(instruction.args);
    if (!args) continue;
    const from = flagValue(args.flags, 'from');
    if (from === undefined) {
      const sweeping = args.sources.find(sweepsMergedDir);
      if (sweeping !== undefined) {
        throw new RewriteRefused(
          `${keyword} ${sweeping} copies the whole build context, which would also take in the merged additional contexts`,
        );
      }
      continue;
    }
    const context = byName.get(from.toLowerCase());
    if (!context || stages.has(from.toLowerCase())) continue;
    if (context.kind === 'service') {
      throw new RewriteRefused(`--from=${from} refers to the image of service "${context.service}"`);
    }
    const otherFlags = args.flags.filter((flag) => !flag.toLowerCase().startsWith('--from='));
    if (context.kind === 'image') {
      const flags = [`--from=${context.image}`, ...otherFlags].join(' ');
      replacements.set(instruction.line - 1, {
        last: instruction.lastLine - 1,
        text: `${keyword} ${flags} ${quoteJson([...args.sources, args.dest])}`,
      });
      continue;
    }
    const sources = args.sources.map((source) => {
      const cleaned = path.posix.normalize(source.replace(/^\/+/, ''));
      if (cleaned === '..' || cleaned.startsWith('../')) {
        throw new RewriteRefused(`${keyword} --from=${from} ${source} leaves the context "${context.name}"`);
      }
      return cleaned === '.' ? `${MERGED_CONTEXTS_DIR}/${context.name}` : `${MERGED_CONTEXTS_DIR}/${context.name}/${cleaned}`;
    });
    usedLocal.add(context.name);
    const flags = otherFlags.length > 0 ? `${otherFlags.join(' ')} ` : '';
    replacements.set(instruction.line - 1, {
      last: instruction.lastLine - 1,
      text: `${keyword} ${flags}${quoteJson([...sources, args.dest])}`,
    });
  }

  const out: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const replacement = replacements.get(index);
    if (replacement) {
      out.push(replacement.text);
      index = replacement.last;
    } else {
      out.push(lines[index] ?? '');
    }
  }
  return { dockerfile: out.join('\n'), usedLocal: [...usedLocal].sort() };
}
