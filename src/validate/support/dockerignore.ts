/** The build context's ignore rules: `<Dockerfile>.dockerignore` beside the Dockerfile wins over `.dockerignore`. */
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import type { FileCache } from './files.js';

export interface IgnoreRules {
  /** The file the rules came from, when there is one. */
  file?: string;
  /** Context-relative path (with `/`) excluded from the context? */
  ignores(relative: string): boolean;
}

export function ignoreRules(context: string, dockerfile: string | undefined, files: FileCache): IgnoreRules {
  const candidates = [dockerfile ? `${dockerfile}.dockerignore` : undefined, path.join(context, '.dockerignore')].filter(
    (c): c is string => c !== undefined,
  );
  for (const file of candidates) {
    const text = files.text(file);
    if (text === undefined) continue;
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const rules = dockerignore.default().add(lines);
    return {
      file,
      ignores: (relative) => {
        const clean = relative.replace(/^\.?\/+/, '').replace(/\/+$/, '');
        if (clean === '' || clean === '.') return false;
        try {
          return rules.ignores(clean);
        } catch {
          return false;
        }
      },
    };
  }
  return { ignores: () => false };
}
