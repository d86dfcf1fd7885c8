/**
 * Runs every rule of the registry on a loaded Stack. Pure apart from reading the build contexts and,
 * when asked, trying host ports. A rule that throws is a bug: it becomes an INTERNAL finding naming
 * the rule instead of hiding the other findings.
 */
import type { Stack } from '../config/model.js';
import { compareLocations, errorMessage } from '../errors.js';
import { graphOfStack } from '../graph/graph.js';
import type { Diagnostic } from '../diagnostic.js';
import { RULES } from './registry.js';
import type { Rule, RuleContext } from './rule.js';
import { FileCache } from './support/files.js';
import { indexHosts } from './support/hosts.js';

export interface ValidateOptions {
  /** Try to listen on published host ports (PORT002). Default true. */
  checkHostPorts?: boolean;
  /** Rules to run; default the whole registry. */
  rules?: readonly Rule[];
  /** The stack's dependency graph when the caller has built it already (`plan` prints it too). */
  graph?: RuleContext['graph'];
}

export async function validateStack(stack: Stack, options: ValidateOptions = {}): Promise<Diagnostic[]> {
  // The graph and the host index are built on first use: `plan` runs two rules, which never read the
  // host index (3.5% of a 10,000-service plan's CPU time when it was built for every run).
  let graph: RuleContext['graph'] | undefined = options.graph;
  let hosts: RuleContext['hosts'] | undefined;
  const ctx: RuleContext = {
    stack,
    services: new Map(stack.services.map((service) => [service.name, service])),
    get graph() {
      return (graph ??= graphOfStack(stack));
    },
    get hosts() {
      return (hosts ??= indexHosts(stack));
    },
    files: new FileCache(),
    checkHostPorts: options.checkHostPorts ?? true,
  };
  const results = await Promise.all(
    (options.rules ?? RULES).map(async (rule): Promise<Diagnostic[]> => {
      try {
        return await rule.check(ctx);
      } catch (error) {
        return [
          {
            code: 'INTERNAL',
            severity: 'error',
            location: { file: stack.file, line: 0, col: 0 },
            message: `rule ${rule.code} (${rule.name}) failed: ${errorMessage(error)} — a bug in stackctl, please report it`,
            hint: 'the other findings are still valid',
          },
        ];
      }
    }),
  );
  return sortFindings(stack, mergeSharedCauses(stack, results.flat()));
}

/**
 * One cause, one finding: the same finding at the same file:line:col for several services (a YAML
 * anchor merged into 21 services) is reported once, naming the services, with every place in
 * `occurrences`.
 */
export function mergeSharedCauses(stack: Pick<Stack, 'services'>, diagnostics: Diagnostic[]): Diagnostic[] {
  // Service names in the message are blanked, word by word (a service name is one such word, perhaps
  // followed by a full stop). Blanking every name of the stack in every message was quadratic: a
  // finding in an anchor merged into 10,000 services meant 10^8 replacements.
  const names = new Set(stack.services.map((s) => s.name));
  const anonymous = (d: Diagnostic): string =>
    d.message.replace(/[A-Za-z0-9._-]+/g, (word) => {
      const bare = word.replace(/\.+$/, '');
      return names.has(bare) ? `\u0000${word.slice(bare.length)}` : word;
    });
  const groups = new Map<string, Diagnostic[]>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    if (d.service === undefined || d.location.line === 0) {
      out.push(d);
      continue;
    }
    const key = `${d.code}|${d.location.file}|${d.location.line}|${d.location.col}|${anonymous(d)}`;
    const group = groups.get(key);
    if (group) group.push(d);
    else {
      groups.set(key, [d]);
      out.push(d);
    }
  }
  for (const group of groups.values()) {
    const services = [...new Set(group.map((d) => d.service!))];
    if (services.length < 2) continue;
    const first = group[0]!;
    const shown = services.slice(0, 8).join(', ') + (services.length > 8 ? ', …' : '');
    first.message = `${first.message} — the same line is shared by ${services.length} services (${shown})`;
    first.occurrences = group.map((d) => ({ service: d.service!, location: d.location }));
  }
  return out;
}

/** Service order of the file, then stack-wide findings; inside a service by file, line, column. */
export function sortFindings(stack: Pick<Stack, 'services'>, diagnostics: Diagnostic[]): Diagnostic[] {
  const order = new Map(stack.services.map((service, i) => [service.name, i]));
  const rank = (d: Diagnostic): number => (d.service === undefined ? -1 : (order.get(d.service) ?? stack.services.length));
  return [...diagnostics].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      compareLocations(a.location, b.location) ||
      a.code.localeCompare(b.code),
  );
}
