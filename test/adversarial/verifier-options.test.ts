/**
 * Issue 11 §4 leftovers: the public options of DcapVerifier, CachedVerifier
 * and SnpVerifier are validated at construction into a coded InvalidArgument
 * naming the field (one shared helper: src/util/option-checks.ts), never a
 * raw TypeError at the first verification, and never echo a value.
 */
import { describe, expect, it } from 'vitest';
import { SnpVerifier } from '../../src/snp/verifier.js';
import { NoopVerifier } from '../../src/testing/noop-verifier.js';
import { CachedVerifier } from '../../src/verifier/cached-verifier.js';
import { DcapVerifier } from '../../src/verifier/dcap-verifier.js';
import { VerificationCache } from '../../src/verify/cache.js';
import { throwsWith } from '../support/codes.js';

const fetch = async (): Promise<Response> => new Response('', { status: 200 });
const P256 = new Uint8Array(65).fill(1);
P256[0] = 0x04;

/** [constructor label, field the error must name, options]. */
const BAD: [string, string, () => unknown][] = [
  ['DcapVerifier', 'options', () => new DcapVerifier('zero-config' as never)],
  ['DcapVerifier', 'options', () => new DcapVerifier([] as never)],
  ['DcapVerifier', 'collateral', () => new DcapVerifier({ collateral: 'pcs' as never })],
  ['DcapVerifier', 'collateral', () => new DcapVerifier({ collateral: {} as never })],
  ['DcapVerifier', 'fetch', () => new DcapVerifier({ fetch: 'https://api.trustedservices.intel.com' as never })],
  ['DcapVerifier', 'clock', () => new DcapVerifier({ clock: 1_767_225_600 as never })],
  ['DcapVerifier', 'clock', () => new DcapVerifier({ clock: () => Date.now() })],
  ['DcapVerifier', 'rootPublicKey', () => new DcapVerifier({ fetch, rootPublicKey: 'intel-root' as never })],
  ['DcapVerifier', 'rootPublicKey', () => new DcapVerifier({ fetch, rootPublicKey: new Uint8Array(64) })],
  ['DcapVerifier', 'rootPublicKey', () => new DcapVerifier({ fetch, rootPublicKey: new Uint8Array(65) })],
  ['DcapVerifier', 'crypto', () => new DcapVerifier({ fetch, crypto: 'noble' as never })],
  ['DcapVerifier', 'trailingBytes', () => new DcapVerifier({ fetch, trailingBytes: 'ignore' as never })],
  ['DcapVerifier', 'cache', () => new DcapVerifier({ fetch, cache: true as never })],
  ['DcapVerifier', 'cache', () => new DcapVerifier({ fetch, cache: new Map() as never })],
  ['CachedVerifier', 'options', () => new CachedVerifier(new NoopVerifier(), 3600 as never)],
  ['CachedVerifier', 'ttlSeconds', () => new CachedVerifier(new NoopVerifier(), { ttlSeconds: '3600' as never })],
  ['CachedVerifier', 'ttlSeconds', () => new CachedVerifier(new NoopVerifier(), { ttlSeconds: 0 })],
  ['CachedVerifier', 'ttlSeconds', () => new CachedVerifier(new NoopVerifier(), { ttlSeconds: 1.5 })],
  ['CachedVerifier', 'maxEntries', () => new CachedVerifier(new NoopVerifier(), { maxEntries: -1 })],
  ['CachedVerifier', 'clock', () => new CachedVerifier(new NoopVerifier(), { clock: 'system' as never })],
  ['CachedVerifier', 'clock', () => new CachedVerifier(new NoopVerifier(), { clock: () => Date.now() })],
  ['CachedVerifier', 'crypto', () => new CachedVerifier(new NoopVerifier(), { crypto: {} as never })],
  ['SnpVerifier', 'options', () => new SnpVerifier(null as never)],
  ['SnpVerifier', 'collateral', () => new SnpVerifier({ collateral: 'amd' as never })],
  ['SnpVerifier', 'fetch', () => new SnpVerifier({ collateral: 'kds', fetch: 5 as never })],
  ['SnpVerifier', 'clock', () => new SnpVerifier({ clock: new Date() as never })],
  ['SnpVerifier', 'clock', () => new SnpVerifier({ clock: () => Date.now() })],
  ['SnpVerifier', 'crypto', () => new SnpVerifier({ crypto: { sha256: () => new Uint8Array(32) } as never })],
  ['SnpVerifier', 'arkPins', () => new SnpVerifier({ arkPins: ['ab'] as never })],
  ['SnpVerifier', 'arkPins', () => new SnpVerifier({ arkPins: { Naples: ['ab'] } as never })],
  ['SnpVerifier', 'arkPins.Milan', () => new SnpVerifier({ arkPins: { Milan: 'ab' } as never })],
  ['SnpVerifier', 'arkPins.Genoa', () => new SnpVerifier({ arkPins: { Genoa: [] } })],
  ['SnpVerifier', 'product', () => new SnpVerifier({ product: 'milan' as never })],
  ['SnpVerifier', 'requireCrl', () => new SnpVerifier({ requireCrl: 'yes' as never })],
  ['SnpVerifier', 'policy', () => new SnpVerifier({ policy: 'strict' as never })],
];

describe('verifier options are validated at construction (InvalidArgument naming the field)', () => {
  it.each(BAD)('%s: %s', (_who, field, make) => {
    const e = throwsWith(make, 'InvalidArgument');
    const named = e.evidence?.field ?? e.evidence?.check ?? '';
    expect(named === field || named.endsWith(`.${field}`) || named.startsWith(`${field}`) || (field === 'options' && named === 'options')).toBe(true);
  });

  it('valid options still construct', () => {
    expect(() => new DcapVerifier()).not.toThrow();
    expect(() => new DcapVerifier({ fetch, rootPublicKey: P256, trailingBytes: 'reject', cache: false, clock: () => 1_767_225_600 })).not.toThrow();
    expect(() => new DcapVerifier({ fetch, cache: new VerificationCache(), clock: () => new Date() })).not.toThrow();
    expect(() => new CachedVerifier(new NoopVerifier(), { ttlSeconds: 60, maxEntries: 10, clock: () => 1_767_225_600 })).not.toThrow();
    expect(() => new SnpVerifier({ collateral: 'kds', fetch, product: 'Genoa', requireCrl: true, policy: 'skip', arkPins: { Milan: ['ab'.repeat(32)] } })).not.toThrow();
    expect(() => new SnpVerifier({ policy: { allowedMeasurements: ['00'.repeat(48)] } })).not.toThrow();
  });

  it('values are never echoed (an option may hold a secret)', () => {
    const secret = 'S3CRET-value-that-must-not-leak';
    for (const make of [
      () => new DcapVerifier({ fetch: secret as never }),
      () => new CachedVerifier(new NoopVerifier(), { ttlSeconds: secret as never }),
      () => new SnpVerifier({ product: secret as never }),
    ]) {
      const e = throwsWith(make, 'InvalidArgument');
      expect(JSON.stringify({ m: e.message, ev: e.evidence })).not.toContain(secret);
    }
  });
});
