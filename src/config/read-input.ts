/**
 * Every file stackctl reads because a stack names it (the stack file, `.env`, `env_file`, `extends`,
 * probe templates, Dockerfiles) is read here: regular files only (a FIFO, a device such as /dev/zero
 * or a socket is refused at once — it would hang or never end), and at most the input limit.
 *
 *   readInputFile(file, env?)       → Promise<InputRead>     never throws
 *   readInputFileSync(file, env?)   → InputRead              never throws
 *   inputLimitBytes(env?)           → the limit: STACKCTL_MAX_INPUT_BYTES (e.g. 8388608, 16M, 512k), default 8 MiB
 *   insideProject(file, stackDir, env?) → whether a referenced file may be read (docs/security.md)
 *
 * The limits are documented in docs/security.md.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';

export const DEFAULT_INPUT_LIMIT_BYTES = 8 * 1024 * 1024;
export const INPUT_LIMIT_VARIABLE = 'STACKCTL_MAX_INPUT_BYTES';
export const ALLOWED_PATHS_VARIABLE = 'STACKCTL_ALLOWED_PATHS';

export type InputRead =
  | { ok: true; text: string }
  | { ok: false; code: 'ENOENT' | 'EISDIR' | 'EACCES' | 'NOT_REGULAR' | 'TOO_BIG' | 'OTHER'; reason: string };

type Env = Readonly<Record<string, string | undefined>>;

export function inputLimitBytes(env: Env = process.env): number {
  const raw = env[INPUT_LIMIT_VARIABLE]?.trim();
  if (!raw) return DEFAULT_INPUT_LIMIT_BYTES;
  const match = /^(\d+)\s*([kKmMgG])?i?[bB]?$/.exec(raw);
  if (!match) return DEFAULT_INPUT_LIMIT_BYTES;
  const scale = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Math.max(1, Number(match[1]) * scale);
}

const NONBLOCK = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The same as readInputFileSync (files are small by then: the limit is checked before reading). */
export async function readInputFile(file: string, env?: Env): Promise<InputRead> {
  return readInputFileSync(file, env);
}

export function readInputFileSync(file: string, env?: Env): InputRead {
  const limit = inputLimitBytes(env);
  let fd: number;
  try {
    fd = openSync(file, NONBLOCK);
  } catch (error) {
    return failure(error);
  }
  try {
    const stat = fstatSync(fd);
    const refused = refuse(stat, limit);
    if (refused) return refused;
    const buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit) return tooBig(limit);
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } catch (error) {
    return failure(error);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

function refuse(stat: Stats, limit: number): InputRead | undefined {
  if (stat.isDirectory()) return { ok: false, code: 'EISDIR', reason: 'it is a directory' };
  if (!stat.isFile()) return { ok: false, code: 'NOT_REGULAR', reason: `it is not a regular file (${kindOf(stat)}); stackctl reads only regular files` };
  if (stat.size > limit) return tooBig(limit);
  return undefined;
}

function tooBig(limit: number): InputRead {
  return { ok: false, code: 'TOO_BIG', reason: `it is larger than the input limit of ${formatBytes(limit)} (set ${INPUT_LIMIT_VARIABLE} to raise it)` };
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

function failure(error: unknown): InputRead {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, code: 'ENOENT', reason: 'no such file' };
  if (code === 'EISDIR') return { ok: false, code: 'EISDIR', reason: 'it is a directory' };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, code: 'EACCES', reason: 'permission denied' };
  if (code === 'ELOOP') return { ok: false, code: 'OTHER', reason: 'too many levels of symbolic links' };
  return { ok: false, code: 'OTHER', reason: code ?? 'unreadable' };
}

function real(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * The project a stack's referenced files must lie in: the git work tree that holds the stack file,
 * else the stack file's directory; and the same for the directory stackctl runs in.
 * STACKCTL_ALLOWED_PATHS (path-separated directories) adds more.
 */
export function projectRoot(stackDir: string): string {
  let dir = path.resolve(stackDir);
  for (let i = 0; i < 64; i++) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(stackDir);
}

export function insideProject(file: string, stackDir: string, env: Env = process.env, cwd?: string): boolean {
  // Symbolic links are followed first: a link inside the project to /etc/shadow is outside it.
  const absolute = real(path.resolve(file));
  // The project stackctl runs in counts too (a stack written by `import -o /elsewhere` names the compose
  // project's env files) — unless that is the file system's root.
  const here = cwd === undefined ? undefined : projectRoot(cwd);
  const roots = [projectRoot(stackDir), ...(here && path.dirname(here) !== here ? [here] : []), ...(env[ALLOWED_PATHS_VARIABLE] ?? '').split(path.delimiter).filter((entry) => entry.trim() !== '').map((entry) => path.resolve(stackDir, entry))].map(real);
  return roots.some((root) => absolute === root || absolute.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
}
