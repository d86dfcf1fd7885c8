/**
 * DEP003: a dependency waits for a service to be ready, but nothing can prove it. An error when that
 * will fail (a stack.yaml service without a readiness probe; a compose service built here from a
 * Dockerfile without HEALTHCHECK — compose refuses `service_healthy` on it); a warning when the
 * image comes from a registry and may carry its own HEALTHCHECK. A healthcheck that proves nothing is
 * COMPOSE108's finding, not this one.
 */
import type { Service } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import type { FileCache } from '../support/files.js';

export const readyWithoutProbe: Rule = {
  code: 'DEP003',
  name: 'ready-without-probe',
  category: 'dependencies',
  severity: 'error',
  summary:
    'A dependency waits for a service to be `ready`, but that service has no readiness probe / healthcheck to prove it (a warning when a registry image may carry its own HEALTHCHECK)',
  leavesAlone: 'Targets with a healthcheck (even one that proves nothing: COMPOSE108 says so) or a Dockerfile HEALTHCHECK; a warning, not an error, when a registry image may define its own HEALTHCHECK',
  check({ stack, services, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const dependency of service.dependsOn) {
        if (dependency.condition !== 'ready') continue;
        const target = services.get(dependency.service);
        if (!target || target.readiness || target.healthcheck) continue;
        const compose = stack.format === 'compose';
        const ownCheck = compose ? imageHealthcheck(target, files) : false;
        if (ownCheck === true) continue; // the Dockerfile's HEALTHCHECK
        const imageMayCheck = compose && ownCheck === undefined;
        out.push(
          finding(readyWithoutProbe, {
            service: service.name,
            ...(imageMayCheck ? { severity: 'warning' as const } : {}),
            location: dependency.location,
            message: compose
              ? `${service.name} waits for ${target.name} to be healthy, but ${target.name} has no healthcheck${imageMayCheck ? ` (unless its image ${target.image ?? ''} defines a HEALTHCHECK)` : ''}: compose fails with "container has no healthcheck configured"`
              : `${service.name} waits for ${target.name} to be ready, but ${target.name} has no readiness probe, so readiness cannot be proven`,
            hint: compose
              ? `give ${target.name} a healthcheck (e.g. \`healthcheck: { test: ["CMD-SHELL", "…"], interval: 5s }\`), or depend on it with \`condition: service_started\``
              : `add a readiness probe to ${target.name} (e.g. \`readiness: { tcp: { port: N } }\` or an authenticated http/postgres/redis probe), or depend on it with \`condition: started\``,
          }),
        );
      }
    }
    return out;
  },
};

/** Whether the service's image defines a HEALTHCHECK: false/true when built here, undefined for a registry image. */
function imageHealthcheck(service: Service, files: FileCache): boolean | undefined {
  const build = service.build;
  if (!build) return undefined;
  const text = build.dockerfileInline ?? (build.dockerfile ? files.text(build.dockerfile) : undefined);
  if (text === undefined) return undefined;
  return /^\s*HEALTHCHECK\s+(?!NONE)/im.test(text) ? true : /^\s*FROM\s+(scratch|[^\s]*(debian|ubuntu|alpine|python|node|golang|ruby|php|openjdk|eclipse-temurin|rust|nginx)[^\s]*)/im.test(text) ? false : undefined;
}
