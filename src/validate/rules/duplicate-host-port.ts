import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { formatLocation } from '../../errors.js';
import type { PortMapping } from '../../config/model.js';

/** Host interface a mapping binds (stackctl publishes on 127.0.0.1 when the file does not say). */
export function bindAddress(mapping: PortMapping): string {
  return mapping.hostIp ?? '127.0.0.1';
}

function overlaps(a: string, b: string): boolean {
  const any = (ip: string): boolean => ip === '0.0.0.0' || ip === '::' || ip === '';
  return a === b || any(a) || any(b);
}

export const duplicateHostPort: Rule = {
  code: 'PORT001',
  name: 'host-port-published-twice',
  category: 'ports',
  severity: 'error',
  summary: 'The same host port (and interface) is published twice, by one service or by two',
  leavesAlone: 'The same port on different interfaces or protocols',
  check({ stack }) {
    const out: Diagnostic[] = [];
    const seen: Array<{ service: string; mapping: PortMapping }> = [];
    for (const service of stack.services) {
      for (const mapping of service.ports) {
        if (mapping.published === undefined) continue;
        const clash = seen.find(
          (s) => s.mapping.published === mapping.published && s.mapping.protocol === mapping.protocol && overlaps(bindAddress(s.mapping), bindAddress(mapping)),
        );
        if (clash) {
          out.push(
            finding(duplicateHostPort, {
              service: service.name,
              location: mapping.location,
              message: `host port ${mapping.published}/${mapping.protocol} is already published by ${clash.service === service.name ? 'this service' : clash.service} (${formatLocation(clash.mapping.location)}); the second container cannot start`,
              hint: `publish another host port, e.g. "${nextFree(stack.services.flatMap((s) => s.ports), mapping.published)}:${mapping.target}", or make the host port configurable with \${VAR:-${mapping.published}}`,
            }),
          );
        } else {
          seen.push({ service: service.name, mapping });
        }
      }
    }
    return out;
  },
};

function nextFree(all: PortMapping[], from: number): number {
  const used = new Set(all.map((p) => p.published));
  let port = from + 1;
  while (used.has(port) && port < 65535) port++;
  return port;
}
