/**
 * `stackctl export k8s [-o DIR | -o -] [--registry HOST/PREFIX] [--include-secret-values]`: the stack as
 * Kubernetes objects (src/k8s/export-k8s.ts), as a kustomization directory (one file per object) or
 * one multi-document stream. With --registry, built images are referenced as HOST/PREFIX/<service>:<tag>,
 * the tag from the build's content hash (what `stackctl push` pushes).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InternalError, formatLocation } from '../../errors.js';
import type { Stack } from '../../config/model.js';
import type { CliContext } from '../context.js';
import { Redactor } from '../../secrets.js';
import { exportKubernetes } from '../../k8s/export-k8s.js';
import { checkManifests } from '../../k8s/check.js';
import { renderKustomization, renderStream } from '../../k8s/render.js';
import { registryImages, parseRegistry } from '../../plan/registry-images.js';
import { computeContextHash } from '../../runtime/context-hash.js';

export interface K8sExportFlags {
  /** A directory, or '-' for stdout. */
  output: string;
  registry?: string;
  includeSecretValues?: boolean;
}


export async function exportK8sCommand(ctx: CliContext, stack: Stack, flags: K8sExportFlags): Promise<void> {
  const redactor = new Redactor(stack.secretValues);
  let images: Record<string, string> | undefined;
  if (flags.registry !== undefined) {
    const registry = parseRegistry(flags.registry);
    images = Object.fromEntries((await registryImages(stack, registry, computeContextHash)).map((image) => [image.service, image.remote]));
  }
  const exported = exportKubernetes(stack, { includeSecretValues: flags.includeSecretValues === true, ...(images ? { images } : {}) });
  // The export checks its own output: an inconsistent manifest is a bug, not the user's problem.
  const problems = checkManifests(stack, exported, { secretValuesAllowed: flags.includeSecretValues === true });
  if (problems.length > 0) throw new InternalError(`the Kubernetes export is inconsistent: ${problems.join('; ')}`);
  for (const warning of exported.warnings) ctx.stderr.write(redactor.redact(`${formatLocation(warning.location)}: warning: ${warning.message}\n  hint: ${warning.hint}\n`));
  const built = stack.services.filter((service) => service.build !== undefined);
  if (!images && built.length > 0) {
    ctx.stderr.write(`note: ${built.length} image(s) are built locally (${built.map((s) => s.name).join(', ')}); a cluster cannot pull them: use --registry HOST/PREFIX and \`stackctl push --registry HOST/PREFIX\`\n`);
  }
  const withValues = flags.includeSecretValues === true;
  if (flags.output === '-') {
    ctx.stdout.write(renderStream(exported));
    ctx.exitCode = 0;
    return;
  }
  const dir = path.resolve(ctx.cwd, flags.output);
  await mkdir(dir, { recursive: true });
  const files = renderKustomization(exported, stack.name);
  for (const file of files) {
    // Not redacted: the check above proved no secret value is in them, and a weak password equal to
    // an image's name ("wordpress") must not turn the image into "***".
    await writeFile(path.join(dir, file.name), file.text, { encoding: 'utf8', mode: withValues && file.name.startsWith('secret-') ? 0o600 : 0o644 });
  }
  ctx.stdout.write(`wrote ${path.relative(ctx.cwd, dir) || '.'}/ (${files.length - 1} objects + kustomization.yaml)${withValues ? `; ${exported.secretName} holds secret values: keep it out of version control` : ''}\n`);
  ctx.exitCode = 0;
}
