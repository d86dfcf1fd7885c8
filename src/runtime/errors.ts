/**
 * Errors the container runtime raises, each a RuntimeError (src/errors.ts) with a stable code and the
 * structured fields the diagnosis needs (failing build step, last output lines, the object refused).
 */
import { RuntimeError, type StackctlErrorOptions } from '../errors.js';

/** An image build failed: carries the failing step and the last lines of the build output. */
export class ImageBuildError extends RuntimeError {
  override readonly code = 'E_IMAGE_BUILD';
  constructor(
    message: string,
    /** e.g. `Step 4/7 : RUN pip install -e ../pyairtable-common`; undefined when it failed before any step. */
    readonly step: string | undefined,
    /** The last lines of the build output (newest last). */
    readonly outputTail: string[],
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** An image is absent locally and could not be pulled (no registry reachable, or no such image there). */
export class ImageNotFoundError extends RuntimeError {
  override readonly code = 'E_IMAGE_NOT_FOUND';
  constructor(
    message: string,
    readonly image: string,
    /** True when the registry could not be reached at all (as opposed to: it has no such image). */
    readonly registryUnreachable: boolean,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

export type EngineObjectKind = 'container' | 'network' | 'volume';

/**
 * stackctl refused to touch an object because it does not carry the stack's label (it belongs to
 * someone else, or to another stack). Nothing was changed.
 */
export class NotOwnedError extends RuntimeError {
  override readonly code = 'E_NOT_OWNED';
  constructor(
    message: string,
    readonly kind: EngineObjectKind,
    readonly objectName: string,
    /** The stack label the object carries, if any. */
    readonly ownerStack: string | undefined,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** A build feature the engine cannot honour (e.g. additional_contexts on the classic builder). */
export class UnsupportedBuildFeatureError extends RuntimeError {
  override readonly code = 'E_BUILD_UNSUPPORTED';
}

/** A host port the container publishes is already taken. */
export class PortInUseError extends RuntimeError {
  override readonly code = 'E_PORT_IN_USE';
  constructor(
    message: string,
    readonly hostPort: number | undefined,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * The engine refused to start a container because of its own leftover state — typically after the
 * engine was restarted or crashed while the container was starting or stopping: a network endpoint
 * of the same name still registered, a containerd task that still exists, a network that no longer
 * exists. Starting it again cannot work; recreating it (volumes kept) does.
 */
export class StaleContainerError extends RuntimeError {
  override readonly code = 'E_STALE_CONTAINER';
  constructor(
    message: string,
    /** The engine's words. */
    readonly engineError: string,
    options: StackctlErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Engine errors on start that mean stale engine state, not a problem of the container's own. */
const STALE_START_ERRORS = [
  /endpoint with name .+ already exists in network/i,
  /\btask [0-9a-f]{12,}: already exists/i,
  /network [0-9a-f]{12,} not found/i,
  /failed to update store for object type \*libnetwork/i,
  /failed to get network during CreateEndpoint/i,
  /container [0-9a-f]{12,}.* is marked for removal/i,
];

export function isStaleStartError(message: string): boolean {
  return STALE_START_ERRORS.some((pattern) => pattern.test(message));
}
