import net from 'node:net';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { bindAddress } from './duplicate-host-port.js';

/** Tries to listen on host:port; true when something else already holds it. */
export function portInUse(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    const timer = setTimeout(() => {
      server.close();
      resolve(false);
    }, timeoutMs);
    server.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'EADDRINUSE');
    });
    server.listen({ host, port, exclusive: true }, () => {
      clearTimeout(timer);
      server.close(() => resolve(false));
    });
  });
}

export const hostPortInUse: Rule = {
  code: 'PORT002',
  name: 'host-port-in-use',
  category: 'ports',
  severity: 'warning',
  summary: 'A published host port is already in use on this machine (checked by trying to listen on it; skip with --no-port-check)',
  leavesAlone: 'Everything, with `--no-port-check`; UDP ports',
  async check({ stack, checkHostPorts }) {
    if (!checkHostPorts) return [];
    const mappings = stack.services.flatMap((service) =>
      service.ports.filter((p) => p.published !== undefined && p.protocol === 'tcp').map((mapping) => ({ service, mapping })),
    );
    const results = await Promise.all(mappings.map(({ mapping }) => portInUse(bindAddress(mapping), mapping.published!)));
    const out: Diagnostic[] = [];
    mappings.forEach(({ service, mapping }, i) => {
      if (!results[i]) return;
      out.push(
        finding(hostPortInUse, {
          service: service.name,
          location: mapping.location,
          message: `host port ${bindAddress(mapping)}:${mapping.published} is already in use on this machine (by another program, or by this stack if it is already running)`,
          hint: `stop what holds the port (\`ss -ltnp 'sport = :${mapping.published}'\` shows it), or publish another host port`,
        }),
      );
    });
    return out;
  },
};
