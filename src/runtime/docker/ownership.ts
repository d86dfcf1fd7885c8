/**
 * Ownership, enforced here rather than left to callers: stackctl acts only on what carries its
 * stack label (and, when the runtime is bound to a stack, that stack's). Anything else raises
 * NotOwnedError and is left as it was.
 */
import type Docker from 'dockerode';
import { LABELS } from '../runtime.js';
import { NotOwnedError, type EngineObjectKind } from '../errors.js';
import { inspectOrAbsent, type DockerContext } from './context.js';

export function assertOwnedLabels(kind: EngineObjectKind, name: string, labels: Record<string, string> | null | undefined, stack: string): void {
  const owner = labels?.[LABELS.stack];
  if (owner === stack) return;
  const whose = owner ? `it belongs to stack "${owner}"` : `it has no ${LABELS.stack} label`;
  throw new NotOwnedError(`refusing to use ${kind} "${name}" for stack "${stack}": ${whose}; stackctl only touches what it created`, kind, name, owner, {
    hint:
      kind === 'container'
        ? `remove or rename it yourself (docker rm -f ${name}) if it is not needed, or give the stack another name`
        : `remove it yourself (docker ${kind} rm ${name}) if it is not needed, declare it external: true to use it as is, or rename it in the stack`,
  });
}

/** The engine's inspect answer for a container, undefined when it does not exist. */
export function inspectRaw(ctx: DockerContext, id: string): Promise<Docker.ContainerInspectInfo | undefined> {
  return inspectOrAbsent(ctx, `container ${id}`, () => ctx.docker.getContainer(id).inspect());
}

/**
 * The container if stackctl may act on it: it carries LABELS.stack (the bound stack's, when the
 * runtime is bound). Undefined when it does not exist; NotOwnedError otherwise.
 */
export async function owned(ctx: DockerContext, id: string, action: string): Promise<Docker.ContainerInspectInfo | undefined> {
  const raw = await inspectRaw(ctx, id);
  if (!raw) return undefined;
  const owner = raw.Config?.Labels?.[LABELS.stack];
  const name = raw.Name.replace(/^\//, '');
  if (!owner || (ctx.options.stack !== undefined && owner !== ctx.options.stack)) {
    const whose = owner ? `it belongs to stack "${owner}"` : `it has no ${LABELS.stack} label`;
    throw new NotOwnedError(`refusing to ${action} container "${name}": ${whose}; stackctl only touches what it created`, 'container', name, owner, {
      hint: `remove or rename it yourself (docker rm -f ${name}) if it is in the way`,
    });
  }
  return raw;
}
