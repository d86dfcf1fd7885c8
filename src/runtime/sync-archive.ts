/**
 * The tar stream `watch`'s sync puts into a container: the named files of one host directory, each
 * at the same relative path under the container directory (Docker's PUT /archive extracts it at `/`).
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { tarFs } from './tar-fs.js';

export interface SyncBatch {
  /** Host directory the entries are relative to. */
  hostDir: string;
  /** Relative paths (with `/`) of the files to copy. */
  entries: string[];
  /** Absolute container directory that mirrors hostDir. */
  containerDir: string;
}

export function packSyncBatch(batch: SyncBatch): Readable {
  const prefix = batch.containerDir.replace(/^\/+/, '').replace(/\/+$/, '');
  return tarFs().pack(batch.hostDir, {
    entries: batch.entries,
    dereference: false,
    map: (header) => {
      header.name = prefix === '' ? header.name : path.posix.join(prefix, header.name);
      return header;
    },
  }) as unknown as Readable;
}
