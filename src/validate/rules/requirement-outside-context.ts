import path from 'node:path';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { buildFacts, fromStackDir, isInside, widenContextHint } from '../support/build.js';
import { findManifests, pathReferences } from '../support/requirements.js';

export const requirementOutsideContext: Rule = {
  code: 'BUILD006',
  name: 'requirement-outside-context',
  category: 'build',
  severity: 'error',
  summary:
    'A requirements file / pyproject.toml / package.json copied into the image points at a local path outside the build context (`-e ../lib`, `file:../lib`)',
  leavesAlone: 'Index requirements; paths inside the context',
  check({ stack, files }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const facts = buildFacts(service, files);
      if (!facts || !files.isDirectory(facts.build.context)) continue;
      const context = facts.build.context;
      const accept = (file: string): boolean => !facts.ignore.ignores(path.relative(context, file).split(path.sep).join('/'));
      const manifests = new Set<string>();
      for (const copy of facts.copies) {
        if (copy.contextName !== undefined) continue;
        for (const match of copy.matches) for (const manifest of findManifests(match, files, 4, accept)) manifests.add(manifest);
      }
      for (const manifest of manifests) {
        const text = files.text(manifest);
        if (text === undefined) continue;
        for (const reference of pathReferences(manifest, text)) {
          if (isInside(context, reference.target)) continue;
          out.push(
            finding(requirementOutsideContext, {
              service: service.name,
              location: { file: manifest, line: reference.line, col: reference.col },
              message: `${path.basename(manifest)} needs ${reference.written}, which is outside the build context ${fromStackDir(stack, context)}: inside the image the path does not exist (pip: "is not a valid editable requirement")`,
              hint: files.exists(reference.target)
                ? widenContextHint(stack, service, reference.target)
                : `${fromStackDir(stack, reference.target)} does not exist either; vendor the package into the context or install it from an index`,
            }),
          );
        }
      }
    }
    return out;
  },
};
