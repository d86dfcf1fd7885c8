/** TCP connects: `nc -z localhost PORT`, and bash's `exec 3<>/dev/tcp/127.0.0.1/PORT` (stackctl's exported tcp check) → a tcp probe. */
import { LOCAL_HOSTS, expandContainerVariables, isPort, type Recogniser } from './recogniser.js';

export const netcat: Recogniser = {
  tool: 'nc',
  handles: (program) => program === 'nc' || program === 'netcat',
  recognise(words, ctx, shown) {
    if (!words.some((word) => /^-[a-yA-Z]*z[a-zA-Z]*$/.test(word))) return undefined;
    const positional = words.slice(1).filter((word) => !word.startsWith('-'));
    if (positional.length !== 2) return undefined;
    const host = expandContainerVariables(positional[0]!, ctx);
    const port = Number(expandContainerVariables(positional[1]!, ctx));
    if (host === undefined || !LOCAL_HOSTS.has(host) || !isPort(port)) return undefined;
    return { probe: { kind: 'tcp', port }, note: `translated from \`${shown}\` (a TCP connect, from the host)` };
  },
};

export const devTcp: Recogniser = {
  tool: 'exec /dev/tcp',
  handles: (program, words) => program === 'exec' && words.length === 2,
  recognise(words, _ctx, shown) {
    const match = /^\d*<>\/dev\/tcp\/(127\.0\.0\.1|localhost)\/(\d{1,5})$/.exec(words[1]!);
    if (!match) return undefined;
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return undefined;
    return { probe: { kind: 'tcp', port }, note: `translated from \`${shown}\` (a TCP connect, from the host)` };
  },
};
