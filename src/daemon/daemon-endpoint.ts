/**
 * How clients find the daemon and reach it: the stack's single-instance lock (a second daemon is
 * refused), the API server on its socket (and on loopback TCP when asked), and the info file that
 * names them. `open` sets all of it up or nothing; `close` takes it all away.
 */
import { rmSync } from 'node:fs';
import type { Stack } from '../config/model.js';
import type { Redactor } from '../secrets.js';
import { startApiServer, type ApiServer, type DaemonBackend } from './api-server.js';
import { acquireDaemonLock, removeDaemonInfo, writeDaemonInfo, type DaemonLock } from './lock.js';
import type { DaemonPaths } from './paths.js';

export interface EndpointOptions {
  stack: Pick<Stack, 'name' | 'dir' | 'file'>;
  paths: DaemonPaths;
  tcp?: { host: string; port: number; token: string };
  backend: DaemonBackend;
  redactor: Redactor;
  version: string;
  /** When the daemon started (epoch ms), for the info file. */
  startedAt: number;
  onError: (error: unknown) => void;
}

export class DaemonEndpoint {
  private constructor(
    private readonly paths: DaemonPaths,
    private readonly lock: DaemonLock,
    private readonly api: ApiServer,
  ) {}

  /** Takes the lock (refusing a second daemon), starts the API and writes the info file. */
  static async open(options: EndpointOptions): Promise<DaemonEndpoint> {
    const { stack, paths } = options;
    const lock = await acquireDaemonLock(stack.name, paths);
    let api: ApiServer | undefined;
    try {
      api = await startApiServer({ socketPath: paths.socket, tcp: options.tcp, backend: options.backend, redactor: options.redactor, onError: options.onError });
      writeDaemonInfo(paths.info, {
        pid: process.pid,
        stack: stack.name,
        stackDir: stack.dir,
        stackFile: stack.file,
        socket: paths.socket,
        ...(api.tcpAddress ? { listen: api.tcpAddress } : {}),
        startedAt: new Date(options.startedAt).toISOString(),
        version: options.version,
      });
    } catch (error) {
      await api?.close();
      lock.release();
      throw error;
    }
    return new DaemonEndpoint(paths, lock, api);
  }

  /** `127.0.0.1:PORT` when serving on TCP. */
  get tcpAddress(): string | undefined {
    return this.api.tcpAddress;
  }

  /** Stops serving, removes the info file and the socket, and frees the lock. */
  async close(): Promise<void> {
    await this.api.close();
    removeDaemonInfo(this.paths.info);
    rmSync(this.paths.socket, { force: true });
    this.lock.release();
  }
}
