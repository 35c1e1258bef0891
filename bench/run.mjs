#!/usr/bin/env node
/**
 * `npm run bench` (issue #7): tee-attest against its peers, in one run, on the
 * same vectors and collateral.
 *
 *   node bench/run.mjs [--quick] [--no-build] [--no-install] [--no-pin]
 *                      [--wait-idle SECONDS] [--retry-noisy N] [--out FILE]
 *
 *   --quick        short runs (rough figures; writes bench/results/quick.json)
 *   --no-build     measure the dist/ that is there
 *   --no-install   skip `npm --prefix bench ci`
 *   --no-pin       do not pin the jobs to CPU 0
 *   --wait-idle S  wait up to S seconds for other processes to go quiet first
 *                  (before the jobs, and before each retry)
 *   --retry-noisy N  run a job again (up to N times) when other processes were
 *                  busy during it; the quietest attempt is kept
 *
 * 1. `npm run build` (dist/ is what is measured) and `npm --prefix bench ci`
 *    (the peers and tinybench live in bench/package.json, not in the root).
 * 2. Agreement: every bundled sample verified by us (each backend) and by the
 *    peers; the status and advisories must agree on the benchmark vectors
 *    (and every timed contender's first result must agree too).
 * 3. One child process per contender and vector (clean heap, its own peak
 *    RSS), pinned to one CPU with taskset when available: ours warm
 *    (createVerifier), cold (verifyQuote, fresh backend per call) and cold
 *    with a reused backend (verifyQuote, no cache) with the
 *    node:crypto, WebCrypto and @noble/curves backends; @phala/dcap-qvl as
 *    Node runs it (its crypto on node:crypto) and in its pure-JS browser mode
 *    (elliptic), and @phala/dcap-qvl-web (WASM); parse only; the per-stage
 *    breakdown; the crypto primitives per backend (and elliptic).
 * 4. Prints the tables, the ratios to each peer and the targets, and writes
 *    bench/results/latest.json (gitignored).
 *
 * Benchmarks are programs, not tests: nothing here runs in `npm test`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { ensureBuilt } from './lib/build.mjs';
import { BACKENDS, BENCH_DIR, RESULTS_DIR, ROOT, VECTORS, backendFactories, decodeBinaryOrHex, dist } from './lib/common.mjs';

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const outFile = resolve(ROOT, opt('--out') ?? (quick ? 'bench/results/quick.json' : 'bench/results/latest.json'));

// --- 1. build and install -----------------------------------------------------
const build = ensureBuilt({ skip: flag('--no-build') });
if (!flag('--no-install')) {
  process.stdout.write('> npm --prefix bench ci\n');
  const r = spawnSync('npm', ['--prefix', BENCH_DIR, 'ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('npm --prefix bench ci failed\n');
    process.exit(1);
  }
}
const benchRequire = createRequire(resolve(BENCH_DIR, 'package.json'));

// --- machine ----------------------------------------------------------------
function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {}
  return cpus()[0]?.model ?? 'unknown';
}
function tryExec(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
const taskset = !flag('--no-pin') && cpus().length > 1 && tryExec('taskset', ['-c', '0', 'true']) !== undefined;
const pkgVersion = (name) => JSON.parse(readFileSync(resolve(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
const machine = {
  node: process.version,
  v8: process.versions.v8,
  openssl: process.versions.openssl,
  platform: `${process.platform} ${release()} ${process.arch}`,
  cpuModel: cpuModel(),
  cpus: cpus().length,
  memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
  freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
  pinnedToOneCpu: taskset,
  commit: tryExec('git', ['rev-parse', '--short', 'HEAD']),
  dirtyTree: (tryExec('git', ['status', '--porcelain']) ?? '') !== '',
  peers: { '@phala/dcap-qvl': pkgVersion('@phala/dcap-qvl'), '@phala/dcap-qvl-web': pkgVersion('@phala/dcap-qvl-web') },
  tinybench: pkgVersion('tinybench'),
};
process.stdout.write(
  `\nMachine: ${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB; Node ${machine.node} (V8 ${machine.v8}, OpenSSL ${machine.openssl})\n` +
    `Each contender runs in its own process${taskset ? ', pinned to CPU 0 (taskset -c 0): one core' : ' (not pinned)'}${quick ? '; --quick: short runs, rough figures' : ''}\n`,
);

// --- 2. agreement -------------------------------------------------------------
function toSeconds(at) {
  if (typeof at === 'number') return at;
  if (/^\d+$/.test(at)) return Number(at);
  return Math.floor(Date.parse(at) / 1000);
}
const sameOutcome = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function describeOutcome(o) {
  if (o === null) return 'n/a';
  if (o.error !== undefined) return `error ${o.error}`;
  return `${o.status} [${o.advisoryIds.join(', ')}]`;
}

async function agreement() {
  const core = await dist('index.js');
  const { parseCertificate } = await dist('x509/certificate.js');
  const { decodePem } = await dist('x509/pem.js');
  const qvl = benchRequire('@phala/dcap-qvl');
  const web = await import(benchRequire.resolve('@phala/dcap-qvl-web'));
  web.initSync({ module: readFileSync(benchRequire.resolve('@phala/dcap-qvl-web/dcap-qvl-web_bg.wasm')) });
  const backends = await backendFactories();
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'vectors/samples.json'), 'utf8'));
  const benchVectors = new Set(Object.values(VECTORS).map((v) => v.quote.replace(/^vectors\//, '')));
  const rows = [];
  for (const s of manifest.samples) {
    const quote = decodeBinaryOrHex(new Uint8Array(readFileSync(resolve(ROOT, 'vectors', s.quote))));
    const collateral = JSON.parse(readFileSync(resolve(ROOT, 'vectors', s.collateral), 'utf8'));
    const rootPublicKey = s.root ? parseCertificate(decodePem(readFileSync(resolve(ROOT, 'vectors', s.root), 'utf8'))[0]).publicKey : undefined;
    const ours = {};
    for (const b of BACKENDS) {
      try {
        const v = await core.verifyQuote(quote, collateral, {
          at: s.at,
          crypto: backends[b](),
          ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
          ...(rootPublicKey ? { rootPublicKey } : {}),
        });
        ours[b] = { status: v.status, advisoryIds: [...v.advisoryIds] };
      } catch (e) {
        ours[b] = { error: e?.code ?? String(e) };
      }
    }
    // The peers take dcap-qvl's collateral shape and Intel's real root only.
    const peerApplies = rootPublicKey === undefined && typeof collateral.tcb_info === 'string';
    const peer = (fn) => {
      if (!peerApplies) return null;
      try {
        const r = fn();
        return { status: r.status, advisoryIds: [...(r.advisory_ids ?? [])] };
      } catch (e) {
        return { error: String(e?.message ?? e).slice(0, 120) };
      }
    };
    const at = toSeconds(s.at);
    const row = {
      name: s.name,
      benchVector: benchVectors.has(s.quote),
      expected: s.expect.error !== undefined ? { error: s.expect.error } : { status: s.expect.status, advisoryIds: s.expect.advisoryIds ?? [] },
      ours,
      'dcap-qvl': peer(() => qvl.verify(Buffer.from(quote), collateral, at)),
      'dcap-qvl-web': peer(() => web.js_verify(quote, collateral, BigInt(at))),
      note: peerApplies ? undefined : rootPublicKey ? 'peers cannot pin a test root' : 'collateral in PCS shape: peers take dcap-qvl JSON only',
    };
    const o = ours.node;
    row.oursConsistent = BACKENDS.every((b) => sameOutcome(ours[b], o));
    row.oursAsExpected = sameOutcome(o, row.expected);
    // Success: same status and advisories. Failure: both fail (the peers' error texts are their own).
    const agrees = (p) => p === null || (o.error !== undefined ? p.error !== undefined : sameOutcome(p, o));
    row.peersAgree = agrees(row['dcap-qvl']) && agrees(row['dcap-qvl-web']);
    rows.push(row);
  }
  return rows;
}

process.stdout.write('\n== Agreement: status / advisories per sample (vectors/samples.json) ==\n');
const agree = await agreement();
for (const r of agree) {
  process.stdout.write(`${r.benchVector ? '*' : ' '} ${r.name}\n`);
  process.stdout.write(`    ours (node, webcrypto, noble): ${describeOutcome(r.ours.node)}${r.oursConsistent ? '' : '  BACKENDS DISAGREE'}${r.oursAsExpected ? '' : '  UNEXPECTED'}\n`);
  if (r.note) process.stdout.write(`    peers: n/a (${r.note})\n`);
  else {
    process.stdout.write(`    @phala/dcap-qvl:               ${describeOutcome(r['dcap-qvl'])}\n`);
    process.stdout.write(`    @phala/dcap-qvl-web:           ${describeOutcome(r['dcap-qvl-web'])}\n`);
    const verdict = !r.peersAgree ? 'DISAGREE' : r.ours.node.error !== undefined ? 'all reject it (each with its own error)' : 'agree';
    process.stdout.write(`    ${verdict}\n`);
  }
}
process.stdout.write('  (* = benchmark vector)\n');
const agreementOk = agree.every((r) => r.oursConsistent && r.oursAsExpected) && agree.filter((r) => r.benchVector).every((r) => r.peersAgree);

// --- 3. jobs ------------------------------------------------------------------
/**
 * Other processes on this machine skew the figures. /proc/stat busy time
 * during a job, less the CPU time of the job's own process (and ours), is
 * the load of everything else: on CPU 0 (where the job is pinned) and on the
 * whole machine, in cores.
 */
