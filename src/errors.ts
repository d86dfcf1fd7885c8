/**
 * The error hierarchy. Every error stackctl raises on purpose carries a stable `code` and structured
 * details; the CLI maps codes to exit codes and prints `message` (one line) — never a stack trace.
 * An InternalError is a bug in stackctl and says so.
 */
export interface SourceLocation {
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  col: number;
}

export function formatLocation(loc: SourceLocation): string {
  return loc.line > 0 ? `${loc.file}:${loc.line}:${loc.col}` : loc.file;
}

/** By file (code-unit order, the same on every machine), line, column. */
export function compareLocations(a: SourceLocation, b: SourceLocation): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col;
}

/** Sorted by location (compareLocations), stable for equal places: how every loader orders its diagnostics. */
export function sortByLocation<T extends { location: SourceLocation }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareLocations(a.location, b.location));
}

export interface StackctlErrorOptions {
  cause?: unknown;
  service?: string;
  location?: SourceLocation;
  hint?: string;
}

export abstract class StackctlError extends Error {
  abstract readonly code: string;
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;
  readonly service?: string;
  readonly location?: SourceLocation;
  readonly hint?: string;

  constructor(message: string, options: StackctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.service = options.service;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** One line for humans: `file:line:col: message`. */
  get shortMessage(): string {
    return this.location ? `${formatLocation(this.location)}: ${this.message}` : this.message;
  }
}

/** The user's input (flags, files) is unusable as given. */
export class UsageError extends StackctlError {
  readonly code = 'E_USAGE';
  override readonly exitCode = 2;
}

/** A stack file could not be read or parsed, or does not match the schema. */
export class ConfigError extends StackctlError {
  readonly code = 'E_CONFIG';
}

/** Validation found problems that stop the command (the findings are in `diagnostics`). */
export class ValidationError extends StackctlError {
  readonly code = 'E_VALIDATION';
}

/** The container engine refused or failed an operation. */
export class RuntimeError extends StackctlError {
  readonly code: string = 'E_RUNTIME';
}

/** The engine is not reachable at all. */
export class EngineUnavailableError extends RuntimeError {
  override readonly code = 'E_ENGINE_UNAVAILABLE';
}

/** A readiness probe did not pass before its deadline. */
export class ProbeTimeoutError extends StackctlError {
  readonly code = 'E_PROBE_TIMEOUT';
  constructor(
    message: string,
    readonly attempts: number,
    readonly lastError: string | undefined,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The operation was cancelled (Ctrl-C, AbortSignal). */
export class CancelledError extends StackctlError {
  readonly code = 'E_CANCELLED';
  override readonly exitCode = 130;
}

/** A bug in stackctl. */
export class InternalError extends StackctlError {
  readonly code = 'E_INTERNAL';
  override readonly exitCode = 70;
  constructor(message: string, options: StackctlErrorOptions = {}) {
    super(`internal error (a bug in stackctl, please report it): ${message}`, options);
  }
}

export function isStackctlError(error: unknown): error is StackctlError {
  return error instanceof StackctlError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
