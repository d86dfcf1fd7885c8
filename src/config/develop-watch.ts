/**
 * `develop.watch`, the same syntax in stack.yaml and compose files (compose-spec's develop section):
 *   develop:
 *     watch:
 *       - { path: ./app, action: sync+restart, target: /app, ignore: [__pycache__/] }
 *       - { path: ./requirements.txt, action: rebuild }
 */
import path from 'node:path';
import type { SourceLocation } from '../errors.js';
import type { WatchAction, WatchRule } from './model.js';

const ACTIONS: readonly WatchAction[] = ['sync', 'sync+restart', 'rebuild'];

export interface WatchProblem {
  /** Key path below `develop`. */
  at: Array<string | number>;
  message: string;
  hint: string;
}

/** Parses a service's `develop` value; paths resolve against `dir`. */
export function parseDevelopWatch(
  value: unknown,
  dir: string,
  locate: (at: Array<string | number>) => SourceLocation,
): { rules: WatchRule[]; problems: WatchProblem[] } {
  const rules: WatchRule[] = [];
  const problems: WatchProblem[] = [];
  if (value === undefined || value === null) return { rules, problems };
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ at: [], message: 'expected a mapping with `watch`', hint: 'write `develop: { watch: [{ path: ./src, action: rebuild }] }`' });
    return { rules, problems };
  }
  const watch = (value as Record<string, unknown>).watch;
  if (watch === undefined || watch === null) return { rules, problems };
  if (!Array.isArray(watch)) {
    problems.push({ at: ['watch'], message: 'expected a list of watch rules', hint: 'write `watch: [{ path: ./src, action: rebuild }]`' });
    return { rules, problems };
  }
  watch.forEach((entry: unknown, index) => {
    const at = ['watch', index];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ at, message: 'expected { path, action, target?, ignore? }', hint: 'write `- { path: ./src, action: rebuild }`' });
      return;
    }
    const rule = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(rule).filter((key) => !['path', 'action', 'target', 'ignore', 'include', 'initial_sync'].includes(key) && !key.startsWith('x-'));
    for (const key of unknownKeys) problems.push({ at: [...at, key], message: `unknown key \`${key}\` in a watch rule`, hint: 'a watch rule has path, action, target and ignore' });
    if (typeof rule.path !== 'string' || rule.path === '') {
      problems.push({ at: [...at, 'path'], message: 'a watch rule needs `path`', hint: 'name the file or directory to watch, relative to this file' });
      return;
    }
    if (typeof rule.action !== 'string' || !ACTIONS.includes(rule.action as WatchAction)) {
      problems.push({ at: [...at, 'action'], message: `\`action\` must be one of ${ACTIONS.join(', ')}`, hint: 'sync copies changed files into the container; rebuild builds the image again and replaces the container' });
      return;
    }
    const action = rule.action as WatchAction;
    if (action !== 'rebuild' && (typeof rule.target !== 'string' || !rule.target.startsWith('/'))) {
      problems.push({ at: [...at, 'target'], message: `\`${action}\` needs \`target\`, an absolute path in the container`, hint: 'write `target: /app` — where the files of `path` live in the container' });
      return;
    }
    const ignore = rule.ignore === undefined ? [] : Array.isArray(rule.ignore) && rule.ignore.every((p) => typeof p === 'string') ? (rule.ignore as string[]) : undefined;
    if (ignore === undefined) {
      problems.push({ at: [...at, 'ignore'], message: 'expected a list of patterns', hint: 'write `ignore: [node_modules/, "*.pyc"]`' });
      return;
    }
    rules.push({
      path: path.resolve(dir, rule.path),
      action,
      ...(typeof rule.target === 'string' ? { target: rule.target } : {}),
      ignore,
      location: locate(at),
    });
  });
  return { rules, problems };
}
