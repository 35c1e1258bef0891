/**
 * One benchmark job in its own process (spawned by run.mjs), so every
 * contender starts from a clean heap and its peak RSS is its own.
 *
 *   node bench/worker.mjs '<job JSON>'
 *
 * Prints one line `RESULT <json>` on stdout.
 *
 * Jobs:
 *   verify      ours: { mode: 'warm' | 'cold' | 'cold-shared', backend, vector }
 *   peer        { peer: 'dcap-qvl' | 'dcap-qvl-purejs' | 'dcap-qvl-web', vector }
 *   parse       { vector }: parseQuote, parseCollateral
 *   stages      { mode, backend, vector }: the verifyQuote pipeline re-run from
 *               its building blocks in dist/, each stage timed on its own
 *   primitives  { backend }: P-256 verification and SHA-256 alone (backend
 *               'elliptic': the library @phala/dcap-qvl uses in browsers)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { BENCH_DIR, backendFactories, dist, loadVector } from './lib/common.mjs';

const job = JSON.parse(process.argv[2] ?? '{}');
const quick = job.quick === true;
// Warm-up is long on purpose: V8 needs about a second of calls (thousands of
// verifications) before the warm path reaches its steady state; every
// contender, peers included, gets the same warm-up. The first call of the
// process is reported on its own (firstCallMs).
const BENCH_OPTIONS = {
  time: quick ? 300 : 2000,
  warmupTime: quick ? 200 : 1500,
  iterations: quick ? 16 : 64,
  warmupIterations: quick ? 4 : 64,
  throws: true,
};
const benchOptions = BENCH_OPTIONS;

// --- memory: heapUsed peak sampled every 32 calls; RSS peak from the kernel ---
let heapPeak = process.memoryUsage().heapUsed;
let calls = 0;
function sampleHeap() {
  if ((++calls & 31) === 0) {
    const h = process.memoryUsage().heapUsed;
    if (h > heapPeak) heapPeak = h;
  }
}
function memory() {
  const h = process.memoryUsage().heapUsed;
  if (h > heapPeak) heapPeak = h;
  return { peakRssBytes: process.resourceUsage().maxRSS * 1024, peakHeapUsedBytes: heapPeak };
}

function stats(task) {
  const r = task.result;
  if (r === undefined || r.latency === undefined) throw new Error(`task ${task.name} has no result (${r?.state ?? 'none'}): ${r?.error ?? ''}`);
  const l = r.latency;
  return {
    name: task.name,
    opsPerSec: 1000 / l.mean,
    meanMs: l.mean,
    medianMs: l.p50,
    p99Ms: l.p99,
    minMs: l.min,
    maxMs: l.max,
    rmePercent: l.rme,
    samples: l.samplesCount,
  };
}

async function runBench(tasks) {
  const bench = new Bench(benchOptions);
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  return bench.tasks.map(stats);
}

/** Time one call (the first of this process: cold JIT, lazy tables, module state). */
async function timeOnce(fn) {
  const t = performance.now();
  const out = await fn();
  return { ms: performance.now() - t, out };
}

async function verifyJob() {
  const core = await dist('index.js');
  const backends = await backendFactories();
  const make = backends[job.backend];
  const v = loadVector(job.vector);
  const at = v.at;
  let fn;
  let reused;
  if (job.mode === 'warm') {
    // One long-lived verifier: its VerificationCache keeps the parsed PCK chain
    // and collateral and the results of the collateral / chain / CRL / QE report
    // signatures; dates and the quote signature are checked on every call.
    const verifier = core.createVerifier({ crypto: make() });
    fn = () => {
      sampleHeap();
      return verifier.verifyQuote(v.quote, v.collateral, { at });
    };
    reused = 'one createVerifier (backend + VerificationCache) for every call';
  } else if (job.mode === 'cold-shared') {
    // Plain verifyQuote without a VerificationCache, but one backend for every
    // call: what a long-lived process pays for collateral or a PCK chain it has
    // not seen yet. The backend's key cache (node: KeyObjects, WebCrypto:
    // imported CryptoKeys; noble has none) stays warm; all parsing and every
    // signature check is redone.
    const backend = make();
    fn = () => {
      sampleHeap();
      return core.verifyQuote(v.quote, v.collateral, { at, crypto: backend });
    };
    reused = 'the backend (its public-key cache); no VerificationCache: everything parsed and every signature checked per call';
  } else {
    // Plain verifyQuote with a fresh backend per call (so no imported-key or
    // KeyObject cache survives) and no VerificationCache: the quote, the PCK
    // chain and the collateral are parsed and every signature is checked on
    // every call. Reused: the quote bytes and the collateral object (the
    // peers get the same), and process state (JIT, noble's lazily built
    // base-point tables).
    fn = () => {
      sampleHeap();
      return core.verifyQuote(v.quote, v.collateral, { at, crypto: make() });
    };
    reused = 'nothing of ours: fresh backend per call, no cache (quote bytes and collateral object are shared inputs)';
  }
  const first = await timeOnce(fn);
  const [s] = await runBench([[`ours ${job.mode} ${job.backend}`, fn]]);
  return { ...s, firstCallMs: first.ms, reused, outcome: { status: first.out.status, advisoryIds: first.out.advisoryIds } };
}

