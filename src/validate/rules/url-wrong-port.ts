import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { urlsInEnvironment } from '../support/urls.js';

/** A URL to a service on a port that service does not listen on. */
export const urlWrongPort: Rule = {
  code: 'URL002',
  name: 'url-wrong-port',
  category: 'urls',
  severity: 'error',
  summary:
    "A URL reaches a service on a port it does not listen on (its container ports, probe port, or the server's default); skipped when the service declares no port",
  leavesAlone: 'Services whose ports are unknown; ports the target declares in `ports`, `expose`, its listeners (`KAFKA_LISTENERS`, `PORT=`, `HTTP_PORT=`), its command (`--port`, `--bind`, `runserver 0.0.0.0:N`), its healthcheck\'s localhost:PORT, or its image\'s well-known defaults',
  check({ stack, hosts }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const url of urlsInEnvironment(service)) {
        const target = hosts.byHost.get(url.host);
        if (target === undefined || url.port === undefined) continue;
        const listens = hosts.listens.get(target);
        if (!listens || listens.size === 0 || listens.has(url.port)) continue;
        const ports = [...listens].sort((a, b) => a - b);
        const suggestion = ports.length === 1 ? ports[0] : undefined;
        out.push(
          finding(urlWrongPort, {
            service: service.name,
            location: service.environmentLocations[url.variable] ?? service.location,
            message: `${url.variable} reaches ${target} on port ${url.port}${url.explicitPort ? '' : ` (the ${url.scheme} default)`}, but ${target} listens on ${ports.join(', ')}`,
            hint:
              suggestion !== undefined
                ? `use port ${suggestion}: ${url.scheme}://${url.host}:${suggestion}; containers talk to each other on container ports, not published host ports`
                : `use one of ${ports.join(', ')}, or declare the port under services.${target}.ports`,
          }),
        );
      }
    }
    return out;
  },
};
