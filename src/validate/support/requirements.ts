/**
 * Dependency manifests that point at local paths: requirements*.txt (`-e ../lib`, `../lib`,
 * `file:../lib`, `pkg @ file:../lib`, `-r ../other.txt`), package.json (`file:`, `link:`, `portal:`),
 * pyproject.toml (`path = "../lib"`, `@ file:../lib`). Each reference carries its file:line:col.
 */
import path from 'node:path';
import type { FileCache } from './files.js';

export interface PathReference {
  /** The manifest. */
  file: string;
  line: number;
  col: number;
  /** As written, e.g. `-e ../pyairtable-common`. */
  written: string;
  /** Absolute target. */
  target: string;
}

const MANIFEST = /^(requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|pyproject\.toml|package\.json)$/;
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', 'dist', 'build']);

export function isManifest(name: string): boolean {
  return MANIFEST.test(name);
}

/** Manifests under `start` (a file or directory), at most `depth` levels down. */
export function findManifests(start: string, files: FileCache, depth = 4, accept: (file: string) => boolean = () => true): string[] {
  if (files.isFile(start)) return isManifest(path.basename(start)) && accept(start) ? [start] : [];
  const out: string[] = [];
  const walk = (dir: string, level: number): void => {
    for (const name of files.list(dir) ?? []) {
      const full = path.join(dir, name);
      if (!accept(full)) continue;
      if (isManifest(name) && files.isFile(full)) out.push(full);
      else if (level < depth && !SKIP_DIRS.has(name) && files.isDirectory(full)) walk(full, level + 1);
    }
  };
  if (files.isDirectory(start)) walk(start, 0);
  return out;
}

export function pathReferences(file: string, text: string): PathReference[] {
  const base = path.basename(file);
  const dir = path.dirname(file);
  const out: PathReference[] = [];
  const lines = text.split(/\r?\n/);
  const add = (lineIndex: number, written: string, target: string, at: string): void => {
    const col = (lines[lineIndex] ?? '').indexOf(at);
    out.push({ file, line: lineIndex + 1, col: col >= 0 ? col + 1 : 1, written: written.trim(), target: resolveTarget(dir, target) });
  };
  lines.forEach((raw, index) => {
    const line = base === 'package.json' || base === 'pyproject.toml' ? raw : raw.replace(/(^|\s)#.*$/, '');
    if (base === 'package.json') {
      const m = /"[^"]+"\s*:\s*"((?:file|link|portal):([^"]+))"/.exec(line);
      if (m) add(index, m[1]!, m[2]!, m[1]!);
      return;
    }
    if (base === 'pyproject.toml') {
      const p = /\bpath\s*=\s*["']([^"']+)["']/.exec(line);
      if (p) add(index, p[0], p[1]!, p[1]!);
      const f = /@\s*(file:(?:\/\/)?([^"'\s,\]]+))/.exec(line);
      if (f) add(index, f[1]!, f[2]!, f[1]!);
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '') return;
    const editable = /^(?:-e|--editable)(?:\s+|=)(\S+)/.exec(trimmed);
    const include = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(trimmed);
    const at = /@\s*(file:(?:\/\/)?(\S+))/.exec(trimmed);
    const bare = /^(\.{1,2}\/\S*|\/\S+|file:(?:\/\/)?\S+)/.exec(trimmed);
    if (editable) {
      const target = editable[1]!;
      if (isLocal(target)) add(index, trimmed, stripFile(target), target);
    } else if (include) {
      if (isLocal(include[1]!)) add(index, trimmed, stripFile(include[1]!), include[1]!);
    } else if (at) {
      add(index, at[1]!, at[2]!, at[1]!);
    } else if (bare) {
      add(index, bare[1]!, stripFile(bare[1]!), bare[1]!);
    }
  });
  return out;
}

function isLocal(target: string): boolean {
  return target.startsWith('.') || target.startsWith('/') || target.startsWith('file:');
}

function stripFile(target: string): string {
  return target.replace(/^file:(\/\/)?/, '').replace(/[#[].*$/, '');
}

function resolveTarget(dir: string, target: string): string {
  const clean = target.replace(/^file:(\/\/)?/, '').replace(/[#[].*$/, '');
  return path.resolve(dir, clean);
}
