/**
 * Every snippet of docs/service.md runs here: the config file is parsed by
 * parseServiceConfig, the shell lines run (sha256sum, openssl) or are handed
 * to runServeCommand flag by flag, and the TypeScript snippets are executed
 * with the package specifiers mapped to src/. Substitutions, and only these:
 * listen addresses become 127.0.0.1:0, the PCS URL a loopback PCS stub,
 * absolute paths temporary files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, loadSigningKeys, parseServiceConfig, runServeCommand, SERVE_BOOLEAN_FLAGS, SERVE_VALUE_FLAGS } from '../../src/service/index.js';
import { IntelApiVerifier } from '../../src/verifier/ita/intel-api-verifier.js';
import { PcsTestServer, pcsData } from '../sources/dcap/helpers.js';
import { scenario } from './helpers.js';

const DOC = readFileSync('docs/service.md', 'utf8');
const blocks = (lang: string): string[] => [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const tmp = join(tmpdir(), `tee-attest-service-docs-${process.pid}`);
let pcs: PcsTestServer;

beforeAll(async () => {
  mkdirSync(tmp, { recursive: true });
  pcs = await PcsTestServer.start(pcsData(scenario().collateral));
});
afterAll(async () => {
  await pcs?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('docs/service.md snippets', () => {
  it('has the snippets this test knows how to run', () => {
    expect(blocks('json')).toHaveLength(1);
    expect(blocks('sh')).toHaveLength(3);
    expect(blocks('ts')).toHaveLength(2);
  });

  it('the config file example is valid', () => {
    const c = parseServiceConfig(JSON.parse(blocks('json')[0]!));
    expect(Object.keys(c.policies!)).toEqual(['prod-db', 'staging']);
    expect(c.apiKeys!.map((k) => k.id)).toEqual(['fleet-a', 'batch-jobs']);
  });

  it('the key-hash line computes what the service compares', () => {
    const out = execFileSync('sh', ['-c', blocks('sh')[0]!], { env: { ...process.env, ATTEST_KEY: 'fleet-a-key' } }).toString().trim();
    expect(out).toBe(hashApiKey('fleet-a-key'));
  });

  it('the openssl lines make a signing key file with a PS384 and an ES256 key; serve runs with it', async () => {
    execFileSync('sh', ['-c', blocks('sh')[1]!], { cwd: tmp });
    const keys = await loadSigningKeys(join(tmp, 'signing.pem'));
    expect(keys.keys.map((k) => k.alg)).toEqual(['PS384', 'ES256']);

    const words = blocks('sh')[2]!.trim().split(/\s+/);
    expect(words.slice(0, 2)).toEqual(['tee-attest', 'serve']);
    const flags: Record<string, string | boolean> = {};
    for (let i = 2; i < words.length; i++) {
      const name = words[i]!.replace(/^--/, '');
      if ((SERVE_BOOLEAN_FLAGS as readonly string[]).includes(name)) flags[name] = true;
      else {
        expect(SERVE_VALUE_FLAGS as readonly string[]).toContain(name);
        flags[name] = words[++i]!;
      }
    }
    writeFileSync(join(tmp, 'service.json'), blocks('json')[0]!);
    const substituted = {
      ...flags,
      listen: '127.0.0.1:0',
      pccs: pcs.url,
      'insecure-http': true,
      cache: join(tmp, 'cache'),
      'signing-key': join(tmp, 'signing.pem'),
      config: join(tmp, 'service.json'),
    };
    const out: string[] = [];
    const handle = await runServeCommand(substituted, { stdout: (t) => out.push(t), stderr: () => {}, handleSignals: false });
    try {
      expect(out).toEqual([`tee-attest serve: ready at ${handle.url}\n`]);
      const jwks = (await (await fetch(`${handle.url}/certs`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual(keys.keys.map((k) => k.kid));
    } finally {
      await handle.close();
    }
  });

  it('the TypeScript snippets run', async () => {
    const map = (code: string): string =>
      code
        .replace(/'tee-attest\/service'/g, `'${pathToFileURL(resolve('src/service/index.ts')).href}'`)
        .replace(/'tee-attest\/ra-tls'/g, `'${pathToFileURL(resolve('src/ra-tls/index.ts')).href}'`)
        .replace(/\.listen\(8080, '127\.0\.0\.1'\)/g, ".listen(0, '127.0.0.1')")
        .replace(/'\/var\/cache\/tee-attest'/g, `'${join(tmp, 'cache2')}'`);
    const [client, server] = blocks('ts');
    const clientFile = join(tmp, 'client.ts');
    writeFileSync(clientFile, map(client!) + '\nexport { verifier };\n');
    const c = (await import(/* @vite-ignore */ pathToFileURL(clientFile).href)) as { verifier: IntelApiVerifier };
    expect(c.verifier.name).toBe('intel-trust-authority');

    const serverFile = join(tmp, 'server.ts');
    writeFileSync(serverFile, map(server!) + '\nexport { server, service };\n');
    const s = (await import(/* @vite-ignore */ pathToFileURL(serverFile).href)) as {
      server: import('node:http').Server;
      service: { close(): Promise<void> };
    };
    await new Promise((r) => (s.server.listening ? r(undefined) : s.server.once('listening', r)));
    const port = (s.server.address() as import('node:net').AddressInfo).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await new Promise((r) => s.server.close(r));
    await s.service.close();
  });
});
