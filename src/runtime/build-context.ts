/**
 * The build context as the engine receives it: the files of the context directory that
 * `.dockerignore` keeps (Docker's matching rules, via @balena/dockerignore, and Docker's directory
 * walk), packed as a tar stream with tar-fs. The same listing feeds the context hash
 * (context-hash.ts), so the hash covers exactly what the build sees.
 *
 * Like `docker build`:
 *  - `.dockerignore` at the context root (or `<Dockerfile>.dockerignore` beside the Dockerfile, which
 *    takes precedence, as with BuildKit);
 *  - the Dockerfile and `.dockerignore` are always sent, even when excluded;
 *  - an excluded directory is still walked when a `!` exception pattern names something under it;
 *  - a Dockerfile outside the context (or inline, or rewritten) travels as a generated file at the
 *    tar's root;
 *  - symlinks are sent as symlinks, owners as 0:0, modes as on disk.
 * `additional_contexts` (local directories) are merged under `.stackctl-contexts/<name>/` and the
 * Dockerfile's `COPY --from=<name>` rewritten to match — see dockerfile.ts for when that is refused.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import type TarFs from 'tar-fs';
import { tarFs } from './tar-fs.js';
import type { BuildSpec } from '../config/model.js';
import { UnsupportedBuildFeatureError } from './errors.js';
import {
  MERGED_CONTEXTS_DIR,
  RewriteRefused,
  classifyAdditionalContext,
  rewriteAdditionalContexts,
  type AdditionalContextSource,
} from './dockerfile.js';

export const DOCKERIGNORE = '.dockerignore';

export type EntryType = 'file' | 'directory' | 'symlink';

export interface ContextEntry {
  /** Path relative to the context root, with `/` separators. */
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  /** Symlink target as written. */
  linkTarget?: string;
  /** Identity and change times from the walk's lstat: the hash's cache key, so it need not stat again. */
  stamp?: string;
}

/** Parses `.dockerignore` text the way Docker's `dockerignore.ReadAll` does. */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = path.posix.normalize(pattern);
      if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.slice(0, -1);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  }
  return patterns;
}

/** Decides, per relative path, what goes into the context — Docker's matcher and directory walk. */
export class ContextFilter {
  private readonly matcher;
  private readonly exceptions: string[];

  constructor(readonly patterns: string[]) {
    this.matcher = dockerignore.default().add(patterns);
    this.exceptions = patterns.filter((p) => p.startsWith('!') && p.length > 1).map((p) => p.slice(1));
  }

  excludes(relPath: string): boolean {
    return this.patterns.length > 0 && this.matcher.ignores(relPath);
  }

  /**
   * For an excluded directory: must the walk still enter it? Docker enters it only when an
   * exception pattern starts with the directory's path (moby's `TarWithOptions`).
   */
  mustDescend(relDir: string): boolean {
    const dirSlash = `${relDir}/`;
    return this.exceptions.some((pattern) => `${pattern}/`.startsWith(dirSlash));
  }
}

/** Patterns for a context: the ignore file's, plus the re-inclusions Docker always adds. */
export async function contextPatterns(
  contextDir: string,
  dockerfileInContext: string | undefined,
  dockerfileAbs?: string,
): Promise<{ patterns: string[]; ignoreFile?: string }> {
  const candidates = [
    ...(dockerfileAbs ? [`${dockerfileAbs}.dockerignore`] : []),
    path.join(contextDir, DOCKERIGNORE),
  ];
  for (const candidate of candidates) {
    const text = await readOptional(candidate);
    if (text === undefined) continue;
    const patterns = parseDockerignore(text);
    if (patterns.length === 0) return { patterns, ignoreFile: candidate };
    // docker build always sends .dockerignore and the Dockerfile (cli/command/image/build.TrimBuildFilesFromExcludes).
    const probe = new ContextFilter(patterns);
    if (probe.excludes(DOCKERIGNORE)) patterns.push(`!${DOCKERIGNORE}`);
    if (dockerfileInContext && probe.excludes(dockerfileInContext)) patterns.push(`!${dockerfileInContext}`);
    return { patterns, ignoreFile: candidate };
  }
  return { patterns: [] };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return undefined;
    }
    throw error;
  }
}

/**
 * Walks the context in lexical order and returns what goes into the tar. Directories that are
 * excluded but entered for an exception are listed too (so the re-included files keep their
 * parents' modes); sockets and other special files are left out, as Docker does.
 */
