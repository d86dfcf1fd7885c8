import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { urlsInEnvironment } from '../support/urls.js';
import { transitiveDependencies } from '../../graph/graph.js';

/**
 * A service talks to another (a URL in its environment) without depending on it: nothing orders their
 * start. A warning: most clients retry, so this is a risk, not a certain failure.
 */
export const urlMissingDependency: Rule = {
  code: 'URL003',
  name: 'talks-without-depending',
  category: 'urls',
  severity: 'warning',
  summary: 'A service reaches another through a URL in its environment but does not depend on it (directly or transitively), so nothing makes it start first',
  leavesAlone: 'Targets the service depends on transitively; its own URLs; browser-side variables (a warning only: most clients retry)',
  check({ stack, hosts, graph }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const reported = new Set<string>();
      let upstream: Set<string> | undefined;
      for (const url of urlsInEnvironment(service)) {
        const target = hosts.byHost.get(url.host);
        if (target === undefined || target === service.name || reported.has(target)) continue;
        upstream ??= transitiveDependencies(graph, service.name);
        if (upstream.has(target)) continue;
        reported.add(target);
        out.push(
          finding(urlMissingDependency, {
            service: service.name,
            location: service.environmentLocations[url.variable] ?? service.location,
            message: `${service.name} talks to ${target} (${url.variable}) but does not depend on it, so it may start before ${target} is ready`,
            hint: `add ${target} to services.${service.name}.depends_on`,
          }),
        );
      }
    }
    return out;
  },
};
