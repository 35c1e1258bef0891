/**
 * The runtime-matrix suite (issue #18): one program, no runtime APIs beyond
 * what every target has (atob, fetch, performance, WebCrypto), run in Node,
 * Deno, Bun and Cloudflare workerd. The host loads the built entries
 * (`tee-attest`, `tee-attest/ra-tls`, `tee-attest/collateral`,
 * `tee-attest/snp`, plus `tee-attest/testing` for the no-op RA-TLS verifier)
 * and hands them in with the inputs (test/runtimes/data.mjs); the outcome is
 * plain JSON, compared by test/runtimes/matrix.test.ts with the manifests'
 * expectations and with Node's outcome.
 */

export function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const codeOf = (e, core) => (e instanceof core.AttestationError ? e.code : `not an AttestationError: ${String(e)}`);

function quoteOptions(core, s, crypto) {
  return {
    at: s.at,
    crypto,
    ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
    ...(s.rootHex ? { rootPublicKey: core.fromHex(s.rootHex) } : {}),
  };
}

/** DCAP: each bundled sample (vectors/samples.json) → status / advisories, or the error code. */
async function dcapSamples(core, samples, crypto) {
  const rows = [];
  for (const s of samples) {
    try {
      const v = await core.verifyQuote(b64(s.quote), JSON.parse(s.collateral), quoteOptions(core, s, crypto()));
      rows.push({ name: s.name, status: v.status, advisoryIds: [...v.advisoryIds], error: null });
    } catch (e) {
      rows.push({ name: s.name, status: null, advisoryIds: [], error: codeOf(e, core) });
    }
  }
  return rows;
}

/**
 * The offline bundles of collateral/ through tee-attest/collateral's
 * StaticSource (files served from memory), for each sample: the bundle the
 * quote asks for, then verifyQuote; CollateralMissing where none is shipped.
 */
async function offlineBundles(core, collateral, samples, bundles, crypto) {
  const source = new collateral.StaticSource({ name: 'collateral', read: (file) => Promise.resolve(bundles[file]) });
  const rows = [];
  for (const s of samples) {
    try {
      const quote = b64(s.quote);
      const b = await source.getCollateral(collateral.collateralRequestForQuote(quote, { trailingBytes: s.trailingBytes ?? 'zeros' }));
      const v = await core.verifyQuote(quote, b.collateral, quoteOptions(core, s, crypto()));
      rows.push({ name: s.name, status: v.status, advisoryIds: [...v.advisoryIds], error: null });
    } catch (e) {
      rows.push({ name: s.name, status: null, advisoryIds: [], error: codeOf(e, core) });
    }
  }
  return rows;
}

/** RA-TLS (vectors/ratls MANIFEST §6): the bound certificate's binding and replay; the UNBOUND one refused. */
async function raTls(core, raTlsEntry, testing, r, crypto) {
  const verifier = new testing.NoopVerifier();
  const out = {};
  try {
    const v = await raTlsEntry.verifyServerCertificate(b64(r.bound), { verifier, allowSimulator: true, at: r.at, crypto: crypto() });
    out.bound = {
      bindingMode: v.bindingMode,
      reportData: v.result.reportData,
      mrtd: v.result.mrtd,
      rtmr3: v.result.rtmr3,
      rtmr3Replay: v.eventLog.rtmr[3],
      appId: v.claims?.appId ?? null,
      composeHash: v.claims?.composeHash ?? null,
    };
  } catch (e) {
    out.bound = { error: codeOf(e, core) };
  }
  try {
    await raTlsEntry.verifyServerCertificate(b64(r.unbound), { verifier, allowSimulator: true, at: r.at, crypto: crypto() });
    out.unbound = { error: null };
  } catch (e) {
    out.unbound = { error: codeOf(e, core) };
  }
  return out;
}

/** SEV-SNP (vectors/snp README): a report with its VCEK and chain, and a flipped report. */
async function snpReports(core, snp, s, crypto) {
  const out = {};
  try {
    const v = await snp.verifySnpAttestation(b64(s.report), { vcek: b64(s.vcek), certChain: b64(s.chain) }, { at: s.at, crypto: crypto() });
    out.report = {
      product: v.product,
      signingKey: v.signingKey,
      policy: v.policy.raw,
      debug: v.debug,
      tcb: [v.reportedTcb.bootloader, v.reportedTcb.tee, v.reportedTcb.snp, v.reportedTcb.microcode],
      measurement: v.measurement,
      policyViolations: snp.checkSnpPolicy(v).map((x) => x.code),
    };
  } catch (e) {
    out.report = { error: codeOf(e, core) };
  }
  const flipped = b64(s.report);
  flipped[21] ^= 0x80;
  try {
    await snp.verifySnpAttestation(flipped, { vcek: b64(s.vcek), certChain: b64(s.chain) }, { at: s.at, crypto: crypto() });
    out.flipped = { error: null };
  } catch (e) {
    out.flipped = { error: codeOf(e, core) };
  }
  return out;
}

