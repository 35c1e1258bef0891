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
 * the main thread's CPU µs per task (Linux schedstat) and the CPU µs
 * per task of all threads, and the load average.
 *
 *   node bench/pool.mjs [--rounds N] [--tasks N] [--fleet-tasks N] [--workers 1,2,4] [--no-fleet] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dist } from './lib/common.mjs';
import { poolInputs, runPool, warmPool } from './lib/pool-workload.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rounds = Number(opt('--rounds', 7));
const tasks = Number(opt('--tasks', 3000));
const fleetTasks = argv.includes('--no-fleet') ? 0 : Number(opt('--fleet-tasks', 150));
const counts = opt('--workers', '1,2,4').split(',').map(Number);
const jsonOut = opt('--json', undefined);
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
for (const w of counts) {
  const pool = createVerifierPool({ workers: w, rootPublicKey });
  await warmPool(pool, distinct, collateral, at);
  pools.set(w, pool);
}

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
      got[w] = await runPool(pools.get(w), quoteAt(r), count, collateral, at);
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
    };
  }
  const ratio = ratios.length > 0 ? median(ratios) : undefined;
  results[name] = { summary, ratio, ratios, load: load() };
  line(`\n${name} (${count} tasks a round):`);
  for (const [w, s] of Object.entries(summary)) {
    line(`  ${w} worker${w === '1' ? ' ' : 's'}: ${s.perSecond.toFixed(0).padStart(6)}/s   main thread CPU ${s.mainUs.toFixed(1).padStart(6)} µs/task   all threads CPU ${s.cpuUs.toFixed(1).padStart(6)} µs/task`);
  }
  if (ratio !== undefined) {
    line(`  2 workers / 1 worker: ${ratio.toFixed(2)} (median of ${ratios.length} interleaved rounds; min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`);
  }
  line(`  load average after: ${load()}`);
}
await Promise.all([...pools.values()].map((p) => p.close()));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ results, node: process.version, cpus: cpus().length }, null, 2));
