/**
 * STUB — placeholder created by the foundation engineer (src/config/) so `loadStack` can dispatch
 * compose files before the compose loader exists. The compose engineer REPLACES this file.
 * Contract: loadCompose(source, options) → Promise<LoadResult>; never throws for any input.
 */
import type { LoadResult, ResolvedLoadOptions } from '../config/load-types.js';
import type { YamlSource } from '../config/yaml-source.js';

export async function loadCompose(source: YamlSource, _options: ResolvedLoadOptions): Promise<LoadResult> {
  return {
    format: 'compose',
    diagnostics: [
      ...source.diagnostics,
      {
        code: 'COMPOSE000',
        severity: 'error',
        location: { file: source.file, line: 1, col: 1 },
        message: 'compose files are not supported yet',
        hint: 'write a stack.yaml (see docs/stack-yaml.md), or add a top-level `stackctl: 1` key if this is one',
      },
    ],
  };
}
