/**
 * The quick start of docs/noise.md runs as written: the block after
 * <!-- quick-start --> is extracted, its package imports are pointed at the
 * sources, and it runs; the printed trust decision is checked.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it, vi } from 'vitest';

const doc = readFileSync(new URL('../../docs/noise.md', import.meta.url), 'utf8');
const block = /<!-- quick-start -->\s*```ts\n([\s\S]*?)```/.exec(doc)?.[1];
const file = new URL('./quick-start.generated.ts', import.meta.url);
afterAll(() => rmSync(file, { force: true }));

it('docs/noise.md quick start connects to the simulated TDX responder and prints the trust decision', async () => {
  expect(block).toBeDefined();
  const code = block!
    .replace("from 'tee-attest/noise'", "from '../../src/noise/index.js'")
    .replace("from 'tee-attest/ra-tls'", "from '../../src/ra-tls/index.js'")
    .replace("from 'tee-attest/testing'", "from '../../src/testing/index.js'");
  expect(code).not.toMatch(/from 'tee-attest/);
  writeFileSync(file, `${code}\nexport {};\n`);
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await import(file.href);
  } finally {
    spy.mockRestore();
  }
  expect(lines).toEqual([
    'trusted: TDX measurement f5b0fb06f9c45271… tcb UpToDate debug false verifier dcap',
    'the TEE received: hello, enclave',
  ]);
  // The output block in the doc is the same text.
  expect(doc).toContain(lines.join('\n'));
});
