/**
 * COMPOSE107: a service is configured to listen on a port (`METRICS_PORT=9090`) that it does not
 * publish, while it publishes others — so the host (and a scraper or browser on it) cannot reach it.
 */
import type { Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';

export const composePortEnv: Rule = {
  code: 'COMPOSE107',
  name: 'compose-port-env',
  category: 'ports',
  // Info: many ports are internal on purpose (metrics, admin); nothing fails because of it.
  severity: 'info',
  summary: 'A `*_PORT` variable names a port the service does not publish while it publishes others (info: internal ports are often meant)',
  leavesAlone: 'Ports of other servers (`DB_PORT`, `REDIS_PORT`, …); services that publish nothing (info only)',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const published = service.ports.filter((port) => port.published !== undefined || port.hostIp !== undefined);
      if (published.length === 0) continue;
      const targets = new Set(service.ports.map((port) => port.target));
      for (const [name, value] of Object.entries(service.environment)) {
        if (!/(^|_)PORT$/.test(name) || /^(DB|DATABASE|POSTGRES|PG|REDIS|MYSQL|MONGO|SMTP|AMQP)_/.test(name)) continue;
        if (!/^\d{1,5}$/.test(value)) continue;
        const port = Number(value);
        if (port < 1 || port > 65535 || targets.has(port)) continue;
        out.push({
          code: composePortEnv.code,
          severity: composePortEnv.severity,
          service: service.name,
          location: service.environmentLocations[name] ?? service.location,
          message: `${service.name} listens on ${port} (${name}) but publishes only ${[...targets].join(', ')}: port ${port} cannot be reached from the host`,
          hint: `publish it (\`ports: ["127.0.0.1:${port}:${port}"]\`), or drop ${name} if nothing outside the network needs it`,
        });
      }
    }
    return out;
  },
};
