/** The snippet extractor and its directives (test/docs/extract.ts). */
import { describe, expect, it } from 'vitest';
import { extractSnippets, parseDirective } from './extract.js';

const md = (...lines: string[]): string => lines.join('\n');

describe('extractSnippets', () => {
  it('keeps ts / js / sh blocks with their opening line; json and plain blocks are documentation', () => {
    const s = extractSnippets(
      'x.md',
      md('# T', '', '```ts', 'const a = 1;', '```', '', '```json', '{}', '```', '', '```', 'usage line', '```', '```bash', 'echo hi', '```', '```javascript', 'x()', '```'),
    );
    expect(s.map((x) => [x.line, x.lang, x.code])).toEqual([
      [3, 'ts', 'const a = 1;\n'],
      [14, 'sh', 'echo hi\n'],
      [17, 'js', 'x()\n'],
    ]);
  });

  it('reads the directive on the nearest non-blank line before the fence', () => {
    const s = extractSnippets(
      'x.md',
      md('<!-- snippet: skip reason="needs a TDX machine" -->', '```sh', 'tdx-only', '```', '<!-- snippet: setup=tdx-sample -->', '', '```ts', 'q', '```', '```ts', 'plain', '```'),
    );
    expect(s.map((x) => ({ line: x.line, skip: x.skip, setup: x.setup }))).toEqual([
      { line: 2, skip: 'needs a TDX machine', setup: undefined },
      { line: 7, skip: undefined, setup: 'tdx-sample' },
      { line: 10, skip: undefined, setup: undefined },
    ]);
  });

  it('refuses stale or malformed directives instead of ignoring them', () => {
    expect(() => extractSnippets('x.md', md('<!-- snippet: skip reason="r" -->', 'text', '```ts', 'a', '```'))).toThrow(/x.md:1: snippet directive not followed/);
    expect(() => extractSnippets('x.md', md('<!-- snippet: setup=a -->', '```json', '{}', '```'))).toThrow(/not ts\/js\/sh/);
    expect(() => extractSnippets('x.md', md('<!-- snippet: setup=a -->'))).toThrow(/not followed/);
    expect(() => extractSnippets('x.md', md('```ts', 'never closed'))).toThrow(/x.md:1: unterminated/);
  });
});

describe('parseDirective', () => {
  it('skip needs a reason; unknown keys and skip + setup are errors', () => {
    expect(parseDirective(' skip reason="a b c" ', 'w')).toEqual({ skip: 'a b c' });
    expect(parseDirective(' setup=sim-postgres ', 'w')).toEqual({ setup: 'sim-postgres' });
    expect(() => parseDirective(' skip ', 'w')).toThrow(/needs skip reason/);
    expect(() => parseDirective(' skip reason="" ', 'w')).toThrow();
    expect(() => parseDirective(' reason="x" ', 'w')).toThrow(/reason only goes with skip/);
    expect(() => parseDirective(' only=ts ', 'w')).toThrow(/unknown/);
    expect(() => parseDirective(' skip reason="x" setup=a ', 'w')).toThrow(/skip and setup/);
    expect(() => parseDirective(' setup=Bad_Name ', 'w')).toThrow();
  });
});
