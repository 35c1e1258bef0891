/**
 * Issue #7: the verify entry in a real browser. The core (src/index.ts, i.e.
 * what dist/index.js is built from: no CLI, no Node adapters) is bundled for
 * browsers with esbuild (ESM, minified; the same options as `npm run size`),
 * served with the samples of vectors/samples.json from a node:http server on
 * 127.0.0.1, and verified offline in a page of Debian's Chromium (driven by
 * playwright-core) with the WebCrypto and the @noble/curves backends. The
 * outcomes (status / advisoryIds / error code per sample) must equal those
 * computed in Node in this same test, and the bundle must fit its budget.
 *
 * Without /usr/bin/chromium (or CHROMIUM_PATH) the suite is skipped with a
 * message, unless CI is set: then a test fails (.ci/run installs Debian's
 * chromium).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { BUDGET_GZIP_BYTES, bundleBrowser, formatKb, type BrowserBundle } from '../../bench/bundle.mjs';
import { AttestationError } from '../../src/errors.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { nodeBackend } from '../../src/crypto/node.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { toHex } from '../../src/lib/bytes.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { bin, rootKeyFromPem, samples, type Sample } from '../verify/vector-helpers.js';
import { CHROMIUM, CI, HAVE_CHROMIUM, launchChromium, type LaunchedChromium } from '../support/chromium.js';


if (!HAVE_CHROMIUM && !CI) {
  console.warn(
    `[test/browser] SKIPPED: ${CHROMIUM} not found. Install Debian's chromium ` +
      '(apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH; with CI=true this is a failure.',
  );
}

interface Outcome {
  name: string;
  status: string | null;
  advisoryIds: string[];
  error: string | null;
}

interface PageOutput {
  userAgent: string;
  webCryptoAvailable: boolean;
  defaultBackend: string;
  results: Record<string, Outcome[]>;
  timings: Record<string, { vector: string; coldMedianMs: number; warmMedianMs: number }>;
}

const rootHexOf = (s: Sample): string | undefined => (s.root ? toHex(rootKeyFromPem(`vectors/${s.root}`)) : undefined);

async function nodeOutcome(s: Sample, crypto: CryptoBackend): Promise<Outcome> {
  const root = rootHexOf(s);
  try {
    const v = await verifyQuote(bin(`vectors/${s.quote}`), JSON.parse(readFileSync(`vectors/${s.collateral}`, 'utf8')), {
      at: s.at,
      crypto,
      ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
      ...(root ? { rootPublicKey: rootKeyFromPem(`vectors/${s.root}`) } : {}),
    });
    return { name: s.name, status: v.status, advisoryIds: [...v.advisoryIds], error: null };
  } catch (e) {
    return { name: s.name, status: null, advisoryIds: [], error: e instanceof AttestationError ? e.code : `not an AttestationError: ${String(e)}` };
  }
}

if (!HAVE_CHROMIUM && CI) {
  // A failed test (not a skipped suite), so the run's counts show it.
  it('Chromium is installed (required when CI is set)', () => {
    throw new Error(`CI is set and ${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium) before npm test`);
  });
}

describe.skipIf(!HAVE_CHROMIUM)('verify entry in real Chromium (Playwright, offline page)', () => {
  let bundle: BrowserBundle;
  let server: Server | undefined;
  let origin = '';
  let browser: LaunchedChromium | undefined;
  let page: Page;
  const served: string[] = [];
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    bundle = await bundleBrowser({ entry: resolve('src/index.ts') });

    const cases = samples.map((s, i) => ({
      name: s.name,
      quote: `/quote/${i}`,
      collateral: `/collateral/${i}`,
      at: s.at,
      ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
      ...(s.root ? { rootPublicKeyHex: rootHexOf(s) } : {}),
      benchmark: s.quote === 'dcap/dcap-qvl/tdx_quote',
    }));
    const routes = new Map<string, { type: string; body: string | Uint8Array }>([
      ['/', { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><title>tee-attest</title><script type="module" src="/page.mjs"></script>' }],
      ['/page.mjs', { type: 'text/javascript; charset=utf-8', body: readFileSync('test/browser/page.mjs', 'utf8') }],
      ['/tee-attest.js', { type: 'text/javascript; charset=utf-8', body: bundle.code }],
      ['/cases.json', { type: 'application/json', body: JSON.stringify(cases) }],
    ]);
    samples.forEach((s, i) => {
      routes.set(`/quote/${i}`, { type: 'application/octet-stream', body: bin(`vectors/${s.quote}`) });
      routes.set(`/collateral/${i}`, { type: 'application/json', body: readFileSync(`vectors/${s.collateral}`, 'utf8') });
    });
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      served.push(path);
      const r = routes.get(path);
      if (req.method !== 'GET' || r === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': r.type, 'cache-control': 'no-store' }).end(r.body);
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
    const context = browser.context;
    // Offline: anything but the local test server is refused.
    await context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(`${origin}/`);
  }, 45_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  });

  it(`the bundle of the verify entry fits the budget (${formatKb(BUDGET_GZIP_BYTES)} min+gz)`, () => {
    console.log(`[test/browser] bundle: ${formatKb(bundle.bytes)} minified, ${formatKb(bundle.gzipBytes)} min+gz (budget ${formatKb(BUDGET_GZIP_BYTES)})`);
    expect(bundle.code).not.toMatch(/from\s*["']node:/);
    expect(bundle.gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  it('verifies every sample in the page with WebCrypto and noble, with the same results as Node', async () => {
    await page.waitForFunction(() => (window as unknown as { __teeAttest?: unknown }).__teeAttest !== undefined, undefined, { timeout: 10_000 });
    const out = await page.evaluate(() => (window as unknown as { __teeAttest: Promise<PageOutput> }).__teeAttest);

    const node: Record<string, Outcome[]> = {};
    for (const [name, make] of Object.entries({ node: nodeBackend, webcrypto: webCryptoBackend, noble: nobleBackend })) {
      node[name] = [];
      for (const s of samples) node[name]!.push(await nodeOutcome(s, make()));
    }
    // Node agrees with itself and with the manifest...
    expect(node.webcrypto).toEqual(node.node);
    expect(node.noble).toEqual(node.node);
    expect(node.node!.map((o) => (o.error !== null ? { error: o.error } : { status: o.status, advisoryIds: o.advisoryIds }))).toEqual(
      samples.map((s) => (s.expect.error !== undefined ? { error: s.expect.error } : { status: s.expect.status, advisoryIds: s.expect.advisoryIds ?? [] })),
    );
    // ...and the browser agrees with Node, backend by backend.
    expect(JSON.stringify(out.results.webcrypto)).toBe(JSON.stringify(node.webcrypto));
    expect(JSON.stringify(out.results.noble)).toBe(JSON.stringify(node.noble));
    expect(out.webCryptoAvailable).toBe(true);
    expect(out.defaultBackend).toBe('webcrypto');
    expect(pageErrors).toEqual([]);
    // Offline: every request went to the local server.
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(url.startsWith(`${origin}/`)).toBe(true);
    expect(served).toContain('/tee-attest.js');

    const t = Object.entries(out.timings)
      .map(([b, x]) => `${b}: cold ${x.coldMedianMs.toFixed(2)} ms, warm ${x.warmMedianMs.toFixed(2)} ms`)
      .join('; ');
    console.log(`[test/browser] ${out.userAgent.replace(/^.*(HeadlessChrome\/\S+|Chrome\/\S+).*$/, '$1')}; ${samples.length} samples × 2 backends agree with Node; in-page medians (TDX): ${t}`);
  });
});
