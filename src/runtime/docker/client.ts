/**
 * The dockerode client and how to connect it. Everything under src/runtime/docker/ talks to the
 * engine through the one client made here; nothing outside that folder imports dockerode.
 */
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import type { Redactor } from '../../secrets.js';
import { deferDockerodeExtras } from '../defer-dockerode-extras.js';

// Required, not imported, so that it loads after deferDockerodeExtras(): static imports are
// evaluated before a module's own code, and in the bundle that includes this module's.
deferDockerodeExtras();
export const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;

export interface DockerRuntimeOptions {
  /** dockerode/docker-modem connection options; default: DOCKER_HOST, else /var/run/docker.sock. */
  docker?: Docker.DockerOptions;
  /** Bind the runtime to one stack: container operations refuse containers of any other stack. */
  stack?: string;
  /** Applied to build output and error messages (build args may be secrets). */
  redactor?: Redactor;
  /** Build output lines an ImageBuildError keeps (default 30). */
  buildOutputTail?: number;
  /** DOCKER_HOST of the caller's environment (unix://… or tcp://host:port), when not process.env's. */
  dockerHost?: string;
  /** How long ping waits for the engine (default 5000 ms). */
  pingTimeoutMs?: number;
}

/** A DOCKER_HOST value → connection options; undefined leaves docker-modem to read process.env. */
export function dockerOptionsFromHost(host: string | undefined): Docker.DockerOptions | undefined {
  if (!host) return undefined;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  try {
    const url = new URL(host.includes('//') ? host : `tcp://${host}`);
    if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { host: url.hostname, port: url.port || (url.protocol === 'https:' ? '2376' : '2375'), protocol: url.protocol === 'https:' ? 'https' : 'http' };
  } catch {
    return undefined;
  }
}
