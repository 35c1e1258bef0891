/**
 * runServeCommand (what `tee-attest serve` calls): a real PCS stub on
 * loopback (--pccs, --insecure-http) behind the verified filesystem cache
 * (--cache), a PKCS#8 signing key file (--signing-key), a config file
 * (--config), a fixed time (--at); one ready line with the URL; the client
 * verifies through it. Offline bundles (--collateral DIR) too.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundleFile } from '../../src/node/directory-source.js';
import { hashApiKey, runServeCommand, DEFAULT_ISSUER } from '../../src/service/index.js';
import { IntelApiVerifier } from '../../src/verifier/ita/intel-api-verifier.js';
import { isoFromSeconds } from '../../src/lib/time.js';
import { PcsTestServer, pcsData, tempDir } from '../sources/dcap/helpers.js';
import { rejectsWith } from '../support/codes.js';
import { API_KEY, TDX_REQUEST, bundleOf, decodeJwtPart, scenario } from './helpers.js';

let pcs: PcsTestServer;
const tmp = tempDir();

beforeAll(async () => {
  pcs = await PcsTestServer.start(pcsData(scenario().collateral));
});
afterAll(async () => {
  await pcs?.close();
  tmp.remove();
});

function keyFile(): string {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
  const path = join(tmp.dir, 'signing.pem');
  writeFileSync(path, `${rsa}${ec}`);
  return path;
}

describe('runServeCommand', () => {
  it('serves with --pccs, --cache, --signing-key, --config and --at; prints one ready line', async () => {
    const s = scenario();
    const config = join(tmp.dir, 'service.json');
    writeFileSync(
      config,
      JSON.stringify({
        issuer: 'https://attest.test',
        apiKeys: [{ id: 'fleet', sha256: hashApiKey(API_KEY) }],
        fmspcs: [{ teeType: 'TDX', fmspc: TDX_REQUEST.fmspc, ca: 'platform' }],
      }),
    );
    const cacheDir = join(tmp.dir, 'cache');
    const out: string[] = [];
    const handle = await runServeCommand(
      {
        listen: '127.0.0.1:0',
        pccs: pcs.url,
        'insecure-http': true,
        cache: cacheDir,
        at: isoFromSeconds(s.at),
        'signing-key': keyFile(),
        config,
      },
      { stdout: (t) => out.push(t), stderr: () => {}, handleSignals: false, service: { rootPublicKey: s.rootPublicKey } },
    );
    try {
      expect(out).toEqual([`tee-attest serve: ready at ${handle.url}\n`]);
      expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await handle.service.warm()).toBe(true);
      expect((await fetch(`${handle.url}/readyz`)).status).toBe(200);
      expect(readdirSync(cacheDir).length).toBeGreaterThan(0); // verified collateral shared on disk
      const client = new IntelApiVerifier({
        apiKey: API_KEY,
        apiUrl: handle.url,
        jwksUrl: `${handle.url}/certs`,
        issuers: ['https://attest.test'],
        allowInsecureTransport: true,
      });
      const r = await client.verify(s.quote, { at: s.at });
      expect(r.tcbStatus).toBe('UpToDate');
      const jwks = (await (await fetch(`${handle.url}/certs`)).json()) as { keys: { kty: string }[] };
      expect(jwks.keys.map((k) => k.kty).sort()).toEqual(['EC', 'RSA']);
      expect(decodeJwtPart(r.token!.jwt, 0).kid).toBeTypeOf('string');
    } finally {
      await handle.close();
    }
    await handle.done;
  });

  it('serves offline bundles (--collateral DIR) in open mode on loopback, and says so', async () => {
    const s = scenario();
    const dir = join(tmp.dir, 'bundles');
    await writeBundleFile(dir, bundleOf(s, TDX_REQUEST));
    const out: string[] = [];
    const handle = await runServeCommand(
      { listen: '127.0.0.1:0', collateral: dir, at: String(s.at) },
      { stdout: (t) => out.push(t), stderr: () => {}, handleSignals: false, service: { rootPublicKey: s.rootPublicKey } },
    );
    try {
      expect(out[0]).toContain('loopback clients only');
      const client = new IntelApiVerifier({ apiKey: 'unused', apiUrl: handle.url, jwksUrl: `${handle.url}/certs`, issuers: [DEFAULT_ISSUER], allowInsecureTransport: true });
      expect((await client.verify(s.quote, { at: s.at })).tcbStatus).toBe('UpToDate');
    } finally {
      await handle.close();
    }
  });

  it('refuses a non-loopback listen address without API keys, and bad flags', async () => {
    const io = { stdout: () => {}, stderr: () => {}, handleSignals: false };
    await rejectsWith(runServeCommand({ listen: '0.0.0.0:0', collateral: tmp.dir }, io), 'InvalidArgument');
    await rejectsWith(runServeCommand({ listen: 'nope', collateral: tmp.dir }, io), 'InvalidArgument');
    await rejectsWith(runServeCommand({ listen: '127.0.0.1:0' }, io), 'InvalidArgument');
    await rejectsWith(runServeCommand({ listen: '127.0.0.1:0', cache: tmp.dir, collateral: tmp.dir }, io), 'InvalidArgument');
    await rejectsWith(runServeCommand({ bogus: 'x' } as never, io), 'InvalidArgument');
    // A port already taken: the error is coded and the service is closed again.
    const first = await runServeCommand({ listen: '127.0.0.1:0', collateral: tmp.dir }, io);
    try {
      await rejectsWith(runServeCommand({ listen: new URL(first.url).host, collateral: tmp.dir }, io), 'InvalidArgument');
    } finally {
      await first.close();
    }
  });
});
