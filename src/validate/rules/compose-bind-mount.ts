/**
 * COMPOSE106: bind mounts that break the container. A missing host path is created by Docker as an
 * *empty directory* and mounted over the target — an init script becomes a directory that never
 * runs, a source tree mounted over /app hides the code the image was built with.
 */
import { existsSync } from 'node:fs';
import type { Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';

const APP_DIRS = new Set(['/app', '/usr/src/app', '/code', '/srv', '/srv/app', '/opt/app', '/home/app', '/var/www/html', '/workspace']);

export const composeBindMount: Rule = {
  code: 'COMPOSE106',
  name: 'compose-bind-mount',
  category: 'resources',
  severity: 'error',
  summary: "A bind mount source does not exist (Docker mounts an empty directory), or a source tree is mounted over the image's code",
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const mount of service.volumes) {
        if (mount.type !== 'bind' || mount.source === undefined) continue;
        const hidesCode = service.build !== undefined && APP_DIRS.has(mount.target.replace(/\/$/, ''));
        if (!existsSync(mount.source)) {
          const looksLikeFile = /\.[a-z0-9]{1,5}$/i.test(mount.source);
          out.push({
            code: composeBindMount.code,
            severity: 'error',
            service: service.name,
            location: mount.location,
            message: `bind mount source ${mount.source} does not exist: Docker creates an empty directory there and mounts it over ${mount.target}${looksLikeFile ? ' (a directory, not the file — it never runs)' : hidesCode ? `, hiding the code the image put in ${mount.target}` : ''}`,
            hint: hidesCode ? `remove the mount to run the code the image was built with (keep it only in a development override file)` : `create ${mount.source}, fix the path (relative to ${stack.dir}), or remove the mount`,
          });
        } else if (hidesCode) {
          out.push({
            code: composeBindMount.code,
            severity: 'warning',
            service: service.name,
            location: mount.location,
            message: `${mount.source} is mounted over ${mount.target}, hiding the code the image was built with: what runs is the host's tree, with the host's dependencies`,
            hint: 'keep source mounts in a development override file (docker-compose.override.yml), not in the stack you validate and ship',
          });
        }
      }
    }
    return out;
  },
};
