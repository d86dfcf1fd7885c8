/**
 * COMPOSE104: a compose healthcheck runs `curl` (or `wget`) inside an image that does not have it —
 * slim and alpine images have no curl, distroless ones have no shell. The container then never
 * becomes healthy and everything that waits for it hangs: an error. Judged from the Dockerfile when the
 * service is built here, from well-known images otherwise; an image we know nothing about is left
 * alone, and so is a healthcheck that installs its tool first (`apk add curl && curl …`).
 */
import { existsSync } from 'node:fs';
import { readInputFileSync } from '../../config/read-input.js';
import type { Service, Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';

type Tool = 'curl' | 'wget';
type Verdict = 'present' | 'absent' | 'unknown';

export const composeHealthcheckTool: Rule = {
  code: 'COMPOSE104',
  name: 'compose-healthcheck-tool',
  category: 'probes',
  severity: 'error',
  summary:
    'A compose healthcheck runs `curl`/`wget` in an image known not to have it (slim, alpine, distroless); unknown images and healthchecks that install the tool first are left alone',
  leavesAlone: 'Images we know nothing about (no guess: quiet); healthchecks that install the tool first (`apk add curl && curl …`); the official nginx image (alpine too) ships curl; full language images (python:3.12, node:20) have curl',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const healthcheck = service.healthcheck;
      if (!healthcheck) continue;
      const text = typeof healthcheck.test === 'string' ? healthcheck.test : healthcheck.test.slice(1).join(' ');
      const tool = (['curl', 'wget'] as const).find((name) => new RegExp(`(^|[\\s;&|/])${name}(\\s|$)`).test(text));
      if (!tool || installsFirst(text, tool)) continue;
      const { verdict, image } = toolInImage(service, tool);
      if (verdict !== 'absent') continue;
      out.push({
        code: composeHealthcheckTool.code,
        severity: composeHealthcheckTool.severity,
        service: service.name,
        location: healthcheck.location,
        message: `the healthcheck runs \`${tool}\` inside ${image}, which does not have it: the container would never become healthy`,
        hint: alternative(service, tool, text),
      });
    }
    return out;
  },
};

/** `apk add curl && curl …`, `apt-get install -y curl; curl …`: the check brings its own tool. */
function installsFirst(text: string, tool: Tool): boolean {
  return new RegExp(`(apk\\s+add|apt-get\\s+install|apt\\s+install|yum\\s+install|dnf\\s+install|microdnf\\s+install)[^&;|]*\\b${tool}\\b`).test(text);
}

function alternative(service: Service, tool: Tool, text: string): string {
  const url = /https?:\/\/[^\s'"|;]+/.exec(text)?.[0] ?? 'http://localhost:PORT/health';
  return (
    `use a tool the image has — in a Python image \`["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('${url}')"]\`, ` +
    `in an alpine image \`wget -q --spider ${url}\` — or install ${tool} in the Dockerfile; ` +
    `stackctl itself probes ${url.replace(/localhost|127\.0\.0\.1/, service.name)} from outside and needs neither`
  );
}

function toolInImage(service: Service, tool: Tool): { verdict: Verdict; image: string } {
  const dockerfile = service.build?.dockerfile;
  if (service.build?.dockerfileInline !== undefined) return { verdict: judgeDockerfile(service.build.dockerfileInline, tool), image: `the inline Dockerfile's image` };
  if (dockerfile && existsSync(dockerfile)) {
    const read = readInputFileSync(dockerfile);
    const text = read.ok ? read.text : ''; // unreadable: judged as unknown below
    return { verdict: text ? judgeDockerfile(text, tool) : 'unknown', image: `the image built from ${dockerfile}` };
  }
  const image = service.image ?? 'the image';
  return { verdict: judgeImage(image, tool), image: service.image ? `\`${service.image}\`` : image };
}

function judgeDockerfile(text: string, tool: Tool): Verdict {
  if (new RegExp(`(apt-get|apt|apk|yum|dnf|microdnf)\\s[^\\n]*\\b${tool}\\b`).test(text.replace(/\\\n/g, ' '))) return 'present';
  const froms = [...text.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1]!);
  const last = froms[froms.length - 1];
  return last ? judgeImage(last, tool) : 'unknown';
}

/**
 * What well-known base images ship. Order matters: the official nginx image ships curl in its alpine
 * variant too, so the image's own rule comes before the generic alpine one.
 */
export function judgeImage(image: string, tool: Tool): Verdict {
  const name = image.toLowerCase();
  const repository = name.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  const tag = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : 'latest';
  if (/distroless|(^|\/)scratch$/.test(repository)) return 'absent';
  if (/^(docker\.io\/)?(library\/)?nginx$/.test(repository)) return tool === 'curl' ? 'present' : /alpine/.test(tag) ? 'present' : 'unknown';
  if (/alpine/.test(name)) return tool === 'wget' ? 'present' : 'absent';
  const language = /^(docker\.io\/)?(library\/)?(python|node|golang|ruby|php|openjdk|eclipse-temurin|buildpack-deps|rust|perl)$/.test(repository);
  if (/slim/.test(tag) || /(^|\/)(debian|ubuntu)$/.test(repository)) return 'absent';
  if (language) return 'present';
  return 'unknown';
}
