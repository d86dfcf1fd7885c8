/** Errors of the daemon room. They extend the shared hierarchy (src/errors.ts) without changing it. */
import { StackctlError, type StackctlErrorOptions } from '../errors.js';

/** A second daemon for the same stack refuses to start. */
export class DaemonAlreadyRunningError extends StackctlError {
  readonly code = 'E_DAEMON_RUNNING';
  constructor(
    message: string,
    readonly pid: number | undefined,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The daemon's socket or port does not answer (it stopped, or was killed mid-request). */
export class DaemonUnavailableError extends StackctlError {
  readonly code = 'E_DAEMON_UNAVAILABLE';
}

/** The daemon answered a request with an error status. */
export class DaemonApiError extends StackctlError {
  readonly code: string = 'E_DAEMON_API';
  constructor(
    message: string,
    readonly status: number,
    readonly apiCode: string,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The daemon refused the request's credentials (missing or wrong bearer token). */
export class DaemonAuthError extends DaemonApiError {
  override readonly code = 'E_DAEMON_AUTH';
}

/** An action (up, down, test, restart) is already running; the API answers 409. */
export class DaemonBusyError extends StackctlError {
  readonly code = 'E_DAEMON_BUSY';
}
