/**
 * tcp: a connection to the published port is accepted and stays open.
 *
 * "Stays open" matters: Docker's userland proxy (docker-proxy) accepts every connection on a
 * published port at once, then closes it when nothing listens inside the container. So an accepted
 * connection counts only once it has survived `settleMs` (default 100 ms) — or the server spoke first.
 */
import net from 'node:net';
import type { ProbeSpec } from '../config/model.js';
import type { Probe, ProbeTarget } from './probe.js';
import { ProbeError } from './probe-failure.js';
import { abortedError, hostPortLabel, netFailure, requireHostPort, type ProbeOptions } from './support.js';

/** The model's tcp probe (config/model.ts ProbeSpec). */
export type TcpProbeSpec = Extract<ProbeSpec, { kind: 'tcp' }>;

export class TcpProbe implements Probe {
  private readonly settleMs: number;

  constructor(
    private readonly spec: TcpProbeSpec,
    options: ProbeOptions = {},
  ) {
    this.settleMs = options.tcpSettleMs ?? 100;
  }

  describe(target: ProbeTarget): string {
    return `tcp connect to ${hostPortLabel(target, this.spec.port)}`;
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    const port = requireHostPort(target, this.spec.port, 'tcp');
    const where = `tcp ${target.host}:${port}`;
    if (signal.aborted) throw abortedError(signal, where, 'tcp');
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: target.host, port });
      let settle: NodeJS.Timeout | undefined;
      const finish = (error?: Error): void => {
        clearTimeout(settle);
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => finish(abortedError(signal, where, 'tcp'));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        settle = setTimeout(() => finish(), this.settleMs);
      });
      socket.once('data', () => finish());
      const closedAtOnce = (): void =>
        finish(
          new ProbeError({
            probe: 'tcp',
            kind: 'refused',
            message: `${where}: connection accepted, then closed at once — nothing listens on container port ${this.spec.port} yet`,
            detail: '',
          }),
        );
      socket.once('end', closedAtOnce);
      socket.once('close', closedAtOnce);
      socket.once('error', (error) => finish(netFailure('tcp', where, error, { redact: (text) => text })));
    });
  }
}
