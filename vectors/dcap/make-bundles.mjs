// Derives collateral bundles (one JSON file per case) from the upstream files
// copied byte-for-byte into vectors/dcap/. Run from the repository root:
//   node vectors/dcap/make-bundles.mjs
// The bundles use the raw-PCS collateral shape (`PcsCollateral`): response
// bodies exactly as the upstream projects stored them, issuer chains as PEM
// (leaf first), CRLs as DER hex. Nothing is re-serialised.
import { readFileSync, writeFileSync } from 'node:fs';

const read = (p) => readFileSync(new URL(p, import.meta.url));
const text = (p) => read(p).toString('utf8');
const hex = (p) => read(p).toString('hex');
const pemBlocks = (s) => s.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
const subjectCn = (block) => {
  // Only used to order Intel's sample chains (which list the root first).
  const b64 = block.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64').toString('latin1');
  return /Intel SGX Root CA/.test(der.slice(0, der.length - 100)) && (der.match(/Intel SGX Root CA/g) ?? []).length >= 2
    ? 'root'
    : 'other';
};
/** Leaf / intermediate first, self-issued root last. */
const leafFirst = (pem) => {
  const blocks = pemBlocks(pem);
  return [...blocks.filter((b) => subjectCn(b) !== 'root'), ...blocks.filter((b) => subjectCn(b) === 'root')]
    .map((b) => (b.endsWith('\n') ? b : b + '\n'))
    .join('');
};

const bundles = {
  // go-tdx-guest testdata: SPR E4 production quote with the collateral its tests use.
  'go-tdx-guest-spr-e4.json': {
    tcbInfo: text('go-tdx-guest/testing/testdata/sample_tcbInfo_response'),
    tcbInfoIssuerChain: text('go-tdx-guest/extracted/tcb_info_issuer_chain.pem'),
    qeIdentity: text('go-tdx-guest/testing/testdata/sample_qeIdentity_response'),
    qeIdentityIssuerChain: text('go-tdx-guest/extracted/qe_identity_issuer_chain.pem'),
    pckCrl: hex('go-tdx-guest/testing/testdata/pckcrl'),
    pckCrlIssuerChain: text('go-tdx-guest/extracted/pck_crl_issuer_chain.pem'),
    rootCaCrl: hex('go-tdx-guest/testing/testdata/rootcrl.der'),
  },
  // Intel QVL AttestationApp TDX sample data (signed by Intel's sample test root).
  'intel-qvl-tdx.json': {
    tcbInfo: text('intel-qvl/Src/AttestationApp/sampleData/tdx/tcbInfo.json'),
    tcbInfoIssuerChain: leafFirst(text('intel-qvl/Src/AttestationApp/sampleData/tdx/tcbSignChain.pem')),
    qeIdentity: text('intel-qvl/Src/AttestationApp/sampleData/tdx/qeIdentity.json'),
    qeIdentityIssuerChain: leafFirst(text('intel-qvl/Src/AttestationApp/sampleData/tdx/tcbSignChain.pem')),
    pckCrl: hex('intel-qvl/Src/AttestationApp/sampleData/tdx/intermediateCaCrl.der'),
    pckCrlIssuerChain: leafFirst(text('intel-qvl/Src/AttestationApp/sampleData/tdx/pckSignChain.pem')),
    rootCaCrl: hex('intel-qvl/Src/AttestationApp/sampleData/tdx/rootCaCrl.der'),
    pckCertificateChain: leafFirst(
      text('intel-qvl/Src/AttestationApp/sampleData/tdx/pckCert.pem') +
        '\n' +
        text('intel-qvl/Src/AttestationApp/sampleData/tdx/pckSignChain.pem'),
    ),
  },
};

for (const [name, bundle] of Object.entries(bundles)) {
  writeFileSync(new URL(`bundles/${name}`, import.meta.url), JSON.stringify(bundle, null, 2) + '\n');
  console.log(`wrote vectors/dcap/bundles/${name}`);
}
