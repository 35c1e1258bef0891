import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { parseCertificate, type Certificate } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { MAX_CHAIN_LENGTH, verifyChain, verifyCrl, type ChainOptions } from '../../src/verify/chain.js';
import {
  DERIVED,
  INTEL_ROOT_DER,
  QVL,
  SGX_NOW,
  TDX_NOW,
  expectCodeAsync,
  indexOf,
  pemChain,
  readVector,
} from './helpers.js';
import { MID, T0, mintCa, mintCrl, mintLeaf, mintRoot, rawPublicKey, x509 } from './pki.js';

const noble = nobleBackend();
const INTEL_ROOT = parseCertificate(INTEL_ROOT_DER);
const INTEL_KEY = INTEL_ROOT.publicKey;
const QVL_ROOT = parseCertificate(pemChain(QVL + 'trustedRootCaCert.pem')[0]!);
const Y2060 = Date.UTC(2060, 0, 1) / 1000;

const chainOf = (rel: string): Certificate[] => pemChain(rel).map(parseCertificate);
const crlOf = (rel: string): ReturnType<typeof parseCrl> => parseCrl(readVector(rel));

const SGX = {
  chain: chainOf(DERIVED + 'sgx_quote/pck_chain_from_quote.pem'),
  crls: [crlOf(DERIVED + 'sgx_quote/pck_crl.der'), crlOf(DERIVED + 'sgx_quote/root_ca_crl.der')],
  at: SGX_NOW,
};
const TDX = {
  chain: chainOf(DERIVED + 'tdx_quote/pck_chain_from_quote.pem'),
  crls: [crlOf(DERIVED + 'tdx_quote/pck_crl.der'), crlOf(DERIVED + 'tdx_quote/root_ca_crl.der')],
  at: TDX_NOW,
};

function opts(over: Partial<ChainOptions> = {}): ChainOptions {
  return { rootPublicKey: INTEL_KEY, at: TDX_NOW, crypto: noble, context: 'pck', requireCrlFor: 'none', ...over };
}

/** Copy of a certificate's DER with one byte XOR-ed, re-parsed. */
function flip(c: Certificate, offset: number): Certificate {
  const der = c.der.slice();
  der[offset] = der[offset]! ^ 0x01;
  return parseCertificate(der);
}

