#!/usr/bin/env node
/**
 * What a verifier keeps per PCK leaf it has seen (issue #15): the heap and
 * the byte buffers a `createVerifier` cache holds after verifying N quotes
 * whose PCK leaves are all new (a fleet of machines), per leaf. Every cached
 * chain outlives the young generation, so its size is what the garbage
 * collector copies and marks for each new machine.
 *
 *   node bench/retained.mjs [--leaves N]   (default 600; at most the cache's 1,024 chains)
 *
 * Memory, not time: the figures do not depend on the machine's load.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dist } from './lib/common.mjs';
import { poolInputs } from './lib/pool-workload.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const argv = process.argv.slice(2);
const leaves = argv.includes('--leaves') ? Number(argv[argv.indexOf('--leaves') + 1]) : 600;
if (!Number.isSafeInteger(leaves) || leaves < 1 || leaves > 1024) throw new Error('--leaves must be an integer from 1 to 1024');

const testing = await dist('testing/index.js');
const core = await dist('index.js');
const { nodeBackend } = await dist('node/index.js');
const { at, rootPublicKey, collateral, distinct, fleet } = poolInputs(testing, { quotes: 1, leaves });

const verifier = core.createVerifier({ crypto: nodeBackend(), rootPublicKey });
await verifier.verifyQuote(distinct[0], collateral, { at }); // the collateral and its chains: known from here on

const usage = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  // `external` includes the ArrayBuffers (`arrayBuffers` is the part of it they hold).
  return { heap: m.heapUsed, buffers: m.external };
};
const before = usage();
for (const q of fleet) {
  const r = await verifier.verifyQuote(q, collateral, { at });
  if (r.status !== 'UpToDate') throw new Error(`unexpected status ${r.status}`);
}
const after = usage();
// The verifier is used after the measurement, so that it (and its cache) is
// alive through it: once optimised, this module's code may drop a value it
// no longer reads.
const again = await verifier.verifyQuote(fleet[0], collateral, { at });
if (again.status !== 'UpToDate') throw new Error(`unexpected status ${again.status}`);
const per = (k) => ((after[k] - before[k]) / leaves / 1024).toFixed(1);
process.stdout.write(`${leaves} new PCK leaves verified, kept per leaf: heap ${per('heap')} kB, byte buffers ${per('buffers')} kB (node ${process.version})\n`);
