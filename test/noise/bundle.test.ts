/**
 * The initiator entry runs in browsers: esbuild bundles src/noise/index.ts for
 * platform "browser" with every Node built-in marked as unavailable; the
 * build fails if anything in its import graph reaches one.
 */
import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('tee-attest/noise in the browser', () => {
  it('bundles with no Node built-in in its import graph', async () => {
    const seen: string[] = [];
    const r = await build({
      entryPoints: [new URL('../../src/noise/index.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-node-builtins',
          setup(b) {
            const names = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
            b.onResolve({ filter: /.*/ }, (args) => {
              if (args.path.startsWith('node:') || names.has(args.path)) {
                seen.push(`${args.path} from ${args.importer}`);
                return { path: args.path, external: true };
              }
              return undefined;
            });
          },
        },
      ],
    });
    expect(seen).toEqual([]);
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs.some((p) => p.includes('src/noise/attested.ts'))).toBe(true);
    // Neither the provenance (node:crypto via @sigstore) nor the Node adapters are pulled in.
    expect(inputs.filter((p) => /src\/(provenance|node|postgres|simulator|cli)\//.test(p) || p === 'src/node/index.ts')).toEqual([]);
  });
});
