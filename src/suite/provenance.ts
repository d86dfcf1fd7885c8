/**
 * Where a run comes from, recorded with its report: the stack's config hash (a stable digest of the
 * normalised Stack — the same per-service documents the plan hashes, so reordering or comments do
 * not change it) and the git commit of the stack's directory, when there is one.
 */
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import type { Stack } from '../config/model.js';
import { configDocument } from '../plan/config-hash.js';
import type { GitInfo } from '../report/model.js';

export function stackConfigHash(stack: Stack): string {
  const services = [...stack.services]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((service) => [service.name, configDocument(stack, service, service.image ?? `build:${service.build?.context ?? ''}`)]);
  return createHash('sha256').update(JSON.stringify({ name: stack.name, services })).digest('hex');
}

export async function gitInfo(dir: string): Promise<GitInfo | undefined> {
  const git = (args: string[]) => execa('git', args, { cwd: dir, reject: false, timeout: 5000, stdin: 'ignore' });
  const head = await git(['rev-parse', 'HEAD']);
  if (head.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(String(head.stdout).trim())) return undefined;
  const info: GitInfo = { commit: String(head.stdout).trim(), dirty: false };
  const branch = await git(['rev-parse', '--abbrev-ref', 'HEAD']);
  const name = String(branch.stdout).trim();
  if (branch.exitCode === 0 && name && name !== 'HEAD') info.branch = name;
  const status = await git(['status', '--porcelain', '--untracked-files=no']);
  info.dirty = status.exitCode === 0 && String(status.stdout).trim().length > 0;
  return info;
}
