/**
 * `python -c "…urlopen(URL)…"` (urllib, httpx, requests) on a local URL → an http probe; and the
 * python check `stackctl export compose` writes (probe-to-healthcheck.ts), read back exactly.
 */
import type { ProbeSpec, StatusRange } from '../../config/model.js';
import { ANY_RESPONSE, SUCCESS_OR_REDIRECT, httpProbe, localHttpUrl, type HealthcheckContext, type Recognised, type Recogniser } from './recogniser.js';

export const python: Recogniser = {
  tool: 'python',
  handles: (program) => /^python(\d(\.\d+)?)?$/.test(program),
  recognise(words, ctx, shown) {
    const c = words.indexOf('-c');
    if (c < 0 || c + 1 >= words.length) return undefined;
    const code = words[c + 1]!;
    const generated = recogniseGeneratedPython(code, ctx);
    if (generated) return generated;
    const call = /(?:urllib\.request\.)?urlopen\(\s*(['"])([^'"]+)\1|(?:httpx|requests)\.get\(\s*(['"])([^'"]+)\3/.exec(code);
    if (!call) return undefined;
    const url = call[2] ?? call[4] ?? '';
    const local = localHttpUrl(url, ctx);
    if (!local) return undefined;
    let status: StatusRange;
    const equals = /status(?:_code)?\s*==\s*(\d{3})/.exec(code);
    if (equals) status = { min: Number(equals[1]), max: Number(equals[1]) };
    else if (call[2] !== undefined || /raise_for_status\(\)/.test(code)) status = SUCCESS_OR_REDIRECT;
    else if (/\.is_success|\.ok\b/.test(code)) status = { min: 200, max: 299 };
    else status = ANY_RESPONSE;
    return { probe: httpProbe(local, status), note: `translated from the python HTTP check \`${shown}\` (checked from the host)` };
  },
};

function recogniseGeneratedPython(code: string, ctx: HealthcheckContext): Recognised | undefined {
  const request = /urllib\.request\.Request\(("(?:[^"\\]|\\.)*"), method=("\w+"), headers=\{(.*)\}\)/.exec(code);
  const status = /^ok = (\d{3}) <= status <= (\d{3})$/m.exec(code);
  if (!request || !status) return undefined;
  const local = localHttpUrl(JSON.parse(request[1]!) as string, { ...ctx, syntax: 'resolved', containerEnv: () => undefined });
  if (!local) return undefined;
  const headers: Record<string, string> = {};
  const headerText = request[3]!;
  for (const entry of headerText.matchAll(/("(?:[^"\\]|\\.)*"): (?:os\.environ\.get\(("(?:[^"\\]|\\.)*"), ""\)|("(?:[^"\\]|\\.)*"))/g)) {
    const name = JSON.parse(entry[1]!) as string;
    if (entry[2] !== undefined) {
      const value = ctx.containerEnv(JSON.parse(entry[2]) as string);
      if (value === undefined) return undefined;
      headers[name] = value;
    } else {
      headers[name] = JSON.parse(entry[3]!) as string;
    }
  }
  const probe: Extract<ProbeSpec, { kind: 'http' }> = {
    kind: 'http',
    port: local.port,
    path: local.path,
    method: JSON.parse(request[2]!) as string,
    headers,
    status: { min: Number(status[1]), max: Number(status[2]) },
  };
  const body = /^ok = ok and re\.search\(("(?:[^"\\]|\\.)*"), body\)/m.exec(code);
  if (body) probe.body = JSON.parse(body[1]!) as string;
  const json = /json\.loads\(("(?:[^"\\]|\\.)*")\)\.items\(\)/.exec(code);
  if (json) probe.json = JSON.parse(JSON.parse(json[1]!) as string) as Record<string, unknown>;
  return { probe, note: `stackctl's own exported http check (${probe.method} ${probe.path} on port ${probe.port})` };
}
