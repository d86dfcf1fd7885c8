/**
 * Who holds a TCP port on this machine: the listening socket's inode from /proc/net/tcp{,6}, then
 * the process whose file descriptors point at it (/proc/<pid>/fd). Linux only; needs the right to
 * read other processes' fds (root, or the same user) — undefined when it cannot tell.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

export interface PortOwner {
  pid: number;
  /** Process name (/proc/<pid>/comm). */
  command: string;
  /** Its command line, shortened. */
  commandLine: string;
}

const LISTEN = '0A';

async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || fields[3] !== LISTEN) continue;
      const hexPort = local.slice(local.lastIndexOf(':') + 1);
      if (Number.parseInt(hexPort, 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  inodes.delete('0');
  return inodes;
}

export async function portOwner(port: number): Promise<PortOwner | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((entry) => /^\d+$/.test(entry));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (!wanted.has(target)) continue;
      const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ');
      return { pid: Number(pid), command, commandLine: commandLine.length > 120 ? `${commandLine.slice(0, 119)}…` : commandLine };
    }
  }
  return undefined;
}

/** "node (pid 1234)" — for messages. */
export function describeOwner(owner: PortOwner): string {
  const proxy = /-container-ip (\S+) -container-port (\d+)/.exec(owner.commandLine);
  if (owner.command === 'docker-proxy' && proxy) return `docker-proxy (pid ${owner.pid}) for a container's published port (${proxy[1]}:${proxy[2]})`;
  return `${owner.command} (pid ${owner.pid}${owner.commandLine && owner.commandLine !== owner.command ? `: ${owner.commandLine}` : ''})`;
}