export async function listContext(root: string, filter: ContextFilter): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  async function walk(relDir: string): Promise<void> {
    const absDir = relDir ? path.join(root, relDir) : root;
    const names = (await fs.readdir(absDir)).sort();
    // lstat a directory's entries together; the walk itself stays in lexical order.
    const stats = await Promise.all(names.map((name) => fs.lstat(path.join(absDir, name))));
    for (const [index, name] of names.entries()) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const stat = stats[index];
      if (!stat) continue;
      const excluded = filter.excludes(rel);
      if (stat.isDirectory()) {
        if (excluded && !filter.mustDescend(rel)) continue;
        entries.push({ path: rel, type: 'directory', mode: stat.mode & 0o7777, size: 0 });
        await walk(rel);
        continue;
      }
      if (excluded) continue;
      if (stat.isSymbolicLink()) {
        const linkTarget = await fs.readlink(path.join(root, rel));
        entries.push({ path: rel, type: 'symlink', mode: stat.mode & 0o7777, size: 0, linkTarget });
      } else if (stat.isFile()) {
        entries.push({
          path: rel,
          type: 'file',
          mode: stat.mode & 0o7777,
          size: stat.size,
          stamp: `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`,
        });
      }
    }
  }
  await walk('');
  return entries;
}

/**
 * Listings in progress, by directory and patterns: services built from one context (the example's
 * eight share `services/`) are hashed at the same moment, and each walked the whole tree. A caller
 * that asks while the same walk runs shares its result; nothing is kept once it is done, so a later
 * call always sees the files as they are then.
 */
const walking = new Map<string, Promise<ContextEntry[]>>();

function listContextOnce(root: string, patterns: string[]): Promise<ContextEntry[]> {
  const key = `${root}\u0000${patterns.join('\u0000')}`;
  let listing = walking.get(key);
  if (!listing) {
    listing = listContext(root, new ContextFilter(patterns));
    walking.set(key, listing);
    const done = (): void => void walking.delete(key);
    listing.then(done, done);
  }
  return listing;
}

export interface ContextSource {
  /** Absolute directory. */
  root: string;
  /** Where its entries go in the tar ('' for the main context). */
  prefix: string;
  entries: ContextEntry[];
  ignoreFile?: string;
}

