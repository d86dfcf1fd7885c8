import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/config/env-file.js';

const parse = (text: string, lookup: Record<string, string> = {}) => parseEnvFile(text, '/p/.env', lookup);

describe('parseEnvFile (compose v2 rules)', () => {
  it('lets a value reference earlier variables of the same file, the lookup environment winning', () => {
    const r = parse('HOST=db\nPORT=5432\nURL=postgres://${HOST}:${PORT}/app\nUSER_URL=$HOST-${MISSING:-x}\n', { PORT: '6000' });
    expect(r.vars).toEqual({ HOST: 'db', PORT: '5432', URL: 'postgres://db:6000/app', USER_URL: 'db-x' });
    expect(r.diagnostics).toEqual([]);
    expect(r.references.map((ref) => [ref.name, ref.location.line])).toEqual([['HOST', 3], ['PORT', 3], ['HOST', 4], ['MISSING', 4]]);
  });

  it('takes single-quoted values literally: no interpolation error for a $ in a secret', () => {
    const r = parse("SECRET_KEY='a$(b'\nOTHER='x ${NOPE} \\n'\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.vars).toEqual({ SECRET_KEY: 'a$(b', OTHER: 'x ${NOPE} \\n' });
  });

  it('reports an unquoted malformed $ as INTERP001 at its line, with the single-quote fix', () => {
    const r = parse('A=1\nSECRET_KEY=a$(b\n');
    expect(r.diagnostics).toMatchObject([{ code: 'INTERP001', severity: 'error', location: { file: '/p/.env', line: 2 } }]);
    expect(r.diagnostics[0]!.hint).toContain('single-quote');
  });

  it('expands double-quoted escapes, then interpolates; \\$ is a literal dollar', () => {
    const r = parse('A=x\nB="line1\\nline2\\t${A} \\"q\\" \\$A \\\\"\n');
    expect(r.vars.B).toBe('line1\nline2\tx "q" $A \\');
  });

  it('reads multi-line quoted values, comments, export and blank lines; line numbers stay right', () => {
    const r = parse('# comment\n\nexport A=1 # trailing\nB="one\ntwo"\nC=#not-a-comment\nD=\nE=  spaced  \n');
    expect(r.vars).toEqual({ A: '1', B: 'one\ntwo', C: '#not-a-comment', D: '', E: 'spaced' });
    expect(r.entries.map((e) => [e.name, e.location.line])).toEqual([['A', 3], ['B', 4], ['C', 6], ['D', 7], ['E', 8]]);
  });

  it('passes a bare KEY through from the lookup environment, and a later definition wins', () => {
    expect(parse('TOKEN\nA=1\nA=2\n', { TOKEN: 't' }).vars).toEqual({ TOKEN: 't', A: '2' });
    expect(parse('TOKEN\n').vars).toEqual({});
  });

  it('says where a quote is never closed and what is not a KEY=value line', () => {
    expect(parse('A=1\nB="open\nC=2\n').diagnostics).toMatchObject([{ code: 'ENVFILE003', location: { line: 2 } }]);
    expect(parse('A=1\nthis is prose\n').diagnostics).toMatchObject([{ code: 'ENVFILE003', location: { line: 2 } }]);
  });
});
