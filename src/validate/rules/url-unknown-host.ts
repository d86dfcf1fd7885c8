import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { isExternalHost, isLoopback } from '../support/hosts.js';
import { urlsInEnvironment } from '../support/urls.js';
import { didYouMean } from '../../config/normalize.js';

/**
 * A URL whose host is a single-label name that no service, alias or `extra_hosts` entry of the stack
 * answers to. An error — unless the service joins an external network, where the name may live (then
 * a warning: the stack cannot tell).
 */
export const urlUnknownHost: Rule = {
  code: 'URL001',
  name: 'url-unknown-host',
  category: 'urls',
  severity: 'error',
  summary:
    'A URL the container uses names a host that is neither a service, an alias nor an `extra_hosts` entry (nor clearly external); a warning when the service joins an external network',
  leavesAlone: 'Dotted names, IPs and localhost (external or loopback); `extra_hosts` names; listen wildcards (`http://+:80`, `*`, `0.0.0.0`, `[::]`); `sqlite:///`, `file://`, `unix://` paths; the bucket of `s3://bucket?endpoint=…` (the endpoint is checked); browser-side variables (`CORS_*`, `*_ORIGINS`, `NEXT_PUBLIC_*`, `VITE_*`, `*_PUBLIC_URL`, …); kafka listeners',
  check({ stack, hosts }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const url of urlsInEnvironment(service)) {
        if (hosts.byHost.has(url.host) || hosts.extraHosts.has(url.host) || isExternalHost(url.host) || isLoopback(url.host)) continue;
        const onExternalNetwork = service.networks.some((network) => stack.networks[network.name]?.external === true);
        const guess = didYouMean(url.host, hosts.byHost.keys());
        out.push(
          finding(urlUnknownHost, {
            service: service.name,
            ...(onExternalNetwork ? { severity: 'warning' as const } : {}),
            location: service.environmentLocations[url.variable] ?? service.location,
            message: `${url.variable} points at host "${url.host}", which is not a service or alias of this stack${onExternalNetwork ? ' (it may live on an external network this service joins)' : ''}${guess ? ` — did you mean "${guess}"?` : ''}`,
            hint: guess
              ? `change the host to ${guess}`
              : `use a service name (${stack.services.map((s) => s.name).slice(0, 6).join(', ')}${stack.services.length > 6 ? ', …' : ''}), add "${url.host}" as a network alias, or use a fully qualified name for an external host`,
          }),
        );
      }
    }
    return out;
  },
};
