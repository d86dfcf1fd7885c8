/**
 * Changed files → what each service needs, the least that makes the change live. Pure: the rules
 * and ignore matchers come in, nothing is read from disk.
 *
 * A path counts for a rule when it is the rule's path or below it, is not matched by the rule's
 * `ignore`, and — when it lies in the service's build context — is not excluded by the context's
 * .dockerignore (a file the build never sees cannot change the image). Of several rules matching
 * one service, the strongest action wins: rebuild > sync+restart > sync.
 */
import path from 'node:path';
import type { WatchAction, WatchRule } from '../config/model.js';
import type { SyncBatch } from '../runtime/runtime.js';
import type { ServiceRules } from './rules.js';

export interface ChangedPath {
  path: string;
  /** False when the path was deleted. */
  exists: boolean;
}

export interface ServiceChange {
  service: string;
  action: WatchAction;
  /** Relative paths (to the rule or context) that caused it, for the live view. */
  files: string[];
  /** For sync actions: what to copy in, per rule. */
  syncs: SyncBatch[];
  /** For sync actions: container paths of deleted files. */
  deletions: string[];
}

/** Answers whether a path relative to a root is excluded (Docker's .dockerignore matching). */
export type IgnoreMatcher = (relPath: string) => boolean;

export interface Matchers {
  /** The rule's own `ignore` patterns. */
  forRule(rule: WatchRule): IgnoreMatcher;
  /** The build context's .dockerignore; undefined when the context has none. */
  forContext(context: string): IgnoreMatcher | undefined;
}

const STRENGTH: Record<WatchAction, number> = { sync: 1, 'sync+restart': 2, rebuild: 3 };

export function planChanges(services: ServiceRules[], changed: ChangedPath[], matchers: Matchers): ServiceChange[] {
  const out: ServiceChange[] = [];
  for (const entry of services) {
    let change: ServiceChange | undefined;
    const contextIgnore = entry.context ? matchers.forContext(entry.context) : undefined;
    for (const rule of entry.rules) {
      const ruleIgnore = matchers.forRule(rule);
      for (const file of changed) {
        const rel = below(rule.path, file.path);
        if (rel === undefined) continue;
        if (rel !== '' && ruleIgnore(rel)) continue;
        if (entry.context && contextIgnore) {
          const inContext = below(entry.context, file.path);
          if (inContext !== undefined && inContext !== '' && contextIgnore(inContext)) continue;
        }
        change ??= { service: entry.service, action: rule.action, files: [], syncs: [], deletions: [] };
        if (STRENGTH[rule.action] > STRENGTH[change.action]) change.action = rule.action;
        const shown = rel === '' ? path.basename(file.path) : rel;
        if (!change.files.includes(shown)) change.files.push(shown);
        if (rule.action !== 'rebuild' && rule.target) addSync(change, rule, rel, file);
      }
    }
    if (change) out.push(change);
  }
  return out;
}

/** `file` relative to `root` with `/` separators ('' when equal); undefined when outside it. */
function below(root: string, file: string): string | undefined {
  const rel = path.relative(root, file);
  if (rel === '') return '';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function addSync(change: ServiceChange, rule: WatchRule, rel: string, file: ChangedPath): void {
  // A rule on a single file syncs that file onto `target` itself.
  const hostDir = rel === '' ? path.dirname(rule.path) : rule.path;
  const entry = rel === '' ? path.basename(rule.path) : rel;
  const containerDir = rel === '' ? path.posix.dirname(rule.target!) : rule.target!;
  if (!file.exists) {
    change.deletions.push(path.posix.join(containerDir, entry));
    return;
  }
  let batch = change.syncs.find((candidate) => candidate.hostDir === hostDir && candidate.containerDir === containerDir);
  if (!batch) {
    batch = { hostDir, containerDir, entries: [] };
    change.syncs.push(batch);
  }
  if (!batch.entries.includes(entry)) batch.entries.push(entry);
}
