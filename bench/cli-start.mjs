#!/usr/bin/env node
/**
 * Process start of the CLI against an empty Node (issue #15 target:
 * `tee-attest --help` ≤ 1.5× `node -e 0`), plus the offline verify. Runs the
 * commands interleaved, N rounds, and reports medians and ratios measured in
 * the same run. Usage: npm run build && node bench/cli-start.mjs [rounds]
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const rounds = Number(process.argv[2] ?? 21);
const node = process.execPath;
const V = 'vectors/dcap/dcap-qvl/';
const cases = {
  'node -e 0': ['-e', '0'],
  'tee-attest --help': ['dist/cli/main.js', '--help'],
  'tee-attest verify --help': ['dist/cli/main.js', 'verify', '--help'],
  'tee-attest verify --collateral FILE': ['dist/cli/main.js', 'verify', '--quote', `${V}sgx_quote`, '--collateral', `${V}sgx_quote_collateral.json`, '--at', '1752919277'],
  "node -e \"import('undici')\"": ['--input-type=module', '-e', "await import('undici')"],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = performance.now();
    const res = spawnSync(node, args, { stdio: 'ignore' });
    const ms = performance.now() - t0;
    if (res.status !== 0) throw new Error(`${name} exited ${res.status}`);
    if (r > 0) times[name].push(ms); // round 0 warms the file cache
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`process start, median of ${rounds - 1} interleaved runs (node ${process.version})`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}× node -e 0`);
}
const help = median(times['tee-attest --help']) / base;
console.log(`target tee-attest --help ≤ 1.5× node -e 0: ${help.toFixed(2)}× ${help <= 1.5 ? 'met' : 'NOT met'}`);
