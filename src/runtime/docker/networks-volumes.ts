/** Networks and volumes of a stack: created with its label, removed only when they carry it. */
import type Docker from 'dockerode';
import { LABELS } from '../runtime.js';
import { inspectOrAbsent, type DockerContext } from './context.js';
import { statusOf } from './engine-errors.js';
import { assertOwnedLabels } from './ownership.js';

function inspectNetwork(ctx: DockerContext, name: string): Promise<Docker.NetworkInspectInfo | undefined> {
  return inspectOrAbsent(ctx, `network ${name}`, async () => (await ctx.docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo);
}

export async function ensureNetwork(ctx: DockerContext, stack: string, name: string, labels: Record<string, string> = {}): Promise<void> {
  const existing = await inspectNetwork(ctx, name);
  if (existing) {
    assertOwnedLabels('network', name, existing.Labels, stack);
    return;
  }
  try {
    await ctx.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { ...labels, [LABELS.stack]: stack } });
  } catch (error) {
    if (statusOf(error) !== 409) throw ctx.fail(`creating network ${name} failed`, error);
    const raced = await inspectNetwork(ctx, name);
    assertOwnedLabels('network', name, raced?.Labels, stack);
  }
}

export async function removeNetwork(ctx: DockerContext, stack: string, name: string): Promise<void> {
  const existing = await inspectNetwork(ctx, name);
  if (!existing) return;
  assertOwnedLabels('network', name, existing.Labels, stack);
  try {
    await ctx.docker.getNetwork(existing.Id).remove();
  } catch (error) {
    if (statusOf(error) === 404) return;
    throw ctx.fail(`removing network ${name} failed`, error, {
      hint: 'a container outside the stack may still be attached: `docker network inspect` shows which',
    });
  }
}

export async function listNetworks(ctx: DockerContext, stack: string): Promise<string[]> {
  try {
    const networks = await ctx.docker.listNetworks({ filters: { label: [`${LABELS.stack}=${stack}`] } });
    return networks.map((network) => network.Name).sort();
  } catch (error) {
    throw ctx.fail('listing networks failed', error);
  }
}

export function inspectVolume(ctx: DockerContext, name: string): Promise<Docker.VolumeInspectInfo | undefined> {
  return inspectOrAbsent(ctx, `volume ${name}`, () => ctx.docker.getVolume(name).inspect());
}

export async function ensureVolume(ctx: DockerContext, stack: string, name: string, labels: Record<string, string> = {}): Promise<void> {
  const existing = await inspectVolume(ctx, name);
  if (existing) {
    assertOwnedLabels('volume', name, existing.Labels, stack);
    return;
  }
  try {
    await ctx.docker.createVolume({ Name: name, Labels: { ...labels, [LABELS.stack]: stack } });
  } catch (error) {
    throw ctx.fail(`creating volume ${name} failed`, error);
  }
  // Volume creation returns an existing volume of that name as is: check who owns what we got.
  const created = await inspectVolume(ctx, name);
  assertOwnedLabels('volume', name, created?.Labels, stack);
}

export async function removeVolume(ctx: DockerContext, stack: string, name: string): Promise<void> {
  const existing = await inspectVolume(ctx, name);
  if (!existing) return;
  assertOwnedLabels('volume', name, existing.Labels, stack);
  try {
    await ctx.docker.getVolume(name).remove();
  } catch (error) {
    if (statusOf(error) === 404) return;
    throw ctx.fail(`removing volume ${name} failed`, error, {
      hint: 'a container may still use it: `docker ps -a --filter volume=' + name + '` shows which',
    });
  }
}

export async function listVolumes(ctx: DockerContext, stack: string): Promise<string[]> {
  try {
    const result = await ctx.docker.listVolumes({ filters: { label: [`${LABELS.stack}=${stack}`] } });
    return (result.Volumes ?? []).map((volume) => volume.Name).sort();
  } catch (error) {
    throw ctx.fail('listing volumes failed', error);
  }
}

