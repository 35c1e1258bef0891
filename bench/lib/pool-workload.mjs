/**
 * The createVerifierPool workloads shared by bench/pool.mjs and the pool
 * section of bench/floor.mjs (issue #15): a producer that keeps the pool's
 * bounded queue full (`await pool.ready()` before each `verifyQuote`), timed
 * as wall time, the main thread's busy time (event-loop utilization) and the
 * CPU time of all threads of this process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * CPU time of this (the main) thread in µs, from Linux's per-thread schedstat
 * (time on CPU, so time slices lost to other processes do not count), or
 * undefined elsewhere.
 */
function mainThreadCpuUs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return undefined;
  }
}

/** CPU µs of every thread of this process by thread id (Linux), or undefined elsewhere. */
export function threadCpuUs() {
  try {
    const out = new Map();
    for (const t of readdirSync('/proc/self/task')) {
      out.set(t, Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1000);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Create a pool and note the threads it started (its workers), to tell their CPU time from the rest. */
export async function newPool(createVerifierPool, options, inputs) {
  const before = threadCpuUs();
  const pool = createVerifierPool(options);
  await warmPool(pool, inputs.distinct, inputs.collateral, inputs.at);
  const after = threadCpuUs();
  const workerThreads = before === undefined || after === undefined ? undefined : [...after.keys()].filter((t) => !before.has(t));
  return { pool, workerThreads };
}

/** The inputs: 64 distinct quotes of one platform, and quotes whose PCK leaves are all different (a fleet). */
export function poolInputs(testing, { quotes = 64, leaves = 0 } = {}) {
  const base = testing.makeScenario();
  const distinct = Array.from({ length: quotes }, (_, i) => {
    const reportData = new Uint8Array(64);
    reportData[0] = i;
    reportData[1] = i >> 8;
    return testing.buildQuote({ ...base.quoteOptions, tdBody: { ...base.quoteOptions.tdBody, reportData } });
  });
  const fleet = Array.from({ length: leaves }, (_, i) => {
    const pck = testing.mintPckCert(base.pki, {
      fmspc: base.pck.fmspc,
      pceId: base.pck.pceId,
      tcbComponents: base.pck.tcbComponents,
      pcesvn: base.pck.pcesvn,
      cpusvn: base.pck.cpusvn,
      notBefore: base.pck.notBefore,
      notAfter: base.pck.notAfter,
      label: `pool bench leaf ${i}`,
    });
    return testing.buildQuote({ ...base.quoteOptions, pck });
  });
  return { at: base.at, rootPublicKey: base.rootPublicKey, collateral: base.collateral, distinct, fleet };
}

const check = (r) => {
  if (r.status !== 'UpToDate') throw new Error(`unexpected status ${r.status}`);
};

/**
 * Run `count` verifications of quoteAt(i) through `pool`, keeping its queue
 * full. Returns throughput (per wall second), the main thread's busy µs per
 * task and all threads' CPU µs per task.
 */
export async function runPool(pool, quoteAt, count, collateral, at, workerThreads) {
  const threads0 = workerThreads === undefined ? undefined : threadCpuUs();
  const main0 = mainThreadCpuUs();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // Completions are counted, not collected: a producer that kept every
  // promise and result alive until the end would time its own heap's growth.
  let done = 0;
  let finish;
  let fail;
  const all = new Promise((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const settled = (r) => {
    check(r);
    if (++done === count) finish();
  };
  if (count === 0) finish();
  for (let i = 0; i < count; i++) {
    await pool.ready(); // backpressure: wait while the bounded queue is full
    pool.verifyQuote(quoteAt(i), collateral, { at }).then(settled).catch(fail);
  }
  await all;
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const main1 = mainThreadCpuUs();
  const threads1 = threads0 === undefined ? undefined : threadCpuUs();
  let workersUs;
  if (threads0 !== undefined && threads1 !== undefined) {
    workersUs = 0;
    for (const t of workerThreads) workersUs += (threads1.get(t) ?? 0) - (threads0.get(t) ?? 0);
    workersUs /= count;
  }
  return {
    perSecond: count / (wallUs / 1e6),
    // the main thread's CPU time, or (not on Linux) its busy wall time
    mainUs: main0 !== undefined && main1 !== undefined ? (main1 - main0) / count : (elu.active * 1000) / count,
    cpuUs: (cpu.user + cpu.system) / count,
    // the pool's worker threads only (Linux), per task
    workersUs,
  };
}

/**
 * Warm every worker of `pool`: its collateral and chain verified once, then
 * `perWorker` tasks each, so that the workers' code is optimised before
 * anything is timed (a few dozen tasks leave every round paying TurboFan's
 * compilation on the platform threads).
 */
export async function warmPool(pool, quotes, collateral, at, perWorker = 4000) {
  await Promise.all(Array.from({ length: pool.workers * 16 }, (_, i) => pool.verifyQuote(quotes[i % quotes.length], collateral, { at }).then(check)));
  await runPool(pool, (i) => quotes[i % quotes.length], pool.workers * perWorker, collateral, at, undefined);
}
