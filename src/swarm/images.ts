/**
 * Images for a multi-node target: built locally as `stackctl up` builds them, then tagged
 * `HOST/PREFIX/<service>:<content hash>` and pushed (docker CLI: the push goes to a registry the
 * engine already trusts, e.g. one on loopback).
 */
import { execa } from 'execa';
import { RuntimeError } from '../errors.js';
import type { RegistryImage } from '../plan/registry-images.js';

export async function pushImages(images: readonly RegistryImage[], onPushed?: (image: RegistryImage) => void): Promise<void> {
  for (const image of images) {
    for (const args of [['tag', image.local, image.remote], ['push', image.remote]]) {
      const result = await execa('docker', args, { reject: false, stdin: 'ignore', all: true, timeout: 600_000 });
      if (result.exitCode !== 0) {
        const tail = String(result.all ?? '').trim().split('\n').slice(-2).join(' ');
        throw new RuntimeError(`docker ${args[0]} ${image.remote} failed: ${tail}`, {
          hint: args[0] === 'push' ? 'is the registry running and reachable from this engine? (a plain-HTTP registry off loopback must be in daemon.json insecure-registries)' : `is ${image.local} built? (stackctl up builds it)`,
        });
      }
    }
    onPushed?.(image);
  }
}
