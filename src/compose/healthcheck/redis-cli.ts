/** `redis-cli [-h local] [-p PORT] [-a pw | -u URI] ping` → a redis probe (password from -a, -u, REDISCLI_AUTH, --requirepass or REDIS_PASSWORD). */
import type { ProbeSpec } from '../../config/model.js';
import { LOCAL_HOSTS, isPort, option, type HealthcheckContext, type Recogniser } from './recogniser.js';

export const redisCli: Recogniser = {
  tool: 'redis-cli',
  handles: (program) => program === 'redis-cli',
  recognise(words, ctx, shown) {
    const args = words.slice(1);
    if (!args.some((word) => /^ping$/i.test(word))) return undefined;
    const host = option(words, ['-h'], ctx);
    if (host === null || (host !== undefined && !LOCAL_HOSTS.has(host))) return undefined;
    const portText = option(words, ['-p'], ctx);
    if (portText === null) return undefined;
    let port = portText === undefined ? 6379 : Number(portText);
    let password = option(words, ['-a', '--pass'], ctx);
    if (password === null) return undefined;
    const uri = option(words, ['-u'], ctx);
    if (uri === null) return undefined;
    if (uri !== undefined) {
      try {
        const url = new URL(uri);
        if (url.password) password = decodeURIComponent(url.password);
        if (url.port) port = Number(url.port);
      } catch {
        return undefined;
      }
    }
    if (!isPort(port)) return undefined;
    password ??= ctx.containerEnv('REDISCLI_AUTH') ?? requirepassOf(ctx) ?? ctx.containerEnv('REDIS_PASSWORD');
    const probe: ProbeSpec = password === undefined || password === '' ? { kind: 'redis', port } : { kind: 'redis', port, password };
    return {
      probe,
      note: `translated from \`${shown}\`: stackctl sends ${probe.kind === 'redis' && probe.password !== undefined ? 'AUTH then ' : ''}PING and expects PONG`,
    };
  },
};

function requirepassOf(ctx: HealthcheckContext): string | undefined {
  const command = ctx.command ?? [];
  const index = command.indexOf('--requirepass');
  if (index < 0 || index + 1 >= command.length) return undefined;
  return command[index + 1];
}
