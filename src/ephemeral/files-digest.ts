/**
 * A digest of the files a service bind-mounts (init scripts, seed files), for the seed snapshot's
 * key: the same hashing as a build context's (path, type, executable bit, content or link target;
 * not times or owners), paths taken relative to the stack's directory so another checkout of the
 * same files matches.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ContextFilter, listContext, type ContextEntry, type PreparedBuildContext } from '../runtime/build-context.js';
import { hashPreparedContext } from '../runtime/context-hash.js';

/** Beyond this many bytes a bind mount is no seed file but a data or source tree: no digest. */
export const MAX_DIGEST_BYTES = 256 * 1024 * 1024;

export type FilesDigest = { ok: true; digest: string } | { ok: false; reason: string };

/** A directory's walk, or a single file (or link) as the one entry of its parent directory. */
async function entriesOf(source: string): Promise<{ root: string; entries: ContextEntry[] } | undefined> {
  const stat = await fs.lstat(source).catch(() => undefined);
  if (!stat) return undefined;
  if (stat.isDirectory()) return { root: source, entries: await listContext(source, new ContextFilter([])) };
  const root = path.dirname(source);
  const mode = stat.mode & 0o7777;
  if (stat.isSymbolicLink()) return { root, entries: [{ path: path.basename(source), type: 'symlink', mode, size: 0, linkTarget: await fs.readlink(source) }] };
  return { root, entries: stat.isFile() ? [{ path: path.basename(source), type: 'file', mode, size: stat.size }] : [] };
}

export async function filesDigest(stackDir: string, sources: readonly string[]): Promise<FilesDigest> {
  const prepared: PreparedBuildContext = { service: '', sources: [], dockerfilePath: '', dockerfile: '', generated: [] };
  let bytes = 0;
  for (const source of [...sources].sort()) {
    const found = await entriesOf(source);
    const prefix = path.relative(stackDir, source) || '.';
    if (found === undefined) {
      prepared.sources.push({ root: source, prefix: `missing ${prefix}`, entries: [] });
      continue;
    }
    bytes += found.entries.reduce((sum, entry) => sum + entry.size, 0);
    if (bytes > MAX_DIGEST_BYTES) return { ok: false, reason: `its bind mount ${prefix} holds over ${MAX_DIGEST_BYTES / 1024 / 1024} MiB: too much to fingerprint as seed files` };
    prepared.sources.push({ root: found.root, prefix, entries: found.entries });
  }
  return { ok: true, digest: await hashPreparedContext(prepared, { args: {} }) };
}
