#!/usr/bin/env node
/**
 * Runtime matrix benchmark (issue #18): the dcap-qvl TDX sample verified in
 * Node, Deno, Bun and workerd (through miniflare) in one run, with the
 * runtime's default crypto (WebCrypto) and the @noble fallback. Cold = a
 * fresh backend per call and no verification cache (key imports, chain and
 * collateral parsing every time); warm = one verifier reused (its cache
 * keeps the verified collateral; dates are still checked per call).
 * Each runtime runs in a fresh process (Node too), in 3 rounds with a
 * rotated order; a figure is the median of the rounds' medians. Prints the
 * per-round medians as JSON and a Markdown table for docs/performance.md.
 *
 *   npm run build && node bench/runtimes.mjs [--quick]
 */
import { matrixData } from '../test/runtimes/data.mjs';
import { disposeWorkerd, runIn, runtimeVersion } from '../test/runtimes/hosts.mjs';

const quick = process.argv.includes('--quick');
const bench = quick ? { cold: 10, warm: 60 } : { cold: 40, warm: 400 };
const data = matrixData();
const rows = [];
const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${Math.round(ms * 1000)} µs`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * workerd's clock stands still between I/O, so its figures are timed from
 * Node around dispatchFetch: (time of 2n calls − time of n calls) / n, the
 * median over `repeats` pairs. These are per-call medians of batch means.
 */
async function workerdBench() {
  await runIn('workerd', { mode: 'batch', data, batch: { backend: 'default', kind: 'cold', n: 1 } });
  const repeats = quick ? 3 : 7;
  const backends = {};
  for (const backend of ['default', 'noble']) {
    const r = {};
    for (const kind of ['cold', 'warm']) {
      const n = kind === 'cold' ? bench.cold : backend === 'noble' ? Math.max(10, Math.floor(bench.warm / 10)) : bench.warm;
      const per = [];
      for (let i = 0; i < repeats; i++) {
        const t = async (k) => {
          const t0 = performance.now();
          await runIn('workerd', { mode: 'batch', data, batch: { backend, kind, n: k } });
          return performance.now() - t0;
        };
        const one = await t(n);
        const two = await t(2 * n);
        per.push((two - one) / n);
      }
      r[`${kind}MedianMs`] = median(per);
    }
    backends[backend] = { backend: backend === 'noble' ? 'noble' : 'webcrypto', ...r };
  }
  return { importMs: null, result: { vector: data.samples[data.bench].name, backends } };
}

const RUNTIMES = ['node', 'deno', 'bun', 'workerd'];
const rounds = quick ? 1 : 3;
const versions = {};
const perRound = Object.fromEntries(RUNTIMES.map((r) => [r, []]));
try {
  for (const r of RUNTIMES) versions[r] = r === 'node' ? `node ${process.versions.node}` : await runtimeVersion(r);
  // Rounds with a rotated order, so that no runtime always runs when the machine is busiest.
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < RUNTIMES.length; k++) {
      const runtime = RUNTIMES[(k + round) % RUNTIMES.length];
      const out =
        runtime === 'workerd'
          ? await workerdBench()
          : await runIn(runtime === 'node' ? 'node-process' : runtime, { mode: 'bench', data, bench }, 600_000);
      perRound[runtime].push(out);
      process.stderr.write(`round ${round + 1}/${rounds}: ${runtime} done\n`);
    }
  }
} finally {
  await disposeWorkerd();
}

const FIELDS = ['coldMedianMs', 'warmMedianMs'];
for (const runtime of RUNTIMES) {
  const outs = perRound[runtime];
  const backends = {};
  for (const b of ['default', 'noble']) {
    backends[b] = { backend: outs[0].result.backends[b].backend };
    for (const f of FIELDS) backends[b][f] = median(outs.map((o) => o.result.backends[b][f]));
    backends[b].rounds = outs.map((o) => Object.fromEntries(FIELDS.map((f) => [f, o.result.backends[b][f]])));
  }
  const imports = outs.map((o) => o.importMs).filter((x) => x !== null);
  rows.push({ runtime, version: versions[runtime], importMs: imports.length ? median(imports) : null, vector: outs[0].result.vector, backends });
}

console.log(JSON.stringify(rows, null, 2));
console.log(`\nvector: ${rows[0].vector}; ${bench.cold} cold and ${bench.warm} warm calls (noble warm: ${Math.max(10, Math.floor(bench.warm / 10))}) per backend; median of ${rounds} round(s)\n`);
console.log('| runtime | version | default backend | cold (default) | warm (default) | cold (noble) | warm (noble) | entry import |');
console.log('|---|---|---|--:|--:|--:|--:|--:|');
for (const r of rows) {
  const d = r.backends.default;
  const n = r.backends.noble;
  console.log(`| ${r.runtime} | ${r.version} | ${d.backend} | ${fmt(d.coldMedianMs)} | ${fmt(d.warmMedianMs)} | ${fmt(n.coldMedianMs)} | ${fmt(n.warmMedianMs)} | ${r.importMs === null ? 'n/a (bundled)' : fmt(r.importMs)} |`);
}
