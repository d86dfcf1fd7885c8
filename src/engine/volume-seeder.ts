/**
 * What `up` asks of a volume seeder (`up --ephemeral --seed-snapshot`, src/ephemeral/seed-snapshot.ts).
 * The engine only calls it at two moments; what a seed is and where it lives is the seeder's business.
 */
export interface VolumeSeeder {
  /**
   * The images are known (their ids) and the volumes this run created are still empty, no container
   * exists yet: fill those that can be filled. Never fails the run (a seed that cannot be restored is
   * left out, the service then initialises its data as on any first start).
   */
  restore(imageIds: ReadonlyMap<string, string>, createdVolumes: readonly string[], signal: AbortSignal): Promise<void>;
  /** The service just passed its readiness probe, before any dependent is released: keep its data if wanted. */
  ready(service: string, containerId: string, signal: AbortSignal): Promise<void>;
}
