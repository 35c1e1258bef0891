/**
 * Host program for Deno and Bun (test/runtimes/matrix.test.ts, bench/runtimes.mjs;
 * bench/runtimes.mjs also runs it in a fresh Node process):
 * reads the JSON job named on the command line, imports the built entries by
 * their file URLs with the runtime's own ESM loader, runs the suite with the
 * runtime's own fetch and prints one JSON line. Only runtime-native APIs here
 * (Deno.readTextFile / Bun.file; node:fs only in Node).
 */
import { benchSuite, runSuite } from './suite.mjs';

const { Deno, Bun } = globalThis;
const args = Deno ? Deno.args : Bun ? Bun.argv.slice(2) : process.argv.slice(2);
const text = Deno
  ? await Deno.readTextFile(args[0])
  : Bun
    ? await Bun.file(args[0]).text()
    : await (await import('node:fs/promises')).readFile(args[0], 'utf8');
const job = JSON.parse(text);

const t0 = performance.now();
const mods = {};
for (const [k, url] of Object.entries(job.entries)) mods[k] = await import(url);
const importMs = performance.now() - t0;

const runtime = Deno ? `deno ${Deno.version.deno}` : Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
const result = job.mode === 'bench' ? await benchSuite(mods, job.data, job.bench) : await runSuite(mods, job.data, globalThis.fetch);
console.log(JSON.stringify({ runtime, importMs, result }));