/** Collateral through the runtime's own fetch from a fake PCCS on 127.0.0.1, then verified. */
async function pccsFetch(core, collateral, p, fetchImpl) {
  try {
    const source = new collateral.PcsSource({ fetch: fetchImpl, baseUrl: p.url, allowInsecureHttp: true, timeoutMs: 10_000 });
    const bundle = await source.getCollateral(p.request);
    const v = await core.verifyQuote(b64(p.quote), bundle.collateral, { at: p.at });
    return { status: v.status, advisoryIds: [...v.advisoryIds], error: null };
  } catch (e) {
    return { status: null, advisoryIds: [], error: codeOf(e, core), message: String(e?.message ?? e) };
  }
}

/**
 * Everything, with the runtime's default crypto and with the pure-JS
 * fallback. `mods` = { core, raTls, collateral, snp, testing }.
 */
export async function runSuite(mods, data, fetchImpl) {
  const { core, raTls: raTlsEntry, collateral, snp, testing } = mods;
  const dcap = { default: () => core.defaultCryptoBackend(), noble: () => core.nobleBackend() };
  const snpCrypto = { default: () => snp.defaultSnpCryptoBackend(), noble: () => snp.jsSnpBackend() };
  const out = {
    defaultBackend: core.defaultCryptoBackend().name,
    snpDefaultBackend: snp.defaultSnpCryptoBackend().name ?? null,
    dcap: {},
    bundles: {},
    raTls: {},
    snp: {},
    pccs: null,
  };
  for (const [name, make] of Object.entries(dcap)) {
    out.dcap[name] = await dcapSamples(core, data.samples, make);
    out.bundles[name] = await offlineBundles(core, collateral, data.samples, data.bundles, make);
    out.raTls[name] = await raTls(core, raTlsEntry, testing, data.raTls, make);
    out.snp[name] = await snpReports(core, snp, data.snp, snpCrypto[name]);
  }
  if (data.pccs) out.pccs = await pccsFetch(core, collateral, data.pccs, fetchImpl);
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * bench/runtimes.mjs: medians on one sample, cold (a fresh backend and no
 * verification cache per call) and warm (one verifier, cache kept), for the
 * default backend and the noble fallback, in milliseconds.
 */
export async function benchSuite(mods, data, { cold = 30, warm = 300 } = {}) {
  const { core } = mods;
  const s = data.samples[data.bench ?? 0];
  const quote = b64(s.quote);
  const collateralJson = JSON.parse(s.collateral);
  const out = { vector: s.name, backends: {} };
  for (const [name, make] of Object.entries({ default: () => core.defaultCryptoBackend(), noble: () => core.nobleBackend() })) {
    const coldTimes = [];
    for (let i = 0; i < cold; i++) {
      const t = performance.now();
      await core.verifyQuote(quote, collateralJson, quoteOptions(core, s, make()));
      coldTimes.push(performance.now() - t);
    }
    const verifier = core.createVerifier({ crypto: make(), ...(s.rootHex ? { rootPublicKey: core.fromHex(s.rootHex) } : {}) });
    const opts = { at: s.at, ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}) };
    const warmTimes = [];
    const n = name === 'noble' ? Math.max(10, Math.floor(warm / 10)) : warm;
    for (let i = 0; i < n + 5; i++) {
      const t = performance.now();
      await verifier.verifyQuote(quote, collateralJson, opts);
      if (i >= 5) warmTimes.push(performance.now() - t);
    }
    out.backends[name] = { backend: make().name, coldMedianMs: median(coldTimes), warmMedianMs: median(warmTimes), cold: coldTimes.length, warm: warmTimes.length };
  }
  return out;
}

/**
 * For workerd, whose clock only advances on I/O (a Workers timing-attack
 * mitigation): `n` verifications after one untimed warm-up call, timed by
 * the host from outside; the host differences batches of n and 2n calls.
 */
export async function benchBatch(mods, data, { backend, kind, n }) {
  const { core } = mods;
  const s = data.samples[data.bench ?? 0];
  const quote = b64(s.quote);
  const collateralJson = JSON.parse(s.collateral);
  const make = backend === 'noble' ? () => core.nobleBackend() : () => core.defaultCryptoBackend();
  if (kind === 'cold') {
    for (let i = 0; i < n + 1; i++) await core.verifyQuote(quote, collateralJson, quoteOptions(core, s, make()));
    return { calls: n + 1 };
  }
  const verifier = core.createVerifier({ crypto: make(), ...(s.rootHex ? { rootPublicKey: core.fromHex(s.rootHex) } : {}) });
  const opts = { at: s.at, ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}) };
  for (let i = 0; i < n + 1; i++) await verifier.verifyQuote(quote, collateralJson, opts);
  return { calls: n + 1 };
}