function cpuTicks() {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const parse = (prefix) => {
      const f = lines.find((l) => l.startsWith(prefix)).trim().split(/\s+/).slice(1, 9).map(Number);
      const idle = f[3] + f[4];
      return { busy: f.reduce((a, b) => a + b, 0) - idle };
    };
    return { all: parse('cpu '), cpu0: parse('cpu0 '), at: performance.now(), self: process.cpuUsage() };
  } catch {
    return undefined;
  }
}
const CLK_TCK = 100; // USER_HZ of /proc/stat on Linux
function foreignLoad(before, after, childCpuSeconds) {
  if (before === undefined || after === undefined) return undefined;
  const wall = (after.at - before.at) / 1000;
  const selfCpu = process.cpuUsage(before.self);
  const own = childCpuSeconds + (selfCpu.user + selfCpu.system) / 1e6;
  const cores = (busy) => Math.max(0, (busy / CLK_TCK - own) / wall);
  return {
    cpu0Cores: +cores(after.cpu0.busy - before.cpu0.busy).toFixed(2),
    machineCores: +cores(after.all.busy - before.all.busy).toFixed(2),
  };
}
const NOISY_CPU0 = 0.15;
const NOISY_MACHINE = 0.5;
const isNoisy = (n) => n !== undefined && (n.cpu0Cores > NOISY_CPU0 || n.machineCores > NOISY_MACHINE);

