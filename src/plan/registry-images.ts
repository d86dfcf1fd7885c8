/**
 * Image references in a registry for the services stackctl builds: `HOST/PREFIX/<service>:<tag>`, the
 * tag being the first 12 hex digits of the build's context hash (the digest stackctl already keeps on
 * each built image), so a changed build context is a new tag and an unchanged one is the same.
 */
import type { BuildSpec, Stack } from '../config/model.js';
import { UsageError } from '../errors.js';
import { imageRef } from './container-spec.js';

export type ContextHash = (build: BuildSpec, service: string) => Promise<string>;

export interface RegistryImage {
  service: string;
  /** The image stackctl builds locally (the stack's `image`). */
  local: string;
  /** The reference to push and deploy. */
  remote: string;
}

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Checks `--registry HOST[:PORT][/PREFIX]`. */
export function parseRegistry(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  if (!REGISTRY.test(trimmed)) {
    throw new UsageError(`--registry "${value}" is not a registry host with an optional path prefix`, { hint: 'e.g. --registry 127.0.0.1:5000/stackctl or --registry registry.example.com/team' });
  }
  return trimmed;
}

export function tagFromHash(hash: string): string {
  return hash.slice(0, 12);
}

export function registryReference(registry: string, service: string, hash: string): string {
  const repository = service.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return `${registry}/${repository}:${tagFromHash(hash)}`;
}

/** The registry reference of every service with a build (services with only `image:` keep theirs). */
export async function registryImages(stack: Stack, registry: string, hash: ContextHash): Promise<RegistryImage[]> {
  const built = stack.services.filter((service) => service.build !== undefined);
  return Promise.all(
    built.map(async (service) => ({
      service: service.name,
      local: imageRef(stack, service),
      remote: registryReference(registry, service.name, await hash(service.build!, service.name)),
    })),
  );
}