async function peerJob() {
  const require = createRequire(`${BENCH_DIR}/package.json`);
  const v = loadVector(job.vector);
  const at = v.at;
  let fn;
  let first;
  if (job.peer === 'dcap-qvl' || job.peer === 'dcap-qvl-purejs') {
    // @phala/dcap-qvl checks signatures and parses certificates with
    // node:crypto (OpenSSL) when it finds crypto.X509Certificate, and with
    // elliptic + asn1.js + hash.js when it thinks it runs in a browser
    // (`typeof window !== 'undefined'`). The pure-JS job flips that switch.
    if (job.peer === 'dcap-qvl-purejs') globalThis.window = globalThis;
    const t = performance.now();
    const qvl = require('@phala/dcap-qvl');
    if (qvl.isBrowser !== (job.peer === 'dcap-qvl-purejs')) throw new Error(`dcap-qvl isBrowser is ${qvl.isBrowser}`);
    const loadMs = performance.now() - t;
    const quote = Buffer.from(v.quote);
    fn = () => {
      sampleHeap();
      return qvl.verify(quote, v.collateral, at);
    };
    first = { ...(await timeOnce(fn)), loadMs };
  } else {
    const t = performance.now();
    const web = await import(require.resolve('@phala/dcap-qvl-web'));
    const wasm = readFileSync(require.resolve('@phala/dcap-qvl-web/dcap-qvl-web_bg.wasm'));
    web.initSync({ module: wasm });
    const loadMs = performance.now() - t;
    const now = BigInt(at);
    fn = () => {
      sampleHeap();
      return web.js_verify(v.quote, v.collateral, now);
    };
    first = { ...(await timeOnce(fn)), loadMs };
  }
  const [s] = await runBench([[job.peer, fn]]);
  return {
    ...s,
    firstCallMs: first.ms,
    loadMs: first.loadMs,
    reused: job.peer === 'dcap-qvl-web' ? 'the instantiated WASM module (initSync once per process)' : 'nothing (the library keeps no cache)',
    crypto: { 'dcap-qvl': 'node:crypto (OpenSSL)', 'dcap-qvl-purejs': 'elliptic, asn1.js, hash.js (its browser mode)', 'dcap-qvl-web': 'Rust (ring) in WASM' }[job.peer],
    outcome: { status: first.out.status, advisoryIds: [...(first.out.advisory_ids ?? [])] },
  };
}

async function parseJob() {
  const core = await dist('index.js');
  const v = loadVector(job.vector);
  const results = await runBench([
    ['parseQuote', () => (sampleHeap(), core.parseQuote(v.quote, { trailingBytes: 'zeros' }))],
    ['parseCollateral', () => (sampleHeap(), core.parseCollateral(v.collateral))],
    ['JSON.parse(collateral file)', () => JSON.parse(v.collateralText)],
  ]);
  return { tasks: results };
}

/** elliptic (what @phala/dcap-qvl runs in browsers) as a CryptoBackend-shaped object, for comparison. */
function ellipticBackend() {
  const peerRequire = createRequire(createRequire(`${BENCH_DIR}/package.json`).resolve('@phala/dcap-qvl'));
  const EC = peerRequire('elliptic').ec;
  const hashJs = peerRequire('hash.js');
  const ec = new EC('p256');
  const keys = new Map();
  const sha256 = (d) => Uint8Array.from(hashJs.sha256().update(d).digest());
  return () => ({
    name: 'elliptic',
    sha256,
    async verifyP256(publicKey, message, signature) {
      const id = Buffer.from(publicKey).toString('hex');
      let key = keys.get(id);
      if (key === undefined) keys.set(id, (key = ec.keyFromPublic(publicKey)));
      return key.verify(sha256(message), { r: signature.subarray(0, 32), s: signature.subarray(32) });
    },
    clear: () => keys.clear(),
  });
}

