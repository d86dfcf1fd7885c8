/**
 * tar-fs, loaded the first time a tar is packed (an image build, a watch sync). Every `up` imports
 * the runtime, but a no-op `up` packs nothing: loading tar-fs and its streams cost ~50 ms of its start.
 */
import { createRequire } from 'node:module';
import type TarFs from 'tar-fs';

let loaded: typeof TarFs | undefined;

export function tarFs(): typeof TarFs {
  return (loaded ??= createRequire(import.meta.url)('tar-fs') as typeof TarFs);
}