/** Wait (up to `seconds`) for a quiet machine; returns the last measured load. */
async function quietCheck(seconds) {
  const deadline = performance.now() + seconds * 1000;
  let waited = false;
  for (;;) {
    const a = cpuTicks();
    await new Promise((ok) => setTimeout(ok, 2000));
    const n = foreignLoad(a, cpuTicks(), 0);
    if (n === undefined || !isNoisy(n) || performance.now() > deadline) {
      if (waited) process.stdout.write('\n');
      return n;
    }
    if (!waited) process.stdout.write(`  machine busy (${n.machineCores} cores used by other processes); waiting for quiet `);
    else process.stdout.write('.');
    waited = true;
  }
}

function runJob(job) {
  return new Promise((resolveJob, reject) => {
    const args = [resolve(BENCH_DIR, 'worker.mjs'), JSON.stringify({ ...job, quick })];
    const [cmd, cmdArgs] = taskset ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || line === undefined) reject(new Error(`job ${JSON.stringify(job)} failed (exit ${code})\n${out}`));
      else resolveJob(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}

const MODES = ['warm', 'cold-shared', 'cold'];
const PEERS = ['dcap-qvl', 'dcap-qvl-purejs', 'dcap-qvl-web'];
const PEER_LABEL = {
  'dcap-qvl': `@phala/dcap-qvl ${machine.peers['@phala/dcap-qvl']} (JS; node:crypto in Node)`,
  'dcap-qvl-purejs': `@phala/dcap-qvl ${machine.peers['@phala/dcap-qvl']} (pure-JS mode: elliptic)`,
  'dcap-qvl-web': `@phala/dcap-qvl-web ${machine.peers['@phala/dcap-qvl-web']} (WASM)`,
};
const PEER_SHORT = { 'dcap-qvl': '× dcap-qvl', 'dcap-qvl-purejs': '× dcap-qvl pure JS', 'dcap-qvl-web': '× dcap-qvl-web' };
const MODE_LABEL = { warm: 'warm', 'cold-shared': 'cold, reused backend', cold: 'cold' };
const jobs = [];
for (const vector of Object.keys(VECTORS)) {
  for (const backend of BACKENDS) for (const mode of MODES) jobs.push({ kind: 'verify', mode, backend, vector });
  for (const peer of PEERS) jobs.push({ kind: 'peer', peer, vector });
  jobs.push({ kind: 'parse', vector });
  for (const mode of ['cold', 'warm']) for (const backend of BACKENDS) jobs.push({ kind: 'stages', mode, backend, vector });
}
for (const backend of [...BACKENDS, 'elliptic']) jobs.push({ kind: 'primitives', backend });

const waitIdle = Number(opt('--wait-idle') ?? 0);
const retryNoisy = Number(opt('--retry-noisy') ?? 0);
process.stdout.write(`\n== Running ${jobs.length} jobs ==\n`);
const initialLoad = await quietCheck(waitIdle);
if (isNoisy(initialLoad)) {
  process.stdout.write(`  WARNING: other processes use ${initialLoad.machineCores} cores of this machine; figures will be low and noisy (--wait-idle SECONDS waits for quiet)\n`);
}
const done = [];
const started = performance.now();
for (const [i, job] of jobs.entries()) {
  const label = [job.kind, job.mode, job.backend, job.peer, job.vector].filter(Boolean).join(' ');
  process.stdout.write(`  [${String(i + 1).padStart(2)}/${jobs.length}] ${label.padEnd(28)}`);
  let best;
  let attempts = 0;
  for (let attempt = 0; ; attempt++) {
    attempts = attempt + 1;
    if (attempt > 0) {
      await quietCheck(waitIdle);
      process.stdout.write(`  [${String(i + 1).padStart(2)}/${jobs.length}] ${label.padEnd(28)}`);
    }
    const t = performance.now();
    const before = cpuTicks();
    const r = await runJob(job);
    r.otherLoad = foreignLoad(before, cpuTicks(), r.cpuSeconds);
    const noisy = isNoisy(r.otherLoad);
    const noise = r.otherLoad === undefined ? '' : `  other load: CPU 0 ${r.otherLoad.cpu0Cores}, machine ${r.otherLoad.machineCores} cores${noisy ? '  NOISY' : ''}`;
    const retry = noisy && attempt < retryNoisy;
    process.stdout.write(` ${((performance.now() - t) / 1000).toFixed(1)} s${noise}${retry ? ' (again)' : ''}\n`);
    if (best === undefined || (r.otherLoad?.machineCores ?? 0) < (best.otherLoad?.machineCores ?? 0)) best = r;
    if (!retry) break;
  }
  best.attempts = attempts;
  done.push(best);
}
const noisyJobs = done.filter((r) => isNoisy(r.otherLoad)).length;
const wallSeconds = (performance.now() - started) / 1000;

// --- 4. report ----------------------------------------------------------------
const fmtMs = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const fmtOps = (n) => Math.round(n).toLocaleString('en-US');
const fmtMb = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const fmtX = (x) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
const pad = (s, n, right = false) => (right ? String(s).padStart(n) : String(s).padEnd(n));
function table(headers, rows, rightFrom = 1) {
  const w = headers.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => '  ' + r.map((c, i) => pad(c, w[i], i >= rightFrom)).join('  ') + '\n';
  process.stdout.write(line(headers) + '  ' + w.map((n) => '-'.repeat(n)).join('  ') + '\n' + rows.map(line).join(''));
}

const find = (pred) => done.find((r) => pred(r.job));
const results = {};
for (const vector of Object.keys(VECTORS)) {
  const peers = Object.fromEntries(PEERS.map((p) => [p, find((j) => j.kind === 'peer' && j.peer === p && j.vector === vector)]));
  const ours = done.filter((r) => r.job.kind === 'verify' && r.job.vector === vector);
  const ratio = (r, p) => ({ median: p.medianMs / r.medianMs, opsPerSec: r.opsPerSec / p.opsPerSec });
  const contenders = [
    ...ours.map((r) => ({
      ...r,
      name: `ours ${MODE_LABEL[r.job.mode]} (${r.job.backend})`,
      vs: Object.fromEntries(Object.entries(peers).map(([p, pr]) => [p, ratio(r, pr)])),
    })),
    ...Object.entries(peers).map(([p, r]) => ({ ...r, name: PEER_LABEL[p] })),
  ];
  const parse = find((j) => j.kind === 'parse' && j.vector === vector);
  const stages = {};
  for (const mode of ['cold', 'warm']) {
    stages[mode] = Object.fromEntries(BACKENDS.map((b) => [b, find((j) => j.kind === 'stages' && j.mode === mode && j.backend === b && j.vector === vector)]));
  }
  const outcomes = new Set(contenders.map((c) => JSON.stringify(c.outcome)));
  const contendersAgree = outcomes.size === 1;
  results[vector] = { ...VECTORS[vector], contenders, contendersAgree, parse: parse.tasks, parseMemory: parse.memory, parseOtherLoad: parse.otherLoad, stages };

  process.stdout.write(`\n== ${VECTORS[vector].label}, at ${VECTORS[vector].at} ==\n`);
  table(
    ['contender', 'ops/s', 'median', 'p99', '1st call', 'peak RSS', 'heap peak', ...PEERS.map((p) => PEER_SHORT[p]), 'other load'],
    contenders.map((c) => [
      c.name,
      fmtOps(c.opsPerSec),
      fmtMs(c.medianMs),
      fmtMs(c.p99Ms),
      fmtMs(c.firstCallMs),
      fmtMb(c.memory.peakRssBytes),
      fmtMb(c.memory.peakHeapUsedBytes),
      ...PEERS.map((p) => (c.vs ? fmtX(c.vs[p].median) : '—')),
      c.otherLoad === undefined ? '?' : `${c.otherLoad.cpu0Cores}${isNoisy(c.otherLoad) ? ' NOISY' : ''}`,
    ]),
  );
  process.stdout.write(
    contendersAgree
      ? `  all ${contenders.length} contenders return ${describeOutcome(contenders[0].outcome)}\n`
      : '  CONTENDERS DISAGREE on the outcome (see the last column)\n',
  );
  process.stdout.write('  ops/s = 1000 / mean latency (sustained, GC included); × peer = peer median / our median;\n  other load = cores used on CPU 0 by other processes during the job.\n');
  process.stdout.write('\n  parse only:\n');
  table(['task', 'ops/s', 'median', 'p99'], parse.tasks.map((t) => [t.name, fmtOps(t.opsPerSec), fmtMs(t.medianMs), fmtMs(t.p99Ms)]));
  for (const mode of ['cold', 'warm']) {
    process.stdout.write(`\n  where the time goes, ${mode} (mean per stage; median in brackets; building blocks from dist/):\n`);
    const s = stages[mode];
    table(
      ['stage', ...BACKENDS.map((b) => b), ...BACKENDS.map((b) => `% ${b}`)],
      [
        ...s.node.stages.map((st, i) => [
          st.name,
          ...BACKENDS.map((b) => `${fmtMs(s[b].stages[i].meanMs)} (${fmtMs(s[b].stages[i].medianMs)})`),
          ...BACKENDS.map((b) => `${((100 * s[b].stages[i].meanMs) / s[b].stagesSumMeanMs).toFixed(0)}%`),
        ]),
        ['sum of stages', ...BACKENDS.map((b) => fmtMs(s[b].stagesSumMeanMs)), '', '', ''],
        ['verifyQuote, same process (mean / median)', ...BACKENDS.map((b) => `${fmtMs(s[b].verifyQuoteMeanMs)} / ${fmtMs(s[b].verifyQuoteMedianMs)}`), '', '', ''],
      ],
    );
  }
}

const PRIMITIVE_BACKENDS = [...BACKENDS, 'elliptic'];
const primitives = Object.fromEntries(PRIMITIVE_BACKENDS.map((b) => [b, find((j) => j.kind === 'primitives' && j.backend === b)]));
process.stdout.write('\n== Crypto backends side by side (ECDSA P-256 verify of the TDX quote signature, SHA-256) ==\n');
table(
  ['backend', ...primitives.node.tasks.map((t) => t.name)],
  PRIMITIVE_BACKENDS.map((b) => [
    b === 'elliptic' ? 'elliptic + hash.js (dcap-qvl pure JS)' : b,
    ...primitives[b].tasks.map((t) => `${fmtOps(t.opsPerSec)}/s (median ${fmtMs(t.medianMs)})`),
  ]),
);

// Targets of issue #7.
const get = (vector, mode, backend) => results[vector].contenders.find((c) => c.job.kind === 'verify' && c.job.mode === mode && c.job.backend === backend);
const peerOf = (vector, p) => results[vector].contenders.find((c) => c.job.peer === p);
const warmTdx = Object.fromEntries(BACKENDS.map((b) => [b, get('tdx', 'warm', b)]));
const coldTdx = Object.fromEntries(BACKENDS.map((b) => [b, get('tdx', 'cold', b)]));
const coldSharedTdx = Object.fromEntries(BACKENDS.map((b) => [b, get('tdx', 'cold-shared', b)]));
const targets = [
  {
    target: 'warm ≥ 5,000 TDX verifies/s on one core',
    measured: BACKENDS.map((b) => `${b} ${fmtOps(warmTdx[b].opsPerSec)}/s (median ${fmtMs(warmTdx[b].medianMs)} → ${fmtOps(1000 / warmTdx[b].medianMs)}/s)`).join('; '),
    met: BACKENDS.some((b) => warmTdx[b].opsPerSec >= 5000),
    metBy: BACKENDS.filter((b) => warmTdx[b].opsPerSec >= 5000),
  },
  {
    target: 'cold ≤ 2 ms (TDX, median; fresh backend per call)',
    measured: BACKENDS.map((b) => `${b} ${fmtMs(coldTdx[b].medianMs)}`).join('; '),
    met: BACKENDS.some((b) => coldTdx[b].medianMs <= 2),
    metBy: BACKENDS.filter((b) => coldTdx[b].medianMs <= 2),
  },
  {
    target: 'cold ≤ 2 ms (TDX, median; reused backend, no VerificationCache)',
    measured: BACKENDS.map((b) => `${b} ${fmtMs(coldSharedTdx[b].medianMs)}`).join('; '),
    met: BACKENDS.some((b) => coldSharedTdx[b].medianMs <= 2),
    metBy: BACKENDS.filter((b) => coldSharedTdx[b].medianMs <= 2),
  },
  ...Object.keys(VECTORS).map((vector) => {
    const n = get(vector, 'cold', 'noble');
    const pure = peerOf(vector, 'dcap-qvl-purejs');
    return {
      target: `noble-only (cold) at least as fast as @phala/dcap-qvl in pure JS (its browser mode, elliptic), ${vector.toUpperCase()}`,
      measured: `noble cold median ${fmtMs(n.medianMs)} (${fmtOps(n.opsPerSec)}/s) vs ${fmtMs(pure.medianMs)} (${fmtOps(pure.opsPerSec)}/s): ${fmtX(pure.medianMs / n.medianMs)}`,
      met: n.medianMs <= pure.medianMs,
    };
  }),
  ...Object.keys(VECTORS).map((vector) => {
    const n = get(vector, 'cold', 'noble');
    const w = get(vector, 'warm', 'noble');
    const p = peerOf(vector, 'dcap-qvl');
    return {
      target: `noble-only (cold) at least as fast as @phala/dcap-qvl as Node runs it (node:crypto), ${vector.toUpperCase()}`,
      measured: `noble cold median ${fmtMs(n.medianMs)} vs ${fmtMs(p.medianMs)}: ${fmtX(p.medianMs / n.medianMs)}; noble warm ${fmtMs(w.medianMs)}: ${fmtX(p.medianMs / w.medianMs)}`,
      met: n.medianMs <= p.medianMs,
    };
  }),
];
process.stdout.write('\n== Targets (issue #7) ==\n');
for (const t of targets) process.stdout.write(`  [${t.met ? 'met' : 'NOT MET'}] ${t.target}\n      ${t.measured}\n`);

let bundle;
try {
  const { measureSizes, printSizes } = await import('./size.mjs');
  bundle = await measureSizes();
  process.stdout.write('\n== Bundle ==\n');
  printSizes(bundle);
} catch (e) {
  bundle = { error: String(e?.message ?? e) };
  process.stdout.write(`\nbundle size not measured: ${bundle.error}\n`);
}

// --- floor ratios (issue #15): bench/floor.mjs in its own process -------------
let floor;
{
  process.stdout.write('\n== Floor ratios and process start (issue #15): bench/floor.mjs ==\n');
  const args = [resolve(BENCH_DIR, 'floor.mjs'), ...(quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const out = r.stdout ?? '';
  process.stdout.write(out.split('\n').filter((l) => !l.startsWith('RESULT ')).join('\n'));
  const resultLine = out.split('\n').find((l) => l.startsWith('RESULT '));
  floor = resultLine === undefined ? { error: `bench/floor.mjs exited ${r.status}` } : JSON.parse(resultLine.slice('RESULT '.length));
}

const report = {
  schema: 1,
  date: new Date().toISOString(),
  quick,
  wallSeconds: +wallSeconds.toFixed(1),
  machine,
  build,
  method: {
    harness: `tinybench ${machine.tinybench}: per task ${quick ? 200 : 1500} ms warm-up, then ${quick ? 300 : 2000} ms and at least ${quick ? 16 : 64} iterations measured, sequential`,
    opsPerSec: '1000 / mean latency (sustained rate, GC pauses included)',
    process: `one child process per job${taskset ? ', pinned to CPU 0 with taskset -c 0 (WebCrypto jobs share that core with libuv\'s thread pool)' : ''}`,
    memory: 'peakRssBytes: the child\'s maxRSS (getrusage); peakHeapUsedBytes: heapUsed sampled every 32 calls',
    warm: 'createVerifier: one backend and one VerificationCache for every call',
    cold: 'verifyQuote with a fresh backend per call and no cache; the quote bytes and collateral object are shared inputs (also for the peers); process state (JIT, noble base-point tables) is warm; firstCallMs is the first call in a fresh process',
    coldShared: 'verifyQuote with one backend for every call (its public-key cache warm) and no VerificationCache',
    ratios: 'vs[peer].median = peer median / our median; vs[peer].opsPerSec = our ops/s / peer ops/s (> 1: we are faster)',
    stages: 'the verifyQuote pipeline re-run from its building blocks in dist/ (parseQuote, parseCollateral, parseChain, verifyChain, parseSgxExtension, verifySignedJson, verifyP256, checkQeIdentity, checkTdxModuleSigner, evaluateTcb), each stage timed with performance.now()',
  },
  noise: {
    initialOtherLoad: initialLoad,
    noisyJobs,
    threshold: `other processes above ${NOISY_CPU0} cores on CPU 0 or ${NOISY_MACHINE} cores on the machine during a job`,
  },
  agreement: agree,
  agreementOk,
  results,
  primitives,
  targets,
  bundle,
  floor,
};
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`\nWrote ${outFile.replace(ROOT + '/', '')} (${wallSeconds.toFixed(0)} s of jobs)\n`);
if (noisyJobs > 0) {
  process.stdout.write(`WARNING: ${noisyJobs} of ${done.length} jobs ran while other processes were busy (marked NOISY above); rerun on a quiet machine for figures to publish.\n`);
}
const contendersAgreeAll = Object.values(results).every((r) => r.contendersAgree);
if (!agreementOk || !contendersAgreeAll) {
  process.stderr.write('Agreement check failed: see above.\n');
  process.exit(1);
}
if (bundle.error !== undefined || bundle.entry?.withinBudget === false) process.exit(1);
