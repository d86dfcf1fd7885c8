/**
 * The watch rules in force for a stack: each service's `develop.watch`, or — for a service that is
 * built and declares none — one `rebuild` rule on its build context, so `stackctl watch` does the
 * right thing on a stack that never heard of develop.watch.
 */
import type { Service, Stack, WatchRule } from '../config/model.js';

export interface ServiceRules {
  service: string;
  rules: WatchRule[];
  /** The build context, whose .dockerignore also filters the rules' paths under it. */
  context?: string;
  /** True when the rules came from the default (no develop.watch). */
  implicit: boolean;
}

export function watchRules(stack: Stack): ServiceRules[] {
  return stack.services.flatMap((service): ServiceRules[] => {
    const context = service.build?.context;
    if (service.watch && service.watch.length > 0) {
      return [{ service: service.name, rules: service.watch, ...(context ? { context } : {}), implicit: false }];
    }
    if (!service.build) return [];
    return [{ service: service.name, rules: [defaultRule(service)], context: service.build.context, implicit: true }];
  });
}

function defaultRule(service: Service): WatchRule {
  const build = service.build!;
  return { path: build.context, action: 'rebuild', ignore: [], location: build.location };
}
