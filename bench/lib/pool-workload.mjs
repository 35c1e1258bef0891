/**
 * The createVerifierPool workloads shared by bench/pool.mjs and the pool
 * section of bench/floor.mjs (issue #15): a producer that keeps the pool's
 * bounded queue full (`await pool.ready()` before each `verifyQuote`), timed
 * as wall time, the main thread's busy time (event-loop utilization) and the
 * CPU time of all threads of this process.
 */
import { readFileSync } from 'node:fs';
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
export async function runPool(pool, quoteAt, count, collateral, at) {
  const main0 = mainThreadCpuUs();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const pending = [];
  for (let i = 0; i < count; i++) {
    await pool.ready(); // backpressure: wait while the bounded queue is full
    pending.push(pool.verifyQuote(quoteAt(i), collateral, { at }).then(check));
  }
  await Promise.all(pending);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const main1 = mainThreadCpuUs();
  return {
    perSecond: count / (wallUs / 1e6),
    // the main thread's CPU time, or (not on Linux) its busy wall time
    mainUs: main0 !== undefined && main1 !== undefined ? (main1 - main0) / count : (elu.active * 1000) / count,
    cpuUs: (cpu.user + cpu.system) / count,
  };
}

/** Warm every worker of `pool` (its collateral and chain verified once per worker). */
export async function warmPool(pool, quotes, collateral, at) {
  await Promise.all(Array.from({ length: pool.workers * 16 }, (_, i) => pool.verifyQuote(quotes[i % quotes.length], collateral, { at }).then(check)));
}
