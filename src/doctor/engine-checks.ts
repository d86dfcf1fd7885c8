/**
 * What doctor reads from the engine's own answers (version, info) and from this host: version and
 * API, storage driver, free disk under the engine's root, clock skew, memory and cgroup limits.
 * Pure apart from statfs and /sys reads; the engine's answers come in as EngineInfo.
 */
import { readFile, statfs } from 'node:fs/promises';
import type { EngineInfo } from '../runtime/runtime.js';
import { check, type DoctorCheck } from './check.js';

const GIB = 1024 ** 3;
/** The oldest engine API stackctl is tested with (Debian bookworm's dockerd 20.10). */
export const MIN_API = '1.41';

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

function apiAtLeast(version: string, min: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

export function versionCheck(info: EngineInfo): DoctorCheck {
  const detail = `Docker ${info.serverVersion}, API ${info.apiVersion}${info.minApiVersion ? ` (accepts ≥ ${info.minApiVersion})` : ''}, ${info.os}, kernel ${info.kernel}, ${info.cpus} CPUs`;
  if (!apiAtLeast(info.apiVersion, MIN_API)) return check('version', 'warning', detail, `stackctl is tested with API ≥ ${MIN_API} (dockerd 20.10); upgrade the engine if something fails`);
  return check('version', 'ok', detail);
}

export function storageCheck(info: EngineInfo): DoctorCheck {
  const detail = `storage driver ${info.storageDriver || '(unknown)'}, root ${info.rootDir}`;
  if (info.storageDriver === 'vfs') return check('storage', 'warning', detail, 'vfs copies every layer in full: builds are slow and disk-hungry; use overlay2 (dockerd --storage-driver=overlay2) where the kernel has overlayfs');
  if (info.storageDriver === 'devicemapper' || info.storageDriver === 'aufs') return check('storage', 'warning', detail, `${info.storageDriver} is deprecated; move to overlay2`);
  return check('storage', 'ok', detail);
}

/** Free space where images and volumes live; only when the engine runs on this host. */
export async function diskCheck(info: EngineInfo, local: boolean): Promise<DoctorCheck> {
  if (!local || !info.rootDir) return check('disk', 'skipped', `the engine is not on this host (${info.endpoint}): free space not measured`);
  const places = [info.rootDir, `${info.rootDir}/volumes`];
  const seen = new Map<string, { free: number; total: number; where: string[] }>();
  for (const where of places) {
    const stats = await statfs(where).catch(() => undefined);
    if (!stats) continue;
    const key = `${stats.blocks}:${stats.bfree}`;
    const entry = seen.get(key) ?? { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize, where: [] };
    entry.where.push(where === info.rootDir ? `images (${where})` : `volumes (${where})`);
    seen.set(key, entry);
  }
  if (seen.size === 0) return check('disk', 'skipped', `cannot read ${info.rootDir} from here: free space not measured`);
  const parts = [...seen.values()];
  const detail = parts.map((p) => `${gib(p.free)} free of ${gib(p.total)} for ${p.where.join(' and ')}`).join('; ');
  const low = parts.find((p) => p.free < GIB);
  if (low) return check('disk', 'error', detail, 'builds and volumes will fail: free space (docker system prune removes unused images, docker volume prune unused volumes)');
  const tight = parts.find((p) => p.free < 5 * GIB || p.free / p.total < 0.1);
  if (tight) return check('disk', 'warning', detail, 'less than 5 GiB or 10% left: docker system prune removes unused images and build cache');
  return check('disk', 'ok', detail);
}

/** Host clock vs the engine's, measured around the request (half its round trip is the uncertainty). */
export function clockCheck(info: EngineInfo, sentAt: number, receivedAt: number): DoctorCheck {
  if (!info.systemTime) return check('clock', 'skipped', 'the engine did not report its time');
  const host = (sentAt + receivedAt) / 2;
  const skew = info.systemTime.getTime() - host;
  const slack = (receivedAt - sentAt) / 2;
  const detail = `engine clock ${skew >= 0 ? '+' : ''}${(skew / 1000).toFixed(3)} s from this host (±${(slack / 1000).toFixed(3)} s)`;
  const abs = Math.max(0, Math.abs(skew) - slack);
  if (abs >= 30_000) return check('clock', 'error', detail, 'TLS, JWT expiry and log timelines break with this skew: sync the clocks (systemd-timesyncd / chrony on both hosts)');
  if (abs >= 2000) return check('clock', 'warning', detail, 'event timelines and token expiry may disagree: sync the clocks (timedatectl set-ntp true)');
  return check('clock', 'ok', detail);
}

/** This process's cgroup memory limit (v2 memory.max or v1 limit_in_bytes); undefined when none. */
async function ownCgroupLimit(): Promise<number | undefined> {
  const cgroup = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  const v2 = /^0::(.*)$/m.exec(cgroup)?.[1];
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(cgroup)?.[1];
  const candidates = [
    ...(v1 !== undefined ? [`/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes`, '/sys/fs/cgroup/memory/memory.limit_in_bytes'] : []),
    ...(v2 !== undefined ? [`/sys/fs/cgroup${v2}/memory.max`] : []),
  ];
  for (const file of candidates) {
    const text = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (text === '') continue;
    if (text === 'max') return undefined;
    const bytes = Number(text);
    // cgroup v1 says "no limit" with a huge number.
    return Number.isFinite(bytes) && bytes < 2 ** 60 ? bytes : undefined;
  }
  return undefined;
}

export async function memoryCheck(info: EngineInfo): Promise<DoctorCheck> {
  const own = await ownCgroupLimit();
  const cgroup = info.cgroupVersion ? `cgroup v${info.cgroupVersion}${info.cgroupDriver ? ` (${info.cgroupDriver} driver)` : ''}` : 'cgroups';
  const detail = `engine sees ${gib(info.memTotalBytes)}; ${cgroup}; memory limits ${info.memoryLimitSupported ? 'enforced' : 'NOT enforced'}${info.swapLimitSupported ? '' : ', swap limits not enforced'}; this shell's cgroup limit ${own === undefined ? 'none' : gib(own)}`;
  if (!info.memoryLimitSupported) return check('memory', 'warning', detail, 'the kernel does not enforce container memory limits (mem_limit is ignored): enable the memory cgroup controller (cgroup_enable=memory on the kernel command line)');
  if (info.memTotalBytes > 0 && info.memTotalBytes < 2 * GIB) return check('memory', 'warning', detail, 'less than 2 GiB for every container together: a ten-service stack will be OOM-killed; give the engine more memory');
  if (own !== undefined && own < 2 * GIB) return check('memory', 'warning', detail, `this session may use only ${gib(own)}: builds and the CLI may be OOM-killed`);
  return check('memory', 'ok', detail);
}
