#!/usr/bin/env node
/**
 * `npm run bench:pool` (issue #15): createVerifierPool throughput per worker
 * count, and the 2-worker / 1-worker ratio, on two workloads:
 *   - warm: 64 distinct quotes of one platform, one collateral object (each
 *     worker verifies the collateral and chain once, then one signature per quote);
 *   - fleet: every task carries a PCK leaf no worker has seen (a fleet of machines).
 * A producer keeps the bounded queue full (`await pool.ready()` before each
 * `verifyQuote`). The pools of each size live side by side and are measured in
 * interleaved rounds (order rotated each round), so that every ratio compares
 * figures taken under the same machine conditions; medians are printed, with
 * the CPU µs per task of all threads, of the main thread and of the pool's
 * workers (Linux schedstat), and the load average. From the CPU figures it
 * also prints what ratio the same work would reach on idle cores (a ceiling
 * other processes on the machine do not lower; the measured ratio is the
 * figure of record).
 *
 *   node bench/pool.mjs [--rounds N] [--tasks N] [--fleet-tasks N] [--workers 1,2,4] [--per-worker N] [--no-fleet] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dist } from './lib/common.mjs';
import { newPool, poolInputs, runPool } from './lib/pool-workload.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rounds = Number(opt('--rounds', 7));
const tasks = Number(opt('--tasks', 3000));
const fleetTasks = argv.includes('--no-fleet') ? 0 : Number(opt('--fleet-tasks', 150));
const counts = opt('--workers', '1,2,4').split(',').map(Number);
const jsonOut = opt('--json', undefined);
const perWorker = opt('--per-worker', undefined) === undefined ? undefined : Number(opt('--per-worker'));
const cores = cpus().length;
const line = (s) => process.stdout.write(`${s}\n`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const testing = await dist('testing/index.js');
const { createVerifierPool } = await dist('node/index.js');
const inputs = poolInputs(testing, { leaves: fleetTasks * rounds });
const { at, rootPublicKey, collateral, distinct, fleet } = inputs;

line(`\n== createVerifierPool, node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${rounds} interleaved rounds ==`);
line(`load average at start: ${load()}`);

const pools = new Map();
for (const w of counts) pools.set(w, await newPool(createVerifierPool, { workers: w, rootPublicKey, ...(perWorker ? { perWorker } : {}) }, inputs));

const workloads = [['warm', tasks, (r) => (i) => distinct[i % distinct.length]]];
if (fleetTasks > 0) workloads.push(['fleet', fleetTasks, (r) => (i) => fleet[r * fleetTasks + i]]);

const results = {};
for (const [name, count, quoteAt] of workloads) {
  const per = new Map(counts.map((w) => [w, []]));
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const order = counts.map((_, j) => counts[(j + r) % counts.length]);
    const got = {};
    for (const w of order) {
      const { pool, workerThreads } = pools.get(w);
      got[w] = await runPool(pool, quoteAt(r), count, collateral, at, workerThreads);
      per.get(w).push(got[w]);
    }
    if (got[1] && got[2]) ratios.push(got[2].perSecond / got[1].perSecond);
  }
  const summary = {};
  for (const [w, xs] of per) {
    summary[w] = {
      perSecond: median(xs.map((x) => x.perSecond)),
      mainUs: median(xs.map((x) => x.mainUs)),
      cpuUs: median(xs.map((x) => x.cpuUs)),
      ...(xs[0].workersUs === undefined ? {} : { workersUs: median(xs.map((x) => x.workersUs)) }),
    };
  }
  // What the CPU time per task allows on `cores` otherwise idle cores: the
  // workers' share bounds each worker to one core, all threads' share bounds
  // the whole to `cores` (a ceiling that time taken by other processes does
  // not lower; the measured ratio is the figure of record).
  const projected = (w) => {
    const s = summary[w];
    if (s?.workersUs === undefined) return undefined;
    return Math.min(w / s.workersUs, cores / s.cpuUs, 1 / s.mainUs) * 1e6;
  };
  const ratio = ratios.length > 0 ? median(ratios) : undefined;
  results[name] = { summary, ratio, ratios, load: load() };
  line(`\n${name} (${count} tasks a round):`);
  for (const [w, s] of Object.entries(summary)) {
    const workers = s.workersUs === undefined ? '' : `   workers ${s.workersUs.toFixed(1).padStart(6)}   other threads ${(s.cpuUs - s.mainUs - s.workersUs).toFixed(1).padStart(5)}`;
    line(`  ${w} worker${w === '1' ? ' ' : 's'}: ${s.perSecond.toFixed(0).padStart(6)}/s   CPU µs/task: all threads ${s.cpuUs.toFixed(1).padStart(6)}   main ${s.mainUs.toFixed(1).padStart(5)}${workers}`);
  }
  const p1 = projected(1);
  const p2 = projected(2);
  if (p1 !== undefined && p2 !== undefined) {
    results[name].projectedRatio = p2 / p1;
    line(`  projected from CPU time on ${cores} idle cores: 2 workers / 1 worker ${(p2 / p1).toFixed(2)} (${p2.toFixed(0)}/s vs ${p1.toFixed(0)}/s)`);
  }
  if (ratio !== undefined) {
    line(`  2 workers / 1 worker: ${ratio.toFixed(2)} (median of ${ratios.length} interleaved rounds; min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`);
  }
  line(`  load average after: ${load()}`);
}
await Promise.all([...pools.values()].map((p) => p.pool.close()));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ results, node: process.version, cpus: cpus().length }, null, 2));
