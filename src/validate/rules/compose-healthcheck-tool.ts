/**
 * COMPOSE104: a compose healthcheck runs `curl` (or `wget`) inside an image that may not have it —
 * slim and alpine images have no curl, distroless ones have no shell. The container then never
 * becomes healthy and everything that waits for it hangs. Judged from the Dockerfile when the service
 * is built here, from well-known images otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Service, Stack } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';

type Tool = 'curl' | 'wget';
type Verdict = 'present' | 'absent' | 'unknown';

export const composeHealthcheckTool: Rule = {
  code: 'COMPOSE104',
  name: 'compose-healthcheck-tool',
  category: 'probes',
  severity: 'warning',
  summary: 'A compose healthcheck runs `curl`/`wget` in an image that may not have it (slim, alpine, distroless)',
  check({ stack }) {
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      const healthcheck = service.healthcheck;
      if (!healthcheck) continue;
      const text = typeof healthcheck.test === 'string' ? healthcheck.test : healthcheck.test.slice(1).join(' ');
      const tool = (['curl', 'wget'] as const).find((name) => new RegExp(`(^|[\\s;&|/])${name}(\\s|$)`).test(text));
      if (!tool) continue;
      const { verdict, image } = toolInImage(service, tool);
      if (verdict === 'present') continue;
      out.push({
        code: composeHealthcheckTool.code,
        severity: composeHealthcheckTool.severity,
        service: service.name,
        location: healthcheck.location,
        message: `the healthcheck runs \`${tool}\` inside ${image}, which ${verdict === 'absent' ? 'does not have it' : 'may not have it (slim and alpine images do not)'}: the container would never become healthy`,
        hint: alternative(service, tool, text),
      });
    }
    return out;
  },
};

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
    let text = '';
    try {
      text = readFileSync(dockerfile, 'utf8');
    } catch {
      // unreadable: judged as unknown below
    }
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

/** What well-known base images ship. */
function judgeImage(image: string, tool: Tool): Verdict {
  const name = image.toLowerCase();
  if (/distroless|scratch/.test(name)) return 'absent';
  if (/alpine/.test(name)) return tool === 'wget' ? 'present' : 'absent';
  if (/(^|\/)(debian|ubuntu)(:|$)|slim|bookworm|bullseye/.test(name)) return /slim/.test(name) || tool === 'curl' ? 'absent' : 'unknown';
  if (/(^|\/)(python|node|golang|ruby|php|openjdk|eclipse-temurin|buildpack-deps)(:|$)/.test(name)) return 'present';
  if (/(^|\/)(nginx|httpd|caddy|traefik)(:|$)/.test(name)) return tool === 'curl' ? 'present' : 'unknown';
  return 'unknown';
}
