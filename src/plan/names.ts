/**
 * How stackctl names what it creates in the engine. One place, so up, down, ps, logs, the daemon
 * and the tests agree: containers `<stack>-<service>`, networks and volumes `<stack>_<name>`
 * (compose's convention, so `docker volume ls` reads the same for both tools). External networks
 * and volumes keep the name written in the file: they are not ours.
 */
import type { Stack } from '../config/model.js';

export const DEFAULT_NETWORK = 'default';

export function containerName(stack: string, service: string): string {
  return `${stack}-${service}`;
}

export function networkName(stack: Stack | string, network: string): string {
  const name = typeof stack === 'string' ? stack : stack.name;
  if (typeof stack !== 'string' && stack.networks[network]?.external) return network;
  return `${name}_${network}`;
}

export function volumeName(stack: Stack | string, volume: string): string {
  const name = typeof stack === 'string' ? stack : stack.name;
  if (typeof stack !== 'string' && stack.volumes[volume]?.external) return volume;
  return `${name}_${volume}`;
}

/** Image tag for a built service without an `image:` name (compose's `<project>-<service>`). */
export function builtImageTag(stack: string, service: string): string {
  return `${stack}-${service}:latest`;
}