async function primitivesJob() {
  const backends = job.backend === 'elliptic' ? { elliptic: ellipticBackend() } : await backendFactories();
  const make = backends[job.backend];
  const v = loadVector('tdx');
  const core = await dist('index.js');
  const q = core.parseQuote(v.quote, { trailingBytes: 'zeros' });
  const sig = q.signatureData;
  const key = new Uint8Array(65);
  key[0] = 4;
  key.set(sig.attestationKey, 1);
  const message = q.signedData;
  const backend = make();
  if (!(await backend.verifyP256(key, message, sig.signature))) throw new Error('quote signature does not verify');
  const results = await runBench([
    ['verifyP256 (key cached)', () => (sampleHeap(), backend.verifyP256(key, message, sig.signature))],
    ['verifyP256 (fresh backend: key import)', () => {
      sampleHeap();
      const b = make();
      b.clear?.();
      return b.verifyP256(key, message, sig.signature);
    }],
    [`sha256 (${message.length} B signed quote data)`, () => backend.sha256(message)],
  ]);
  return { tasks: results };
}

/**
 * The verifyQuote pipeline from its building blocks, each stage timed. Cold:
 * fresh backend and a per-call signature memo (as verifyQuote without a cache);
 * warm: one VerificationCache used the way createVerifier uses it.
 */
