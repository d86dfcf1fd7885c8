/**
 * Which compose files make the project, as docker compose v2 decides it:
 *   -f FILE (repeatable)                  those files, in order (later files override earlier ones)
 *   else COMPOSE_FILE                     split on COMPOSE_PATH_SEPARATOR (default `:`; `;` on Windows)
 *   else the default file here            compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml
 *                                         + the first override beside it (compose.override.yml, …)
 * And which profiles are active: --profile (repeatable), else COMPOSE_PROFILES (comma-separated).
 * Pure functions of the working directory and the environment.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const COMPOSE_DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const COMPOSE_OVERRIDE_FILES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Files named by COMPOSE_FILE, absolute; undefined when it is unset or empty. */
export function composeFileFromEnv(env: Env, cwd: string, platform: NodeJS.Platform = process.platform): string[] | undefined {
  const value = env.COMPOSE_FILE;
  if (value === undefined || value.trim() === '') return undefined;
  const separator = env.COMPOSE_PATH_SEPARATOR || (platform === 'win32' ? ';' : ':');
  const files = value.split(separator).map((file) => file.trim()).filter((file) => file !== '');
  return files.length > 0 ? files.map((file) => path.resolve(cwd, file)) : undefined;
}

/** The override file docker compose reads beside a default compose file, when there is one. */
export function overrideFileFor(file: string): string | undefined {
  const base = path.basename(file);
  if (!(COMPOSE_DEFAULT_FILES as readonly string[]).includes(base)) return undefined;
  return COMPOSE_OVERRIDE_FILES.map((name) => path.join(path.dirname(file), name)).find((candidate) => existsSync(candidate));
}

/** Active profiles: the --profile flags, else COMPOSE_PROFILES. */
export function activeProfiles(flags: readonly string[] | undefined, env: Env): string[] {
  if (flags && flags.length > 0) return flags.flatMap((flag) => flag.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  return (env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** Whether a service runs with these profiles active (no `profiles:` = always; `*` activates every profile). */
export function serviceEnabled(profiles: readonly string[], active: readonly string[]): boolean {
  return profiles.length === 0 || active.includes('*') || profiles.some((profile) => active.includes(profile));
}
