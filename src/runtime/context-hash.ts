/**
 * The context hash: a digest of exactly what a build sees — every entry that goes into the tar
 * (path, type, executable bit, content or link target), the Dockerfile as sent, the build args and
 * the target. Stored on the built image as LABELS.contextHash; a build whose hash matches an
 * existing image is skipped. Modification times and owners are left out (they do not change the
 * image), so touching a file or checking the tree out again does not force a rebuild.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { BuildSpec } from '../config/model.js';
import { prepareBuildContext, type PreparedBuildContext } from './build-context.js';

/** Bump when what is hashed changes on purpose (every image is then rebuilt once). */
const HASH_VERSION = 'stackctl-context-v1';

interface CachedDigest {
  key: string;
  digest: Promise<string>;
}

/**
 * Per-process memo of file digests, keyed by identity and change time; re-hashing is the slow part.
 * It holds the promise, so services sharing a context (the example's eight share `services/`),
 * hashed at once, read each file once, not once per service.
 */
const digestCache = new Map<string, CachedDigest>();

/** Files up to this size are read in one call; a stream per small file cost more than the hashing. */
const READ_WHOLE_BYTES = 1024 * 1024;

async function fileDigest(file: string, stamp?: string, size?: number): Promise<string> {
  let key = stamp;
  if (key === undefined) {
    const stat = await fs.stat(file);
    key = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
    size = stat.size;
  }
  const cached = digestCache.get(file);
  if (cached?.key === key) return cached.digest;
  const digest = readDigest(file, size);
  digestCache.set(file, { key, digest });
  digest.catch(() => {
    if (digestCache.get(file)?.digest === digest) digestCache.delete(file);
  });
  return digest;
}

async function readDigest(file: string, size: number | undefined): Promise<string> {
  const hash = createHash('sha256');
  if (size !== undefined && size <= READ_WHOLE_BYTES) hash.update(await fs.readFile(file));
  else for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Maps with at most `limit` promises in flight (a big context must not exhaust file descriptors). */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function sortedEntries(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Hash of a prepared context (the listing the tar is made from) plus the build's args and target. */
export async function hashPreparedContext(
  prepared: PreparedBuildContext,
  build: Pick<BuildSpec, 'args' | 'target'>,
): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${HASH_VERSION}\n`);
  for (const source of prepared.sources) {
    hash.update(`source ${source.prefix}\n`);
    const digests = await mapLimit(source.entries, 32, (entry) =>
      entry.type === 'file' ? fileDigest(path.join(source.root, entry.path), entry.stamp, entry.size) : Promise.resolve(''),
    );
    source.entries.forEach((entry, index) => {
      const exec = entry.mode & 0o111 ? 'x' : '-';
      const detail = entry.type === 'file' ? digests[index] : entry.type === 'symlink' ? (entry.linkTarget ?? '') : '';
      hash.update(`${entry.type} ${JSON.stringify(entry.path)} ${exec} ${detail}\n`);
    });
  }
  for (const file of prepared.generated) hash.update(`generated ${file.name}\n`);
  hash.update(`dockerfile ${prepared.dockerfilePath}\n${prepared.dockerfile}\n`);
  hash.update(`args ${JSON.stringify(sortedEntries(build.args))}\n`);
  hash.update(`target ${build.target ?? ''}\n`);
  return hash.digest('hex');
}

/** The context hash of a service's build (64 hex characters). */
export async function computeContextHash(build: BuildSpec, service: string): Promise<string> {
  return hashPreparedContext(await prepareBuildContext(build, service), build);
}

/**
 * Digest of what `COPY <sources> …` takes from a prepared context: each source's entries (paths
 * relative to the source, type, executable bit, content or link target). Undefined when a source
 * matches nothing (the build would fail there; nothing to share).
 */
export async function digestCopySources(prepared: PreparedBuildContext, sources: readonly string[]): Promise<string | undefined> {
  const main = prepared.sources[0];
  if (!main) return undefined;
  const hash = createHash('sha256');
  for (const source of sources) {
    const cleaned = path.posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
    const entries = main.entries.filter((entry) => entry.path === cleaned || entry.path.startsWith(`${cleaned}/`));
    if (entries.length === 0) return undefined;
    hash.update(`source\n`);
    const digests = await mapLimit(entries, 32, (entry) =>
      entry.type === 'file' ? fileDigest(path.join(main.root, entry.path), entry.stamp) : Promise.resolve(''),
    );
    entries.forEach((entry, index) => {
      const rel = entry.path === cleaned ? '.' : entry.path.slice(cleaned.length + 1);
      const detail = entry.type === 'file' ? digests[index] : entry.type === 'symlink' ? (entry.linkTarget ?? '') : '';
      // The full mode: the engine's COPY cache compares it too.
      hash.update(`${entry.type} ${JSON.stringify(rel)} ${entry.mode.toString(8)} ${detail}\n`);
    });
  }
  return hash.digest('hex');
}
