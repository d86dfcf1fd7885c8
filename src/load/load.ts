/**
 * The one entry point for loading a stack file of either format:
 *
 *   loadStack(file | files, { env?, cwd?, profiles? }) → Promise<{ stack?, diagnostics, format }>
 *
 * Several files are compose files merged in order (`-f base.yml -f override.yml`).
 *
 * The format is detected from the content: a top-level `stackctl:` key, stackctl-only top-level keys
 * (`thresholds`, `suite`), or a service using stackctl-only keys (`readiness`, `requires_env`,
 * `start_timeout`, `restart_dependents`) make it stack.yaml; anything else is a compose file and goes to
 * src/compose/load-compose.ts. `stack` is present only when loading found no error. Never throws for
 * any input: an unexpected exception is a bug and becomes an InternalError.
 */
import path from 'node:path';
import { InternalError, errorMessage } from '../errors.js';
import type { StackFormat } from '../config/model.js';
import type { LoadOptions, LoadResult, ResolvedLoadOptions } from '../config/load-types.js';
import { readYamlSource, type YamlSource } from '../config/yaml-source.js';
import { notAStackFile, STACK_FILE_KEYS } from '../config/stack-file-shape.js';
import { isRecord } from '../is-record.js';
import { loadStackYaml } from '../config/load-stack.js';
import { STACKCTL_ONLY_SERVICE_KEYS } from '../config/schema.js';
import { loadCompose } from '../compose/load-compose.js';
import { activeProfiles } from '../compose/compose-files.js';

export type { LoadOptions, LoadResult } from '../config/load-types.js';

export async function loadStack(file: string | readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const resolved = resolveOptions(options);
  const files = (typeof file === 'string' ? [file] : [...file]).map((f) => path.resolve(resolved.cwd, f));
  let format: StackFormat = guessFormatFromName(files[0] ?? '');
  try {
    const sources = await Promise.all(files.map((f) => readYamlSource(f, resolved.env)));
    for (const source of sources) {
      const notStack = notAStackFile(source, STACK_FILE_KEYS, 'a stack file');
      if (notStack) {
        return {
          diagnostics: [{ code: 'FILE003', severity: 'error', location: { file: source.file, line: 0, col: 0 }, message: notStack, hint: 'give stack.yaml or a docker-compose file with -f (see docs/stack-yaml.md)' }],
          format,
        };
      }
    }
    if (sources.some((source) => !source.ok)) return { diagnostics: sources.flatMap((source) => source.diagnostics), format };
    const formats = sources.map((source) => detectFormat(source.value, source.file));
    format = formats[0] ?? format;
    if (sources.length > 1 && formats.includes('stackctl')) {
      const stackFile = sources[formats.indexOf('stackctl')]!;
      return {
        format,
        diagnostics: [{ code: 'FILE002', severity: 'error', location: { file: stackFile.file, line: 1, col: 1 }, message: 'several -f files are merged only for compose files; this one is a stack.yaml', hint: 'give a stack.yaml alone with -f, or merge compose files (-f compose.yml -f compose.override.yml)' }],
      };
    }
    return format === 'stackctl' ? await loadStackYaml(sources[0]!, resolved) : await loadCompose(sources, resolved);
  } catch (error) {
    if (error instanceof InternalError) throw error;
    throw new InternalError(`loading ${files.join(', ')} failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** Loads from an already parsed source (tests, tools that hold the text in memory). */
export async function loadStackSource(source: YamlSource, options: LoadOptions = {}): Promise<LoadResult> {
  const resolved = resolveOptions(options);
  if (!source.ok) return { diagnostics: source.diagnostics, format: guessFormatFromName(source.file) };
  const format = detectFormat(source.value, source.file);
  return format === 'stackctl' ? loadStackYaml(source, resolved) : loadCompose([source], resolved);
}

function resolveOptions(options: LoadOptions): ResolvedLoadOptions {
  const env = options.env ?? process.env;
  // Without --profile, the loader decides: COMPOSE_PROFILES may also come from the project's .env.
  const cwd = options.cwd ?? process.cwd();
  return {
    env,
    cwd,
    ...(options.profiles && options.profiles.length > 0 ? { profiles: activeProfiles(options.profiles, env) } : {}),
    ...(options.envFiles && options.envFiles.length > 0 ? { envFiles: options.envFiles.map((file) => path.resolve(cwd, file)) } : {}),
  };
}

export function detectFormat(value: unknown, file = ''): StackFormat {
  if (!isRecord(value)) return guessFormatFromName(file);
  if ('stackctl' in value || 'thresholds' in value || 'suite' in value) return 'stackctl';
  const services = value.services;
  if (isRecord(services)) {
    for (const service of Object.values(services)) {
      if (isRecord(service) && STACKCTL_ONLY_SERVICE_KEYS.some((key) => key in service)) return 'stackctl';
    }
  }
  if ('version' in value) return 'compose';
  // No distinguishing key: a file named stack.y(a)ml is meant as stack.yaml (so its errors are
  // reported against the stack.yaml schema), anything else is compose.
  return guessFormatFromName(file);
}

function guessFormatFromName(file: string): StackFormat {
  // stack.yaml, and any name.stack.yaml (pyairtable.stack.yaml is what `import` writes).
  return /(^|[\\/.])stack\.ya?ml$/i.test(file) ? 'stackctl' : 'compose';
}
