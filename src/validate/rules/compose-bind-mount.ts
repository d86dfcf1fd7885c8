/**
 * COMPOSE106: bind mounts that break the container. A missing host path is created by Docker as an
 * *empty directory* and mounted over the target — a file (an init script, a config file) becomes a
 * directory: an error. A missing directory mounted where the container keeps its data (`./data:/data`,
 * `./pgdata:/var/lib/postgresql/data`) is normal on a first run and left alone; another missing
 * directory is a warning. A source tree mounted over the image's code is a development habit (info).
 */
import { existsSync } from 'node:fs';
import type { Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';

/** Targets where an empty directory on the first run is what everyone expects. */
const DATA_TARGET = /(^|\/)(data|db|pgdata|mysql|var\/lib\/[^/]+|logs?|cache|tmp|backups?|uploads?|media|storage|state|certs?|letsencrypt|acme|plugins|repos?|git|dumps?|exports?|output|artifacts|snapshots|volumes?)(\/|$)|^\/var\/lib\/|^\/var\/log\//;

const APP_DIRS = new Set(['/app', '/usr/src/app', '/code', '/srv', '/srv/app', '/opt/app', '/home/app', '/var/www/html', '/workspace']);

export const composeBindMount: Rule = {
  code: 'COMPOSE106',
  name: 'compose-bind-mount',
  category: 'resources',
  severity: 'error',
  summary:
    "A bind-mounted file does not exist (Docker mounts an empty directory in its place: error); a missing non-data directory (warning); a source tree over the image's code (info). Missing data directories are left alone",
  leavesAlone: 'Missing data directories (`./data:/data`, `./pgdata:/var/lib/postgresql/data`: created on the first run); the host\'s own files (`/var/run/docker.sock`, `/etc/localtime`, `/proc`)',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      for (const mount of service.volumes) {
        if (mount.type !== 'bind' || mount.source === undefined) continue;
        // The host's own files (docker.sock, /etc/localtime, /proc): a property of the machine, not the project.
        if (/^\/(var\/run|run|proc|sys|dev|etc|var\/lib\/docker|usr|lib|boot)(\/|$)/.test(mount.source)) continue;
        const hidesCode = service.build !== undefined && APP_DIRS.has(mount.target.replace(/\/$/, ''));
        if (!existsSync(mount.source)) {
          const looksLikeFile = /\.[a-z0-9]{1,5}$/i.test(mount.source) && !/\.d$/.test(mount.source);
          if (!looksLikeFile && !hidesCode && DATA_TARGET.test(mount.target)) continue;
          out.push({
            code: composeBindMount.code,
            severity: looksLikeFile ? 'error' : 'warning',
            service: service.name,
            location: mount.location,
            message: `bind mount source ${mount.source} does not exist: Docker creates an empty directory there and mounts it over ${mount.target}${looksLikeFile ? ' (a directory, not the file — it never runs)' : hidesCode ? `, hiding the code the image put in ${mount.target}` : ''}`,
            hint: hidesCode ? `remove the mount to run the code the image was built with (keep it only in a development override file)` : `create ${mount.source}, fix the path (relative to ${stack.dir}), or remove the mount`,
          });
        } else if (hidesCode) {
          out.push({
            code: composeBindMount.code,
            severity: 'info',
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
