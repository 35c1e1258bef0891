import { bytesToHex } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { createTestPki, encodeSgxExtension, mintPckCert, pckCrlUrl } from '../../src/testing/index.js';
import { children, intValue, oidMap, pemBlocks, tlvAt, x509, hasOpenssl, openssl } from './helpers.js';

const pki = createTestPki();
const SGX = '1.2.840.113741.1.13.1';
const COMPONENTS = [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 200];

/** Independently locate and decode the SGX extension of a DER certificate. */
function sgxExtension(certDer: Uint8Array): Map<string, ReturnType<typeof tlvAt>> {
  const tbs = children(tlvAt(certDer))[0]!;
  const exts = children(tbs).find((t) => t.tag === 0xa3)!;
  for (const ext of children(children(exts)[0]!)) {
    const parts = children(ext);
    const id = parts[0]!;
    if (Buffer.from(id.value).equals(Buffer.from('2a864886f84d010d01', 'hex'))) {
      expect(parts.length).toBe(2); // not critical
      return oidMap(tlvAt(parts[1]!.value));
    }
  }
  throw new Error('no SGX extension');
}

describe('mintPckCert', () => {
  const leaf = mintPckCert(pki, {
    ca: 'platform',
    fmspc: '00906ED50000',
    pceId: '0000',
    tcbComponents: COMPONENTS,
    pcesvn: 11,
    ppid: '00112233445566778899aabbccddeeff',
  });

  it('parses, chains to the PCK Platform CA, and looks like Intel', () => {
    const x = x509(leaf.pem);
    expect(x.subject.split('\n')[0]).toBe('CN=Intel SGX PCK Certificate');
    expect(x.issuer.split('\n')[0]).toBe('CN=Intel SGX PCK Platform CA');
    expect(x.verify(x509(pki.platformCa.pem).publicKey)).toBe(true);
    expect(x.verify(x509(pki.processorCa.pem).publicKey)).toBe(false);
    expect(x.ca).toBe(false);
    expect(x.serialNumber.toLowerCase().replace(/^00/, '')).toBe(leaf.serialHex);
    expect(pemBlocks(leaf.chainPem)).toEqual([leaf.pem, pki.platformCa.pem, pki.root.pem]);
    expect(leaf.issuerChainPem).toBe(pki.platformCa.pem + pki.root.pem);
    expect(x.publicKey.export({ format: 'der', type: 'spki' }).subarray(-65).equals(Buffer.from(leaf.publicKey))).toBe(true);
    if (hasOpenssl()) {
      const text = openssl(['x509', '-noout', '-text'], leaf.pem);
      expect(text).toContain('Digital Signature, Non Repudiation');
      expect(text).toContain('CA:FALSE');
      expect(text).toContain(pckCrlUrl('platform'));
    }
  });

  it('encodes the SGX extension exactly as specified', () => {
    const m = sgxExtension(leaf.cert);
    expect([...m.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `${SGX}.${n}`));
    expect(m.get(`${SGX}.1`)!.tag).toBe(0x04);
    expect(bytesToHex(m.get(`${SGX}.1`)!.value)).toBe('00112233445566778899aabbccddeeff');
    const tcb = oidMap(m.get(`${SGX}.2`)!);
    expect([...tcb.keys()]).toEqual(Array.from({ length: 18 }, (_, i) => `${SGX}.2.${i + 1}`));
    for (let i = 0; i < 16; i++) {
      const v = tcb.get(`${SGX}.2.${i + 1}`)!;
      expect(v.tag).toBe(0x02);
      expect(intValue(v)).toBe(COMPONENTS[i]);
    }
    // 200 has the high bit set: DER-minimal INTEGER needs a leading 00
    expect(bytesToHex(tcb.get(`${SGX}.2.16`)!.raw)).toBe('020200c8');
    expect(intValue(tcb.get(`${SGX}.2.17`)!)).toBe(11);
    expect(bytesToHex(tcb.get(`${SGX}.2.18`)!.raw)).toBe('0410' + bytesToHex(Uint8Array.from(COMPONENTS)));
    expect(bytesToHex(m.get(`${SGX}.3`)!.raw)).toBe('04020000');
    expect(bytesToHex(m.get(`${SGX}.4`)!.raw)).toBe('040600906ed50000');
    expect(bytesToHex(m.get(`${SGX}.5`)!.raw)).toBe('0a0101'); // Scalable
    expect(m.get(`${SGX}.6`)!.value.length).toBe(16);
    const cfg = oidMap(m.get(`${SGX}.7`)!);
    expect([...cfg.keys()]).toEqual([`${SGX}.7.1`, `${SGX}.7.2`, `${SGX}.7.3`]);
    for (const v of cfg.values()) expect(bytesToHex(v.raw)).toBe('0101ff');
  });

  it('processor-CA leaves omit PlatformInstanceID / Configuration and default to Standard', () => {
    const p = mintPckCert(pki, { ca: 'processor', fmspc: '00606A000000', tcbComponents: COMPONENTS, pcesvn: 13, cpusvn: new Uint8Array(16).fill(7) });
    const x = x509(p.pem);
    expect(x.issuer.split('\n')[0]).toBe('CN=Intel SGX PCK Processor CA');
    expect(x.verify(x509(pki.processorCa.pem).publicKey)).toBe(true);
    const m = sgxExtension(p.cert);
    expect([...m.keys()]).toEqual([1, 2, 3, 4, 5].map((n) => `${SGX}.${n}`));
    expect(bytesToHex(m.get(`${SGX}.5`)!.raw)).toBe('0a0100');
    expect(bytesToHex(oidMap(m.get(`${SGX}.2`)!).get(`${SGX}.2.18`)!.value)).toBe('07'.repeat(16));
    expect(p.fmspc).toBe('00606A000000');
  });

  it('supports explicit serials, windows, keys and corruption', () => {
    const p = mintPckCert(pki, {
      fmspc: '00906ED50000',
      tcbComponents: COMPONENTS,
      pcesvn: 1,
      serial: '00ff01',
      notBefore: 1_700_000_000,
      notAfter: 1_800_000_000,
      configuration: { dynamicPlatform: false, cachedKeys: true, smtEnabled: false },
      label: 'another leaf',
    });
    const x = x509(p.pem);
    expect(p.serialHex).toBe('ff01');
    expect(x.serialNumber.toLowerCase().replace(/^00/, '')).toBe('ff01');
    // DER-minimal INTEGER with a sign byte
    expect(bytesToHex(children(children(tlvAt(p.cert))[0]!)[1]!.raw)).toBe('020300ff01');
    expect(Date.parse(x.validFrom) / 1000).toBe(1_700_000_000);
    expect(bytesToHex(p.publicKey)).not.toBe(bytesToHex(leaf.publicKey));
    const cfg = oidMap(sgxExtension(p.cert).get(`${SGX}.7`)!);
    expect([...cfg.values()].map((v) => bytesToHex(v.value))).toEqual(['00', 'ff', '00']);

    const bad = mintPckCert(pki, { fmspc: '00906ED50000', tcbComponents: COMPONENTS, pcesvn: 1, corruptSignature: true });
    expect(x509(bad.pem).verify(x509(pki.platformCa.pem).publicKey)).toBe(false);
    const noExt = mintPckCert(pki, { fmspc: '00906ED50000', tcbComponents: COMPONENTS, pcesvn: 1, sgxExtension: null });
    expect(() => sgxExtension(noExt.cert)).toThrow('no SGX extension');
  });

  it('encodeSgxExtension rejects wrong component counts', () => {
    expect(() =>
      encodeSgxExtension({
        ppid: new Uint8Array(16),
        tcbComponents: [1, 2, 3],
        pcesvn: 0,
        cpusvn: new Uint8Array(16),
        pceId: new Uint8Array(2),
        fmspc: new Uint8Array(6),
        sgxType: 0,
      }),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('is deterministic', () => {
    const again = mintPckCert(pki, {
      ca: 'platform',
      fmspc: '00906ED50000',
      pceId: '0000',
      tcbComponents: COMPONENTS,
      pcesvn: 11,
      ppid: '00112233445566778899aabbccddeeff',
    });
    expect(again.pem).toBe(leaf.pem);
  });
});
