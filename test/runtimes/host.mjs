/**
 * Host program for Deno and Bun (test/runtimes/matrix.test.ts, bench/runtimes.mjs):
 * reads the JSON job named on the command line, imports the built entries by
 * their file URLs with the runtime's own ESM loader, runs the suite with the
 * runtime's own fetch and prints one JSON line. Only runtime-native APIs here
 * (Deno.readTextFile / Bun.file), no node: modules.
 */
import { benchSuite, runSuite } from './suite.mjs';

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.Bun.argv.slice(2);
const text = globalThis.Deno ? await globalThis.Deno.readTextFile(args[0]) : await globalThis.Bun.file(args[0]).text();
const job = JSON.parse(text);

const t0 = performance.now();
const mods = {};
for (const [k, url] of Object.entries(job.entries)) mods[k] = await import(url);
const importMs = performance.now() - t0;

const runtime = globalThis.Deno ? `deno ${globalThis.Deno.version.deno}` : `bun ${globalThis.Bun.version}`;
const result = job.mode === 'bench' ? await benchSuite(mods, job.data, job.bench) : await runSuite(mods, job.data, globalThis.fetch);
console.log(JSON.stringify({ runtime, importMs, result }));
