/** What rules need to know about a service's build: its Dockerfile text and resolved COPY/ADD sources. */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { BuildSpec, Service, Stack } from '../../config/model.js';
import type { SourceLocation } from '../../errors.js';
import type { FileCache } from './files.js';
import { copySources, globSegmentToRegExp, isGlob, type CopySource } from './dockerfile.js';
import { ignoreRules, type IgnoreRules } from './dockerignore.js';

export interface ResolvedCopy extends CopySource {
  /** Directory the source is relative to (the context or a named additional context). */
  root: string;
  /** Name of the additional context, when `--from=` names one. */
  contextName?: string;
  /** Source relative to root, normalised (`/`-separated, no leading `./` or `/`). */
  relative: string;
  /** Absolute path (may not exist). */
  absolute: string;
  /** True when `..` takes it outside the root. */
  outside: boolean;
  /** Existing paths the source matches (globs may match several); empty = missing. */
  matches: string[];
  location: SourceLocation;
}

export interface BuildFacts {
  build: BuildSpec;
  dockerfileText?: string;
  copies: ResolvedCopy[];
  ignore: IgnoreRules;
}

export function buildFacts(service: Service, files: FileCache): BuildFacts | undefined {
  const build = service.build;
  if (!build) return undefined;
  const dockerfileText = build.dockerfileInline ?? (build.dockerfile ? files.text(build.dockerfile) : undefined);
  const ignore = ignoreRules(build.context, build.dockerfile, files);
  const facts: BuildFacts = { build, copies: [], ignore };
  if (dockerfileText === undefined) return facts;
  facts.dockerfileText = dockerfileText;
  const dockerfileName = build.dockerfile ?? `${service.name} (dockerfile_inline)`;
  for (const copy of copySources(dockerfileText, build.args)) {
    let root = build.context;
    let contextName: string | undefined;
    if (copy.from !== undefined) {
      const named = build.additionalContexts[copy.from];
      if (named === undefined || /^[a-z][a-z0-9+.-]*:/i.test(named)) continue; // a stage or an image
      root = named;
      contextName = copy.from;
    }
    const relative = path.posix.normalize(copy.source.replace(/\\/g, '/').replace(/^\/+/, '')).replace(/\/+$/, '') || '.';
    const absolute = path.resolve(root, relative);
    const outside = relative === '..' || relative.startsWith('../');
    const resolved: ResolvedCopy = {
      ...copy,
      root,
      relative,
      absolute,
      outside,
      matches: outside ? [] : matchSource(root, relative, files),
      location: { file: dockerfileName, line: copy.line, col: copy.col },
    };
    if (contextName !== undefined) resolved.contextName = contextName;
    facts.copies.push(resolved);
  }
  return facts;
}

/** A COPY glob is expanded to at most this many paths (docs/security.md, input limits). */
export const MAX_GLOB_MATCHES = 10_000;

function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function matchSource(root: string, relative: string, files: FileCache): string[] {
  if (relative === '.') return [root];
  if (!isGlob(relative)) {
    const absolute = path.join(root, relative);
    return files.exists(absolute) ? [absolute] : [];
  }
  let current = [root];
  const segments = relative.split('/');
  for (const [index, segment] of segments.entries()) {
    const next: string[] = [];
    // Docker matches globs on the context as sent, where a link to a directory is a link: it is not
    // entered (a link loop would otherwise expand for ever); and the matches are bounded.
    const entering = index < segments.length - 1;
    for (const dir of current) {
      if (!isGlob(segment)) {
        const candidate = path.join(dir, segment);
        if (files.exists(candidate)) next.push(candidate);
        continue;
      }
      const re = globSegmentToRegExp(segment);
      for (const name of files.list(dir) ?? []) {
        if (!re.test(name)) continue;
        const candidate = path.join(dir, name);
        if (entering && isSymbolicLink(candidate)) continue;
        next.push(candidate);
        if (next.length >= MAX_GLOB_MATCHES) break;
      }
      if (next.length >= MAX_GLOB_MATCHES) break;
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** `path` relative to the stack directory, for hints (`services/mcp-server`). */
export function fromStackDir(stack: Stack, target: string): string {
  const rel = path.relative(stack.dir, target) || '.';
  return rel.split(path.sep).join('/');
}

/** Nearest directory containing both paths. */
export function commonAncestor(a: string, b: string): string {
  const pa = path.resolve(a).split(path.sep);
  const pb = path.resolve(b).split(path.sep);
  const out: string[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length) && pa[i] === pb[i]; i++) out.push(pa[i]!);
  return out.join(path.sep) || path.sep;
}

export function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The fix for "needs something outside the context": widen the context, or an additional context. */
export function widenContextHint(stack: Stack, service: Service, outsideTarget: string): string {
  const build = service.build!;
  const common = commonAncestor(build.context, outsideTarget);
  const dockerfile = build.dockerfile ? path.relative(common, build.dockerfile).split(path.sep).join('/') : 'Dockerfile';
  const name = path.basename(outsideTarget);
  return (
    `widen the build context so it contains ${fromStackDir(stack, outsideTarget)}: ` +
    `\`build: { context: ${fromStackDir(stack, common)}, dockerfile: ${dockerfile} }\` (and adjust COPY paths to the new context), ` +
    `or keep the context and add \`additional_contexts: { ${name}: ${fromStackDir(stack, outsideTarget)} }\` with \`COPY --from=${name} . /opt/${name}\``
  );
}