async function stagesJob() {
  const backends = await backendFactories();
  const make = backends[job.backend];
  const core = await dist('index.js');
  const { parseChain } = await dist('collateral/parse.js');
  const { verifyChain } = await dist('verify/chain.js');
  const { verifySignedJson } = await dist('verify/collateral.js');
  const { SignatureMemo, VerificationCache } = await dist('verify/cache.js');
  const { parseSgxExtension } = await dist('x509/sgx-extension.js');
  const { checkQeIdentity } = await dist('tcb/qe-identity-check.js');
  const { checkTdxModuleSigner } = await dist('tcb/tdx-module.js');
  const { evaluateTcb } = await dist('tcb/evaluate.js');
  const { intelRootPublicKey } = await dist('verify/root.js');
  const { bytesEqual, concatBytes, isAllZero } = await dist('lib/bytes.js');
  const v = loadVector(job.vector);
  const at = v.at;
  const rootPublicKey = intelRootPublicKey();
  const warm = job.mode === 'warm';
  const cache = new VerificationCache();
  const held = {};
  const warmBackend = make();

  const STAGES = [
    'parse quote',
    'parse collateral',
    'parse PCK chain (PEM → X.509)',
    'PCK chain + CRLs',
    'PCK SGX extension',
    'collateral signatures (TCB Info, QE Identity)',
    'QE report (signature, binding, QE Identity)',
    'quote signature',
    'TCB evaluation (FMSPC/PCE-ID, TDX module, levels)',
  ];
  const samples = STAGES.map(() => []);

  async function once(record) {
    const rawCrypto = warm ? warmBackend : make();
    const crypto = (warm ? cache.signatures : new SignatureMemo(32)).wrap(rawCrypto);
    const lap = [];
    let t = performance.now();
    const mark = () => {
      const n = performance.now();
      lap.push(n - t);
      t = n;
    };
    const quote = core.parseQuote(v.quote, { trailingBytes: 'zeros' });
    mark();
    // Warm: the stages run in full, with parsed structures and signature results
    // reused (verifyQuote's real warm path also skips stages it verified before).
    let collateral = warm ? held.collateral : undefined;
    if (collateral === undefined) {
      collateral = core.parseCollateral(v.collateral);
      if (warm) held.collateral = collateral;
    }
    mark();
    const cd = quote.signatureData.certificationData;
    let chain = warm ? held.chain : undefined;
    if (chain === undefined) {
      chain = parseChain(cd.pemChain);
      if (warm) held.chain = chain;
    }
    mark();
    await verifyChain(chain, { rootPublicKey, at, crypto, crls: [collateral.rootCaCrl, collateral.pckCrl], context: 'pck', failCode: 'PckChain' });
    const leaf = chain[0];
    if (!leaf.subjectText.includes('SGX PCK Certificate') || !bytesEqual(collateral.pckCrl.issuer, leaf.issuer)) throw new Error('pck leaf');
    mark();
    let ext = warm ? held.ext : undefined;
    if (ext === undefined) {
      ext = parseSgxExtension(leaf);
      if (warm) held.ext = ext;
    }
    mark();
    const tcbInfo = collateral.tcbInfo.info;
    const qeIdentity = collateral.qeIdentity.identity;
    const ctx = { at, crypto, rootPublicKey, rootCaCrl: collateral.rootCaCrl };
    await verifySignedJson(ctx, 'tcbInfo', { bytes: tcbInfo.bytes, signature: collateral.tcbInfo.signature, chain: collateral.tcbInfo.chain, issueDate: tcbInfo.issueDate, nextUpdate: tcbInfo.nextUpdate });
    await verifySignedJson(ctx, 'qeIdentity', { bytes: qeIdentity.bytes, signature: collateral.qeIdentity.signature, chain: collateral.qeIdentity.chain, issueDate: qeIdentity.issueDate, nextUpdate: qeIdentity.nextUpdate });
    mark();
    const sig = quote.signatureData;
    if (!(await crypto.verifyP256(leaf.publicKey, sig.qeReportRaw, sig.qeReportSignature))) throw new Error('qe report signature');
    const binding = crypto.sha256(concatBytes(sig.attestationKey, sig.qeAuthData));
    if (!bytesEqual(sig.qeReport.reportData.subarray(0, 32), binding) || !isAllZero(sig.qeReport.reportData.subarray(32))) throw new Error('binding');
    const qe = checkQeIdentity(qeIdentity, quote.teeType, sig.qeReport);
    mark();
    const attestationKey = concatBytes(Uint8Array.of(0x04), sig.attestationKey);
    if (!(await rawCrypto.verifyP256(attestationKey, quote.signedData, sig.signature))) throw new Error('quote signature');
    mark();
    if (!bytesEqual(ext.fmspc, tcbInfo.fmspc) || !bytesEqual(ext.pceId, tcbInfo.pceId)) throw new Error('fmspc');
    if (quote.teeType === 'TDX' && tcbInfo.id === 'TDX') checkTdxModuleSigner(tcbInfo, quote.version, quote.body);
    const td = quote.teeType === 'TDX' ? quote.body : undefined;
    const evaluation = evaluateTcb(tcbInfo, {
      teeType: quote.teeType,
      quoteVersion: quote.version,
      pckComponents: ext.tcbComponents,
      pckPcesvn: ext.pcesvn,
      ...(td ? { teeTcbSvn: td.teeTcbSvn } : {}),
      ...(td?.kind === 'td15' ? { teeTcbSvn2: td.teeTcbSvn2 } : {}),
      qe,
    });
    mark();
    if (record) lap.forEach((ms, i) => samples[i].push(ms));
    return evaluation;
  }

  // The real thing, for comparison with the sum of the stages.
  const verifier = core.createVerifier({ crypto: make() });
  const whole = warm
    ? () => verifier.verifyQuote(v.quote, v.collateral, { at })
    : () => core.verifyQuote(v.quote, v.collateral, { at, crypto: make() });

  const evaluation = await once(false);
  await whole();
  const budget = benchOptions.time;
  const warmupEnd = performance.now() + benchOptions.warmupTime;
  while (performance.now() < warmupEnd) {
    await once(false);
    await whole();
  }
  const wholeMs = [];
  const end = performance.now() + budget;
  let n = 0;
  while (performance.now() < end || n < benchOptions.iterations) {
    await once(true);
    const t = performance.now();
    await whole();
    wholeMs.push(performance.now() - t);
    n++;
    sampleHeap();
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    iterations: n,
    outcome: { status: evaluation.status, advisoryIds: evaluation.advisoryIds },
    stages: STAGES.map((name, i) => ({ name, meanMs: mean(samples[i]), medianMs: median(samples[i]) })),
    stagesSumMeanMs: samples.reduce((a, s) => a + mean(s), 0),
    verifyQuoteMeanMs: mean(wholeMs),
    verifyQuoteMedianMs: median(wholeMs),
  };
}

const jobs = { verify: verifyJob, peer: peerJob, parse: parseJob, stages: stagesJob, primitives: primitivesJob };
const run = jobs[job.kind];
if (run === undefined) {
  process.stderr.write(`unknown job kind ${job.kind}\n`);
  process.exit(2);
}
const result = await run();
const cpu = process.cpuUsage();
process.stdout.write(`RESULT ${JSON.stringify({ job, ...result, memory: memory(), cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
