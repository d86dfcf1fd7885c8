/** What every stack loader (stack.yaml, compose) takes and returns. */
import type { Stack, StackFormat } from './model.js';
import type { Diagnostic } from '../diagnostic.js';

export interface LoadOptions {
  /** Variables for interpolation; default process.env. The stack's `.env` files lie underneath. */
  env?: NodeJS.ProcessEnv;
  /** Directory a relative `file` is resolved against; default process.cwd(). */
  cwd?: string;
  /** Compose profiles to activate (--profile); default COMPOSE_PROFILES from `env`. */
  profiles?: string[];
  /** --env-file: read instead of the project's `.env` (in order, a later file wins). */
  envFiles?: string[];
}

export interface LoadResult {
  /** Present when loading found no error (warnings allowed). */
  stack?: Stack;
  /** Every finding of loading (syntax, interpolation, schema), in file order. */
  diagnostics: Diagnostic[];
  format: StackFormat;
  /**
   * Secret values known even when loading failed (values of secret-looking or declared-secret
   * variables), so a CLI can redact the findings it prints. Equals stack.secretValues on success.
   */
  secretValues?: string[];
}

/** Options a format-specific loader receives: everything resolved. */
export interface ResolvedLoadOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Active compose profiles (--profile, else COMPOSE_PROFILES); default: COMPOSE_PROFILES from `env`. */
  profiles?: string[];
  /** --env-file, absolute: read instead of the project's `.env`. */
  envFiles?: string[];
}
