/** `wget [--spider] [--header …] URL` on a local URL → an http probe (status below 400). */
import { SUCCESS_OR_REDIRECT, expandContainerVariables, httpProbe, localHttpUrl, type Recogniser } from './recogniser.js';

const VALUED = new Set(['-O', '--output-document', '-T', '--timeout', '-t', '--tries', '--header', '-U', '--user-agent']);

export const wget: Recogniser = {
  tool: 'wget',
  handles: (program) => program === 'wget',
  recognise(words, ctx, shown) {
    const urls = words.slice(1).filter((word) => !word.startsWith('-') && /^[a-z]+:\/\/|^\$|^localhost/.test(word));
    const headers: Record<string, string> = {};
    for (let i = 1; i < words.length; i++) {
      if (words[i] === '--header') {
        const header = words[i + 1] ?? '';
        const colon = header.indexOf(':');
        // A header wget would not send as written is left out; one whose value cannot be carried keeps the exec probe.
        if (colon > 0) {
          const value = expandContainerVariables(header.slice(colon + 1).trim(), ctx);
          if (value === undefined) return undefined;
          headers[header.slice(0, colon).trim()] = value;
        }
      }
      if (VALUED.has(words[i]!)) i++;
    }
    const candidates = urls.filter((url) => !VALUED.has(url));
    if (candidates.length !== 1) return undefined;
    const raw = candidates[0]!;
    const local = localHttpUrl(raw.includes('://') ? raw : `http://${raw}`, ctx);
    if (!local) return undefined;
    return { probe: httpProbe(local, SUCCESS_OR_REDIRECT, headers), note: `translated from \`${shown}\` (status below 400, checked from the host)` };
  },
};