describe('verifyChain: real Intel chains', () => {
  it('verifies the SGX and TDX quote PCK chains with their CRLs at the MANIFEST test times', async () => {
    for (const v of [SGX, TDX]) {
      await verifyChain(v.chain, opts({ at: v.at, crls: v.crls, requireCrlFor: 'all' }));
      await verifyChain(v.chain, opts({ at: v.at }));
    }
  });

  it('verifies the collateral issuer chains (TCB signing, PCK CRL issuer)', async () => {
    for (const name of ['tcb_info_issuer_chain', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain']) {
      const chain = chainOf(`${DERIVED}tdx_quote/${name}.pem`);
      await verifyChain(chain, opts({ crls: TDX.crls.slice(1), requireCrlFor: 'all', context: 'tcbInfo', failCode: 'TcbInfoSignature' }));
    }
  });

  it('verifies a chain without the root certificate against the pinned key (root CRL via the pinned key)', async () => {
    await verifyChain(TDX.chain.slice(0, 2), opts({ crls: TDX.crls, requireCrlFor: 'all' }));
  });

  it('verifies the Intel QVL sample chain against its own test root, and only that root', async () => {
    const chain = [parseCertificate(pemChain(QVL + 'pckCert.pem')[0]!), ...chainOf(QVL + 'pckSignChain.pem')];
    const crls = [crlOf(QVL + 'intermediateCaCrl.der'), crlOf(QVL + 'rootCaCrl.der')];
    const at = Date.UTC(2024, 0, 1) / 1000;
    await verifyChain(chain, opts({ rootPublicKey: QVL_ROOT.publicKey, at, crls, requireCrlFor: 'all' }));
    await expectCodeAsync(() => verifyChain(chain, opts({ at })), 'UntrustedRoot');
  });

  it('CertificateExpired far in the future and before issuance', async () => {
    const e = await expectCodeAsync(() => verifyChain(TDX.chain, opts({ at: Y2060 })), 'CertificateExpired');
    expect(e.evidence).toMatchObject({ check: 'pck.chain.validity', field: 'certs[0]', found: '2060-01-01T00:00:00Z' });
    expect(e.evidence?.expected).toBe('2025-02-06T23:25:51Z..2032-02-06T23:25:51Z');
    await expectCodeAsync(() => verifyChain(TDX.chain, opts({ at: Date.UTC(2017, 0, 1) / 1000 })), 'CertificateExpired');
    // the root alone expires after 2049-12-31T23:59:59Z
    await verifyChain([INTEL_ROOT], opts({ at: Date.UTC(2049, 11, 31, 23, 59, 59) / 1000 }));
    await expectCodeAsync(() => verifyChain([INTEL_ROOT], opts({ at: Date.UTC(2050, 0, 1) / 1000 })), 'CertificateExpired');
  });

  it('UntrustedRoot with another pinned key, with or without the root in the chain', async () => {
    const e = await expectCodeAsync(() => verifyChain(TDX.chain, opts({ rootPublicKey: QVL_ROOT.publicKey })), 'UntrustedRoot');
    expect(e.evidence).toMatchObject({ check: 'pck.chain.root', field: 'certs[2]' });
    await expectCodeAsync(() => verifyChain(TDX.chain.slice(0, 2), opts({ rootPublicKey: QVL_ROOT.publicKey })), 'UntrustedRoot');
  });

  it('PckChain (or the given failCode) when a signed byte is flipped', async () => {
    const [leaf, ca, root] = TDX.chain as [Certificate, Certificate, Certificate];
    const keyAt = indexOf(leaf.der, leaf.publicKey) + 20;
    const badLeaf = flip(leaf, keyAt);
    const e = await expectCodeAsync(() => verifyChain([badLeaf, ca, root], opts()), 'PckChain');
    expect(e.evidence).toMatchObject({ check: 'pck.chain.signature', field: 'certs[0]' });
    // a flipped PPID byte inside the SGX extension
    const ppidAt = indexOf(leaf.der, Uint8Array.from([0x81, 0x1d, 0xca, 0x2a]));
    await expectCodeAsync(() => verifyChain([flip(leaf, ppidAt), ca, root], opts()), 'PckChain');
    const badCa = flip(ca, indexOf(ca.der, ca.publicKey) + 30);
    await expectCodeAsync(() => verifyChain([leaf, badCa, root], opts()), 'PckChain');
    // root stays self-issued with the pinned key, but its self-signature breaks
    const badRoot = flip(root, indexOf(root.der, new TextEncoder().encode('trustedservices')));
    const r = await expectCodeAsync(() => verifyChain([leaf, ca, badRoot], opts()), 'PckChain');
    expect(r.evidence).toMatchObject({ check: 'pck.chain.signature', field: 'certs[2]' });
    // a flipped issuer name makes the top certificate no longer self-issued: not the pinned root
    const renamed = flip(root, indexOf(root.der, new TextEncoder().encode('Santa Clara')));
    await expectCodeAsync(() => verifyChain([leaf, ca, renamed], opts()), 'UntrustedRoot');
    const tcb = await expectCodeAsync(
      () => verifyChain([badLeaf, ca, root], opts({ failCode: 'TcbInfoSignature', context: 'tcbInfo' })),
      'TcbInfoSignature',
    );
    expect(tcb.evidence?.check).toBe('tcbInfo.chain.signature');
  });

  it('PckChain for broken name chaining and bad lengths', async () => {
    const [leaf, ca, root] = TDX.chain as [Certificate, Certificate, Certificate];
    const e = await expectCodeAsync(() => verifyChain([leaf, root], opts()), 'PckChain');
    expect(e.evidence).toMatchObject({ check: 'pck.chain.issuer', field: 'certs[0]' });
    await expectCodeAsync(() => verifyChain([ca, leaf, root], opts()), 'PckChain');
    await expectCodeAsync(() => verifyChain([leaf, ca, root, root], opts()), 'PckChain');
    await expectCodeAsync(() => verifyChain([], opts()), 'PckChain');
    await expectCodeAsync(() => verifyChain(new Array<Certificate>(MAX_CHAIN_LENGTH + 1).fill(leaf), opts()), 'PckChain');
    await expectCodeAsync(() => verifyChain(TDX.chain, opts({ at: Number.NaN })), 'InvalidArgument');
    await expectCodeAsync(() => verifyChain(TDX.chain, opts({ rootPublicKey: INTEL_KEY.subarray(1) })), 'InvalidArgument');
  });

  it('CRL coverage and CRL validity', async () => {
    const cov = await expectCodeAsync(() => verifyChain(TDX.chain, opts({ requireCrlFor: 'all' })), 'PckChain');
    expect(cov.evidence).toMatchObject({ check: 'pck.crl.coverage', field: 'certs[0]' });
    const def = await expectCodeAsync(
      () => verifyChain(TDX.chain, { rootPublicKey: INTEL_KEY, at: TDX_NOW, crypto: noble, context: 'pck', crls: TDX.crls.slice(0, 1) }),
      'PckChain',
    );
    expect(def.evidence).toMatchObject({ check: 'pck.crl.coverage', field: 'certs[1]' });
    // the TDX PCK CRL expires one second after the MANIFEST test time
    await expectCodeAsync(() => verifyChain(TDX.chain, opts({ at: TDX_NOW + 2, crls: TDX.crls })), 'CrlExpired');
    // CRLs of other CAs are ignored (SGX Processor CA CRL against the TDX Platform CA chain)
    await expectCodeAsync(() => verifyChain(TDX.chain, opts({ crls: [SGX.crls[0]!, TDX.crls[1]!], requireCrlFor: 'all' })), 'PckChain');
    await verifyChain(TDX.chain, opts({ crls: [SGX.crls[0]!, ...TDX.crls], requireCrlFor: 'all' }));
  });

  it('the webcrypto backend gives the same results', async () => {
    const web = webCryptoBackend();
    await verifyChain(TDX.chain, opts({ crypto: web, crls: TDX.crls, requireCrlFor: 'all' }));
    await verifyChain(SGX.chain, opts({ crypto: web, at: SGX_NOW, crls: SGX.crls, requireCrlFor: 'all' }));
    const [leaf, ca, root] = TDX.chain as [Certificate, Certificate, Certificate];
    const badLeaf = flip(leaf, indexOf(leaf.der, leaf.publicKey) + 20);
    for (const crypto of [noble, web]) {
      await expectCodeAsync(() => verifyChain([badLeaf, ca, root], opts({ crypto })), 'PckChain');
      await expectCodeAsync(() => verifyChain(TDX.chain.slice(0, 2), opts({ crypto, rootPublicKey: QVL_ROOT.publicKey })), 'UntrustedRoot');
    }
  });
});

describe('verifyCrl: real Intel CRLs', () => {
  const [, platformCa] = TDX.chain as [Certificate, Certificate];
  const processorCa = SGX.chain[1]!;
  const pckCrl = TDX.crls[0]!;

  it('verifies by the issuing CA within the window', async () => {
    await verifyCrl(pckCrl, platformCa, { at: TDX_NOW, crypto: noble });
    await verifyCrl(TDX.crls[1]!, INTEL_ROOT, { at: TDX_NOW, crypto: noble });
    await verifyCrl(SGX.crls[0]!, processorCa, { at: SGX_NOW, crypto: noble });
  });

  it('CrlExpired outside thisUpdate..nextUpdate', async () => {
    await expectCodeAsync(() => verifyCrl(pckCrl, platformCa, { at: Y2060, crypto: noble }), 'CrlExpired');
    await expectCodeAsync(() => verifyCrl(pckCrl, platformCa, { at: pckCrl.thisUpdate - 1, crypto: noble }), 'CrlExpired');
  });

  it('CrlSignature for the wrong issuer or a flipped byte', async () => {
    const e = await expectCodeAsync(() => verifyCrl(pckCrl, processorCa, { at: TDX_NOW, crypto: noble }), 'CrlSignature');
    expect(e.evidence?.check).toBe('crl.issuer');
    const der = pckCrl.der.slice();
    const at = indexOf(der, Uint8Array.from([0x6f, 0xc3, 0x4e, 0x50]));
    der[at] = der[at]! ^ 1;
    const forged = parseCrl(der);
    await expectCodeAsync(() => verifyCrl(forged, platformCa, { at: TDX_NOW, crypto: noble }), 'CrlSignature');
    await expectCodeAsync(() => verifyChain(TDX.chain, opts({ crls: [forged, TDX.crls[1]!] })), 'CrlSignature');
  });
});

describe('verifyChain: minted test PKI', () => {
  it('CrlRevoked when a CRL revokes the leaf or the intermediate', async () => {
    const root = await mintRoot();
    const ca = await mintCa(root);
    const leaf = await mintLeaf(ca);
    const chain = [leaf.cert, ca.cert, root.cert];
    const rootKey = await rawPublicKey(root.keys);
    const o = (crls: ChainOptions['crls']): ChainOptions => ({ rootPublicKey: rootKey, at: MID, crypto: noble, context: 'pck', crls });
    const caCrlEmpty = await mintCrl(ca, []);
    const rootCrlEmpty = await mintCrl(root, []);
    await verifyChain(chain, o([caCrlEmpty, rootCrlEmpty]));

    const caCrl = await mintCrl(ca, ['01', leaf.cert.serialHex, '03']);
    const e = await expectCodeAsync(() => verifyChain(chain, o([caCrl, rootCrlEmpty])), 'CrlRevoked');
    expect(e.evidence).toMatchObject({ check: 'pck.crl.revoked', field: 'certs[0]', found: '7f0102' });

    const rootCrl = await mintCrl(root, [ca.cert.serialHex]);
    const e2 = await expectCodeAsync(() => verifyChain(chain, o([caCrlEmpty, rootCrl])), 'CrlRevoked');
    expect(e2.evidence).toMatchObject({ field: 'certs[1]', found: '0a' });
    // also without the root certificate in the chain (root CRL checked with the pinned key)
    await expectCodeAsync(() => verifyChain(chain.slice(0, 2), o([caCrlEmpty, rootCrl])), 'CrlRevoked');
    await verifyChain(chain.slice(0, 2), o([caCrlEmpty, rootCrlEmpty]));
  });

  it('rejects CRLs that are forged, expired, lack nextUpdate or come from a non-CRL-signing CA', async () => {
    const root = await mintRoot();
    const ca = await mintCa(root);
    const leaf = await mintLeaf(ca);
    const chain = [leaf.cert, ca.cert, root.cert];
    const rootKey = await rawPublicKey(root.keys);
    const o = (crls: ChainOptions['crls']): ChainOptions => ({ rootPublicKey: rootKey, at: MID, crypto: noble, context: 'pck', crls });
    const rootCrl = await mintCrl(root, []);
    const forged = await mintCrl(ca, [], { signingKey: root.keys.privateKey });
    await expectCodeAsync(() => verifyChain(chain, o([forged, rootCrl])), 'CrlSignature');
    const stale = await mintCrl(ca, [], { thisUpdate: T0, nextUpdate: new Date(T0.getTime() + 1000) });
    await expectCodeAsync(() => verifyChain(chain, o([stale, rootCrl])), 'CrlExpired');
    const open = await mintCrl(ca, [], { nextUpdate: null });
    expect(open.nextUpdate).toBeUndefined();
    const ex = await expectCodeAsync(() => verifyChain(chain, o([open, rootCrl])), 'CrlExpired');
    expect(ex.evidence).toMatchObject({ check: 'pck.crl.validity', field: 'nextUpdate' });
    // a critical issuingDistributionPoint (not processed here) makes the CRL unusable
    const idp = new x509.Extension('2.5.29.28', true, new Uint8Array([0x30, 0x00]));
    const scoped = parseCrl(
      new Uint8Array(
        (
          await x509.X509CrlGenerator.create({
            issuer: ca.name,
            thisUpdate: T0,
            nextUpdate: new Date('2034-01-01T00:00:00Z'),
            signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
            signingKey: ca.keys.privateKey,
            extensions: [idp],
          })
        ).rawData,
      ),
    );
    expect(scoped.unknownCriticalExtensions).toEqual(['2.5.29.28']);
    const pe = await expectCodeAsync(() => verifyChain(chain, o([scoped, rootCrl])), 'CrlParse');
    expect(pe.evidence?.check).toBe('pck.crl.criticalExtension');

    const noCrlSign = await mintCa(root, 'CN=No CRL Sign CA, O=Test', { keyUsage: x509.KeyUsageFlags.keyCertSign });
    const leaf2 = await mintLeaf(noCrlSign);
    const crl2 = await mintCrl(noCrlSign, []);
    await verifyChain([leaf2.cert, noCrlSign.cert, root.cert], { ...o([rootCrl]), requireCrlFor: 'none' });
    await expectCodeAsync(() => verifyChain([leaf2.cert, noCrlSign.cert, root.cert], o([crl2, rootCrl])), 'CrlSignature');
  });

  it('CertificateInvalid for CA flag, keyCertSign, pathLen and unknown critical extensions', async () => {
    const root = await mintRoot();
    const rootKey = await rawPublicKey(root.keys);
    const o: ChainOptions = { rootPublicKey: rootKey, at: MID, crypto: noble, context: 'pck', requireCrlFor: 'none' };

    const notCa = await mintCa(root, 'CN=Not A CA, O=Test', { ca: false });
    const l1 = await mintLeaf(notCa);
    const e1 = await expectCodeAsync(() => verifyChain([l1.cert, notCa.cert, root.cert], o), 'CertificateInvalid');
    expect(e1.evidence).toMatchObject({ check: 'pck.chain.basicConstraints', field: 'certs[1]' });

    const noBc = await mintCa(root, 'CN=No BC, O=Test', { ca: undefined });
    await expectCodeAsync(async () => verifyChain([(await mintLeaf(noBc)).cert, noBc.cert, root.cert], o), 'CertificateInvalid');

    const noCertSign = await mintCa(root, 'CN=No Cert Sign, O=Test', { keyUsage: x509.KeyUsageFlags.cRLSign });
    const e2 = await expectCodeAsync(
      async () => verifyChain([(await mintLeaf(noCertSign)).cert, noCertSign.cert, root.cert], o),
      'CertificateInvalid',
    );
    expect(e2.evidence?.check).toBe('pck.chain.keyUsage');

    // root pathLen 0 forbids an intermediate below it
    const strictRoot = await mintRoot('CN=Strict Root, O=Test', { pathLen: 0 });
    const sKey = await rawPublicKey(strictRoot.keys);
    const sCa = await mintCa(strictRoot, 'CN=Strict CA, O=Test');
    const sLeaf = await mintLeaf(sCa);
    await verifyChain([sCa.cert, strictRoot.cert], { ...o, rootPublicKey: sKey });
    const e3 = await expectCodeAsync(() => verifyChain([sLeaf.cert, sCa.cert, strictRoot.cert], { ...o, rootPublicKey: sKey }), 'CertificateInvalid');
    expect(e3.evidence).toMatchObject({ check: 'pck.chain.pathLen', field: 'certs[2]' });

    const ca = await mintCa(root);
    const crit = new x509.Extension('1.2.3.4.5', true, new Uint8Array([5, 0]));
    const critLeaf = await mintLeaf(ca, 'CN=Critical Leaf, O=Test', { extra: [crit] });
    expect(critLeaf.cert.unknownCriticalExtensions).toEqual(['1.2.3.4.5']);
    const e4 = await expectCodeAsync(() => verifyChain([critLeaf.cert, ca.cert, root.cert], o), 'CertificateInvalid');
    expect(e4.evidence).toMatchObject({ check: 'pck.chain.criticalExtension', found: '1.2.3.4.5' });
  });

  it('impostor roots with the same name are not trusted', async () => {
    const root = await mintRoot();
    const rootKey = await rawPublicKey(root.keys);
    const other = await mintRoot(); // same name, different key: its self-signature does not verify under root's key
    const o: ChainOptions = { rootPublicKey: rootKey, at: MID, crypto: noble, context: 'pck', requireCrlFor: 'none' };
    await verifyChain([root.cert], o);
    await expectCodeAsync(() => verifyChain([other.cert], o), 'UntrustedRoot');
    const ca = await mintCa(root);
    // intermediate signed by root, but chained to an impostor root certificate with the same name
    await expectCodeAsync(() => verifyChain([ca.cert, other.cert], o), 'UntrustedRoot');
    await expectCodeAsync(() => verifyChain([ca.cert, other.cert], { ...o, rootPublicKey: other.cert.publicKey }), 'PckChain');
  });
});
