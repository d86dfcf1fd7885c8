import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { isLoopback } from '../support/hosts.js';
import { urlsInEnvironment } from '../support/urls.js';

/** `localhost` inside a container is the container itself, not the host or another service. */
export const urlLoopback: Rule = {
  code: 'URL004',
  name: 'url-localhost',
  category: 'urls',
  severity: 'warning',
  summary:
    "A URL the container uses points at localhost, which inside a container is the container itself (not for its own ports, browser-side variables or `network_mode: host`)",
  leavesAlone: 'The service\'s own listeners and published ports (its public address, e.g. WP_HOME); `network_mode: host` / `service:…`; browser-side variables',
  check({ stack, hosts }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      // With the host's network (or another container's), localhost is that network's localhost.
      if (service.networkMode !== undefined && service.networkMode !== 'bridge' && service.networkMode !== 'default') continue;
      const own = hosts.listens.get(service.name);
      for (const url of urlsInEnvironment(service)) {
        if (!isLoopback(url.host)) continue;
        if (url.port !== undefined && own?.has(url.port)) continue; // its own port
        // localhost:8000 where this service publishes 8000 is its own address as the host sees it
        // (WP_HOME, a public issuer): written for browsers, not used by the container to reach others.
        if (url.port !== undefined && service.ports.some((p) => p.published === url.port)) continue;
        const owner = url.port === undefined ? undefined : stack.services.find((s) => s.ports.some((p) => p.published === url.port || p.target === url.port));
        out.push(
          finding(urlLoopback, {
            service: service.name,
            location: service.environmentLocations[url.variable] ?? service.location,
            message: `${url.variable} points at ${url.host}${url.port ? `:${url.port}` : ''}, which inside ${service.name}'s container is ${service.name} itself`,
            hint: owner
              ? `if it is meant for ${owner.name}, use http://${owner.name}:${owner.ports.find((p) => p.published === url.port || p.target === url.port)?.target}; if a browser uses it, ignore this warning`
              : 'use the service name as host; if a browser (not the container) uses this URL, ignore this warning',
          }),
        );
      }
    }
    return out;
  },
};
