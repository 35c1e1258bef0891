#!/usr/bin/env node
/**
 * Load test of the appraisal service over loopback (issue 17), next to the
 * in-process verifier, in one run.
 *
 *   node bench/service.mjs [--no-build] [--seconds S] [--clients C] [--replicas 1,2] [--alg PS384|ES256]
 *
 * For each replica count N: N service processes (stateless replicas, each
 * its own event loop / core, each `createAppraisalService` with the same
 * fake-Intel collateral and a fixed verification time), C concurrent
 * keep-alive clients spread round-robin over them (what a load balancer
 * does), for S seconds: requests/s and p50 / p99 latency. Then the
 * in-process warm verifier (createVerifier().verifyQuote) on one core for S
 * seconds, and the ratio service / in-process.
 *
 * Child mode (internal): node bench/service.mjs --child  → prints "URL <url>".
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './lib/build.mjs';
import { dist } from './lib/common.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const API_KEY = 'bench-key';

async function scenarioAndSource() {
  const { makeScenario } = await dist('testing/index.js');
  const { toBundleCollateral } = await dist('sources/dcap/bundle.js');
  const { collateralRequestForQuote } = await dist('sources/dcap/request.js');
  const s = makeScenario();
  const request = collateralRequestForQuote(s.quote);
  const bundle = { request, collateral: toBundleCollateral(s.pcsCollateral), metadata: { source: 'bench' } };
  return { s, source: { getCollateral: async () => bundle } };
}

async function child() {
  const { createAppraisalService, hashApiKey } = await dist('service/index.js');
  const { createVerifier } = await dist('index.js');
  const { s, source } = await scenarioAndSource();
  const service = await createAppraisalService({
    source,
    verifier: createVerifier({ rootPublicKey: s.rootPublicKey }),
    at: s.at,
    log: () => {},
    config: { apiKeys: [{ id: 'bench', sha256: hashApiKey(API_KEY) }], rateLimit: { perSecond: 1e6, burst: 1e6 } },
  });
  const server = createServer(service.handler);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`URL http://127.0.0.1:${server.address().port}\n`));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

function startReplica() {
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout.on('data', (d) => {
      buf += d;
      const m = /URL (\S+)\n/.exec(buf);
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM'))) });
    });
    p.once('exit', (code) => reject(new Error(`replica exited (${code})`)));
  });
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function load(urls, body, clients, seconds) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  let next = 0;
  async function client() {
    while (performance.now() < end) {
      const url = urls[next++ % urls.length];
      const t0 = performance.now();
      const res = await fetch(`${url}/appraisal/v2/attest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 200) latencies.push(performance.now() - t0);
      else errors += 1;
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), ok: latencies.length, errors };
}

async function inProcess(seconds) {
  const { createVerifier } = await dist('index.js');
  const { s, source } = await scenarioAndSource();
  const v = createVerifier({ rootPublicKey: s.rootPublicKey });
  const { collateral } = await source.getCollateral();
  for (let i = 0; i < 200; i++) await v.verifyQuote(s.quote, collateral, { at: s.at }); // warm-up
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await v.verifyQuote(s.quote, collateral, { at: s.at });
    n += 1;
  }
  return n / ((performance.now() - t0) / 1000);
}

async function main() {
  ensureBuilt({ skip: argv.includes('--no-build') });
  const seconds = Number(opt('--seconds', '5'));
  const clients = Number(opt('--clients', '64'));
  const replicaCounts = opt('--replicas', '1,2').split(',').map(Number);
  const { s } = await scenarioAndSource();
  const alg = opt('--alg', 'PS384');
  const body = JSON.stringify({ tdx: { quote: Buffer.from(s.quote).toString('base64') }, token_signing_alg: alg });
  process.stdout.write(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${clients} clients, ${seconds} s per run, tokens ${alg}\n`);
  const rows = [];
  for (const n of replicaCounts) {
    const replicas = await Promise.all(Array.from({ length: n }, startReplica));
    const urls = replicas.map((r) => r.url);
    await load(urls, body, clients, Math.min(1, seconds)); // warm-up
    const r = await load(urls, body, clients, seconds);
    rows.push({ replicas: n, ...r });
    await Promise.all(replicas.map((x) => x.stop()));
  }
  const local = await inProcess(seconds);
  process.stdout.write('\nreplicas  req/s     p50 ms   p99 ms   ok      errors  service/in-process\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.replicas).padEnd(10)}${r.rps.toFixed(0).padEnd(10)}${r.p50.toFixed(2).padEnd(9)}${r.p99.toFixed(2).padEnd(9)}${String(r.ok).padEnd(8)}${String(r.errors).padEnd(8)}${(r.rps / local).toFixed(2)}\n`,
    );
  }
  process.stdout.write(`\nin-process warm verifier (1 core): ${local.toFixed(0)} verifications/s\n`);
}

if (argv.includes('--child')) await child();
else await main();