export interface PreparedBuildContext {
  service: string;
  /** The main context first, then merged additional contexts. */
  sources: ContextSource[];
  /** The Dockerfile's path inside the tar (the build API's `dockerfile` parameter). */
  dockerfilePath: string;
  /** The Dockerfile as the engine will read it (after any additional_contexts rewrite). */
  dockerfile: string;
  /** Files that are not in a context directory (a Dockerfile from elsewhere), at the tar's root. */
  generated: Array<{ name: string; content: Buffer }>;
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

async function assertDirectory(dir: string, what: string, service: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch {
    throw new UnsupportedBuildFeatureError(`${what} ${dir} of service "${service}" does not exist`, {
      service,
      hint: 'fix the path in build: (it is relative to the stack file)',
    });
  }
  if (!stat.isDirectory()) {
    throw new UnsupportedBuildFeatureError(`${what} ${dir} of service "${service}" is not a directory`, { service });
  }
}

/**
 * Everything the build needs, listed once: the files to send, the Dockerfile and where it sits in
 * the tar. Throws UnsupportedBuildFeatureError for additional_contexts the classic builder cannot
 * honour, naming the service and saying what to do instead.
 */
export async function prepareBuildContext(build: BuildSpec, service: string): Promise<PreparedBuildContext> {
  await assertDirectory(build.context, 'build context', service);
  let dockerfileText: string;
  let dockerfileInContext: string | undefined;
  const dockerfileAbs = build.dockerfileInline === undefined ? (build.dockerfile ?? path.join(build.context, 'Dockerfile')) : undefined;
  if (dockerfileAbs !== undefined) {
    const text = await readOptional(dockerfileAbs);
    if (text === undefined) {
      throw new UnsupportedBuildFeatureError(`Dockerfile ${dockerfileAbs} of service "${service}" does not exist`, {
        service,
        hint: 'build.dockerfile is relative to build.context; fix the path or create the file',
      });
    }
    dockerfileText = text;
    if (isInside(build.context, dockerfileAbs)) dockerfileInContext = toPosix(path.relative(build.context, dockerfileAbs));
  } else {
    dockerfileText = build.dockerfileInline ?? '';
  }

  const { patterns, ignoreFile } = await contextPatterns(build.context, dockerfileInContext, dockerfileAbs);
  const main: ContextSource = {
    root: build.context,
    prefix: '',
    entries: await listContextOnce(build.context, patterns),
    ...(ignoreFile ? { ignoreFile } : {}),
  };
  const sources: ContextSource[] = [main];

  const additional: AdditionalContextSource[] = Object.entries(build.additionalContexts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => classifyAdditionalContext(name, value));
  let dockerfile = dockerfileText;
  if (additional.length > 0) {
    if (main.entries.some((entry) => entry.path === MERGED_CONTEXTS_DIR || entry.path.startsWith(`${MERGED_CONTEXTS_DIR}/`))) {
      throw refused(service, `the build context already has a ${MERGED_CONTEXTS_DIR} entry`);
    }
    let rewritten;
    try {
      rewritten = rewriteAdditionalContexts(dockerfileText, additional);
    } catch (error) {
      if (error instanceof RewriteRefused) throw refused(service, error.message);
      throw error;
    }
    dockerfile = rewritten.dockerfile;
    for (const name of rewritten.usedLocal) {
      const context = additional.find((item) => item.name === name);
      if (context?.kind !== 'local') continue;
      await assertDirectory(context.path, `additional context "${name}"`, service);
      const extra = await contextPatterns(context.path, undefined);
      sources.push({
        root: context.path,
        prefix: `${MERGED_CONTEXTS_DIR}/${name}`,
        entries: await listContextOnce(context.path, extra.patterns),
        ...(extra.ignoreFile ? { ignoreFile: extra.ignoreFile } : {}),
      });
    }
  }

  const generated: PreparedBuildContext['generated'] = [];
  let dockerfilePath: string;
  if (dockerfileInContext !== undefined && dockerfile === dockerfileText) {
    dockerfilePath = dockerfileInContext;
  } else {
    // Like the docker CLI's `.dockerfile.<random>`, but named by content so the tar is reproducible.
    const digest = createHash('sha256').update(dockerfile).digest('hex').slice(0, 16);
    dockerfilePath = `.stackctl-dockerfile-${digest}`;
    generated.push({ name: dockerfilePath, content: Buffer.from(dockerfile) });
  }
  return { service, sources, dockerfilePath, dockerfile, generated };
}

function refused(service: string, reason: string): UnsupportedBuildFeatureError {
  return new UnsupportedBuildFeatureError(
    `service "${service}": additional_contexts cannot be used with this engine's classic builder (dockerd 20.10 has no BuildKit named contexts through its API): ${reason}`,
    {
      service,
      hint:
        'widen build.context to a directory that contains both trees (e.g. context: services, dockerfile: <service>/Dockerfile) and COPY from there',
    },
  );
}

// tar-fs 3 options its type definitions do not list.
interface TarFsPackOptions extends TarFs.PackOptions {
  umask?: number;
}

/** The tar stream of a prepared context. Reading it walks the files again: keep them still meanwhile. */
export function packBuildContext(prepared: PreparedBuildContext): Readable {
  const packSource = (index: number, target?: TarFs.Pack): TarFs.Pack => {
    const source = prepared.sources[index];
    if (!source) throw new Error('no such context source');
    const keep = new Set(source.entries.map((entry) => entry.path));
    const options: TarFsPackOptions = {
      ...(target ? { pack: target } : {}),
      umask: 0,
      strict: false,
      ignore: (name: string) => !keep.has(toPosix(path.relative(source.root, name))),
      map: (header) => {
        const rel = header.name === '.' ? '' : header.name;
        const name = source.prefix ? (rel ? `${source.prefix}/${rel}` : source.prefix) : header.name;
        return { ...header, name, uid: 0, gid: 0 };
      },
      finalize: false,
      finish: (pack) => {
        if (index + 1 < prepared.sources.length) {
          packSource(index + 1, pack);
          return;
        }
        for (const file of prepared.generated) {
          pack.entry({ name: file.name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, file.content);
        }
        pack.finalize();
      },
    };
    return tarFs().pack(source.root, options);
  };
  return packSource(0) as unknown as Readable;
}
