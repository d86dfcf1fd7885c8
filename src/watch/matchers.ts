/** The ignore matchers a change plan needs, read fresh for each batch (a .dockerignore may have changed). */
import path from 'node:path';
import type { WatchRule } from '../config/model.js';
import { ContextFilter, contextPatterns, parseDockerignore } from '../runtime/build-context.js';
import type { IgnoreMatcher, Matchers } from './change-plan.js';
import type { ServiceRules } from './rules.js';

export async function readMatchers(services: ServiceRules[], dockerfiles: ReadonlyMap<string, string | undefined>): Promise<Matchers> {
  const contexts = new Map<string, IgnoreMatcher | undefined>();
  for (const entry of services) {
    if (!entry.context || contexts.has(entry.context)) continue;
    const dockerfile = dockerfiles.get(entry.service);
    const inContext = dockerfile && !path.relative(entry.context, dockerfile).startsWith('..') ? path.relative(entry.context, dockerfile) : undefined;
    const { patterns } = await contextPatterns(entry.context, inContext, dockerfile);
    const filter = new ContextFilter(patterns);
    contexts.set(entry.context, patterns.length > 0 ? (rel) => filter.excludes(rel) : undefined);
  }
  const rules = new Map<WatchRule, IgnoreMatcher>();
  return {
    forRule(rule) {
      let matcher = rules.get(rule);
      if (!matcher) {
        const filter = new ContextFilter(parseDockerignore(rule.ignore.join('\n')));
        matcher = (rel) => filter.excludes(rel);
        rules.set(rule, matcher);
      }
      return matcher;
    },
    forContext: (context) => contexts.get(context),
  };
}
