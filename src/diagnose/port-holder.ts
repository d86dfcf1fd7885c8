/**
 * Who holds a host port: a container of the engine (and which stack's), else a process of this
 * machine (src/host/port-owner.ts), else only "in use". Used by diagnose (a container that could not
 * start) and doctor (ports the stack wants).
 */
import { describeOwner, portOwner } from '../host/port-owner.js';
import type { Runtime } from '../runtime/runtime.js';
import { portInUse } from '../validate/rules/host-port-in-use.js';
import { serviceNameOf } from './stacks.js';

export interface PortHolder {
  inUse: boolean;
  /** e.g. `container pyairtable-redis (stack pyairtable)` or `node (pid 1234: node server.js)`. */
  holder?: string;
  /** The container holding it, when one does. */
  container?: string;
}

export async function whoHoldsPort(runtime: Runtime | undefined, hostIp: string, port: number, except?: string): Promise<PortHolder> {
  const bindIp = hostIp === '' ? '0.0.0.0' : hostIp;
  if (runtime) {
    const publishing = (await runtime.findContainers({}).catch(() => [])).find(
      (c) => c.status === 'running' && c.name !== except && c.ports.some((p) => p.hostPort === port),
    );
    if (publishing) {
      const stack = publishing.labels['io.stackctl.stack'] ?? publishing.labels['com.docker.compose.project'];
      return { inUse: true, container: publishing.name, holder: `container ${publishing.name}${stack ? ` (stack ${stack}, service ${serviceNameOf(publishing)})` : ''}` };
    }
  }
  if (!(await portInUse(bindIp, port))) return { inUse: false };
  const owner = await portOwner(port);
  return owner ? { inUse: true, holder: describeOwner(owner) } : { inUse: true };
}
