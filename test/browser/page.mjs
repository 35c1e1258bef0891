/**
 * Runs inside Chromium (served by test/browser/verify.test.ts from 127.0.0.1).
 * Verifies every bundled sample offline with the browser bundle of the verify
 * entry, once with WebCrypto and once with @noble/curves, and leaves the
 * outcome in `window.__teeAttest` (a promise). Nothing here touches the
 * network beyond the local test server.
 */
import * as tee from '/tee-attest.js';

async function load(c) {
  const [q, col] = await Promise.all([fetch(c.quote), fetch(c.collateral)]);
  if (!q.ok || !col.ok) throw new Error(`fetch failed for ${c.name}`);
  return { quote: new Uint8Array(await q.arrayBuffer()), collateral: await col.json() };
}

function optionsOf(c, crypto) {
  return {
    at: c.at,
    crypto,
    ...(c.trailingBytes ? { trailingBytes: c.trailingBytes } : {}),
    ...(c.rootPublicKeyHex ? { rootPublicKey: tee.fromHex(c.rootPublicKeyHex) } : {}),
  };
}

/** The outcome compared with Node: status / advisories, or the error code. */
async function outcome(c, input, crypto) {
  try {
    const v = await tee.verifyQuote(input.quote, input.collateral, optionsOf(c, crypto));
    return { name: c.name, status: v.status, advisoryIds: [...v.advisoryIds], error: null };
  } catch (e) {
    return { name: c.name, status: null, advisoryIds: [], error: e instanceof tee.AttestationError ? e.code : `not an AttestationError: ${e}` };
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Rough in-page timings on the first case (informational, never asserted). */
async function timings(c, input, make) {
  const cold = [];
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    await tee.verifyQuote(input.quote, input.collateral, optionsOf(c, make()));
    cold.push(performance.now() - t);
  }
  const verifier = tee.createVerifier({ crypto: make(), ...(c.rootPublicKeyHex ? { rootPublicKey: tee.fromHex(c.rootPublicKeyHex) } : {}) });
  const warm = [];
  for (let i = 0; i < 24; i++) {
    const t = performance.now();
    await verifier.verifyQuote(input.quote, input.collateral, { at: c.at, ...(c.trailingBytes ? { trailingBytes: c.trailingBytes } : {}) });
    warm.push(performance.now() - t);
  }
  return { vector: c.name, coldMedianMs: median(cold), warmMedianMs: median(warm.slice(4)) };
}

async function run() {
  const cases = await (await fetch('/cases.json')).json();
  const inputs = await Promise.all(cases.map(load));
  const backends = { webcrypto: () => tee.webCryptoBackend(), noble: () => tee.nobleBackend() };
  const out = {
    userAgent: navigator.userAgent,
    webCryptoAvailable: tee.webCryptoAvailable(),
    defaultBackend: tee.defaultCryptoBackend().name,
    results: {},
    timings: {},
  };
  for (const [name, make] of Object.entries(backends)) {
    const rows = [];
    for (const [i, c] of cases.entries()) rows.push(await outcome(c, inputs[i], make()));
    out.results[name] = rows;
    const bench = cases.findIndex((c) => c.benchmark);
    if (bench >= 0) out.timings[name] = await timings(cases[bench], inputs[bench], make);
  }
  return out;
}

window.__teeAttest = run();
