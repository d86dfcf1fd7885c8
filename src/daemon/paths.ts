/**
 * Where a stack's daemon keeps its files, all under `<stack dir>/.stackctl/`:
 *   <stack>.sock         the API's unix socket (mode 0600)
 *   <stack>.daemon.json  who is running: pid, socket, TCP address, start time (mode 0600)
 *   <stack>.token        the bearer token generated for --listen without --token-file (mode 0600)
 *   <stack>.daemon.log   the detached daemon's output
 * The single-instance lock itself lives in the kernel (see lock.ts), not in a file.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** sun_path is 108 bytes on Linux (104 on the BSDs), including the terminating NUL. */
const MAX_SOCKET_PATH = 103;

export interface DaemonPaths {
  stateDir: string;
  /** The unix socket; the preferred `.stackctl/<stack>.sock` unless that path is too long for the kernel. */
  socket: string;
  info: string;
  token: string;
  log: string;
  /** Name of the abstract unix socket that holds the single-instance lock (Linux). */
  lockName: string;
  /** Lock file used where abstract sockets do not exist. */
  lockFile: string;
}

export function stateDir(stackDir: string): string {
  return path.join(stackDir, '.stackctl');
}

/** The stack directory with symlinks resolved, so two spellings of one directory share one daemon. */
export function canonicalDir(stackDir: string): string {
  try {
    return realpathSync(stackDir);
  } catch {
    return path.resolve(stackDir);
  }
}

export function daemonPaths(stackDir: string, stackName: string): DaemonPaths {
  const dir = stateDir(stackDir);
  const key = createHash('sha256').update(`${canonicalDir(stackDir)}\0${stackName}`).digest('hex').slice(0, 24);
  const preferred = path.join(dir, `${stackName}.sock`);
  const socket =
    Buffer.byteLength(preferred) <= MAX_SOCKET_PATH
      ? preferred
      : path.join(tmpdir(), `stackctl-${process.getuid?.() ?? 'user'}`, `${key}.sock`);
  return {
    stateDir: dir,
    socket,
    info: path.join(dir, `${stackName}.daemon.json`),
    token: path.join(dir, `${stackName}.token`),
    log: path.join(dir, `${stackName}.daemon.log`),
    lockName: `\0stackctl-daemon-${key}`,
    lockFile: path.join(dir, `${stackName}.daemon.lock`),
  };
}
