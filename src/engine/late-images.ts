/**
 * Images still building when the plan is made (stageImages' `pending`): the plan is made with a
 * placeholder id for them — their containers are created or recreated either way, since a freshly
 * built image is a new image — and each entry gets its real config hash once its image is built,
 * before its container is created. So the first services start while later images still build.
 */
import type { Service, Stack } from '../config/model.js';
import { configHash, shortHash } from '../plan/config-hash.js';
import { containerSpec } from '../plan/container-spec.js';
import type { ServicePlan } from '../plan/plan.js';
import type { PreparedImages } from './images.js';

/** Stands for an image id in the plan until the image is built. */
export const PENDING_IMAGE_ID = 'pending-build';

/** The image ids to plan with: the known ones, and the placeholder for each image still building. */
export function planImageIds(images: PreparedImages): Map<string, string> {
  const ids = new Map(images.imageIds);
  for (const service of images.pending.keys()) if (!ids.has(service)) ids.set(service, PENDING_IMAGE_ID);
  return ids;
}

/** The entry as reconcile would have made it had it known `imageId` (a no-op when it did). */
export function settleLateImage(stack: Stack, service: Service, entry: ServicePlan, imageId: string): void {
  if (entry.imageId === imageId || entry.configHash === undefined) return;
  const hash = configHash(stack, service, imageId);
  entry.cause = entry.cause.replace(shortHash(entry.configHash), shortHash(hash));
  entry.imageId = imageId;
  entry.configHash = hash;
  for (const operation of entry.operations) {
    if (operation.kind === 'create' && operation.service === service.name) operation.spec = containerSpec(stack, service, hash);
  }
}
