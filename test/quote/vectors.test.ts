import { describe, expect, it } from 'vitest';
import {
  isDebugEnclave,
  isDebugTd,
  parseQuote,
  parseSgxReportBody,
  tdAttributeFlags,
  type Quote,
  type SgxReportBody,
  type TdReportBody,
} from '../../src/quote/index.js';
import { toHex } from '../../src/lib/bytes.js';
import {
  V,
  countCerts,
  expectCode,
  loadBin,
  loadHex,
  loadSnapshot,
  loadText,
  offsetIn,
  snapArray,
  snapScalar,
  snapString,
} from './helpers.js';


function td(q: Quote): TdReportBody {
  if (q.body.kind === 'sgx') throw new Error('expected a TD body');
  return q.body;
}

function sgx(q: Quote): SgxReportBody {
  if (q.body.kind !== 'sgx') throw new Error('expected an SGX body');
  return q.body;
}

describe('sgx_quote (dcap-qvl, v3 SGX)', () => {
  const bytes = loadBin(V.sgxQuote);
  const q = parseQuote(bytes);

  it('has the expected shape', () => {
    expect(bytes.length).toBe(4600);
    expect(q.version).toBe(3);
    expect(q.teeType).toBe('SGX');
    expect(q.body.kind).toBe('sgx');
    expect(q.header.version).toBe(3);
    expect(q.header.attestationKeyType).toBe(2);
    expect(q.header.teeTypeRaw).toBe(0);
    expect(q.header.qeVendorId).toEqual(Uint8Array.from(Buffer.from('939a7233f79c4ca9940a0db3957f0607', 'hex')));
    expect(q.trailingBytes).toBe(0);
    expect(q.raw.length).toBe(4600);
    expect(q.signatureData.outerCertificationType).toBeUndefined();
  });

  it('keeps the signed region and fields as views', () => {
    expect(q.signedData.length).toBe(48 + 384);
    expect(offsetIn(bytes, q.signedData)).toBe(0);
    expect(offsetIn(bytes, q.header.raw)).toBe(0);
    expect(offsetIn(bytes, q.body.raw)).toBe(48);
    expect(offsetIn(bytes, q.signatureData.raw)).toBe(48 + 384 + 4);
    expect(q.signatureData.raw.length).toBe(4164);
    expect(offsetIn(bytes, q.signatureData.signature)).toBe(436);
    expect(offsetIn(bytes, q.signatureData.attestationKey)).toBe(500);
    expect(offsetIn(bytes, q.signatureData.qeReportRaw)).toBe(564);
  });

  it('matches MANIFEST facts', () => {
    const b = sgx(q);
    expect(Buffer.from(b.reportData.subarray(0, 13)).toString('latin1')).toBe('Hello, world!');
    expect(b.attributes[0]).toBe(0x05);
    expect(isDebugEnclave(b)).toBe(false);
    expect(toHex(b.mrEnclave).startsWith('33d8736d')).toBe(true);
    expect(toHex(b.mrEnclave).endsWith('452fbb')).toBe(true);
    expect(toHex(b.mrSigner).startsWith('815f42f1')).toBe(true);
    expect(toHex(b.mrSigner).endsWith('a3e0e6')).toBe(true);
    expect(q.signatureData.qeReport.isvSvn).toBe(10);
    expect(q.header.qeSvn).toBe(10);
    expect(q.header.pceSvn).toBe(15);
  });

  it('exposes the PCK chain (type 5, 3 certificates)', () => {
    const cd = q.signatureData.certificationData;
    expect(cd.type).toBe(5);
    expect(cd.pemChain).toBeDefined();
    expect(countCerts(cd.pemChain!)).toBe(3);
    expect(cd.data.length).toBe(3548);
    expect(cd.data[cd.data.length - 1]).toBe(0);
    expect(cd.pemChain).toBe(loadText('vectors/dcap/dcap-qvl/derived/sgx_quote/pck_chain_from_quote.pem'));
  });

  it('matches the dcap-qvl snapshot field by field', () => {
    const s = loadSnapshot(V.sgxSnap);
    const b = sgx(q);
    expect(q.header.version).toBe(snapScalar(s, 'version'));
    expect(q.header.attestationKeyType).toBe(snapScalar(s, 'attestation_key_type'));
    expect(q.header.teeTypeRaw).toBe(snapScalar(s, 'tee_type'));
    expect(q.header.qeSvn).toBe(snapScalar(s, 'qe_svn'));
    expect(q.header.pceSvn).toBe(snapScalar(s, 'pce_svn'));
    expect(q.header.qeVendorId).toEqual(snapArray(s, 'qe_vendor_id'));
    expect(q.header.userData).toEqual(snapArray(s, 'user_data'));
    expect(b.cpuSvn).toEqual(snapArray(s, 'cpu_svn'));
    expect(b.miscSelect).toBe(snapScalar(s, 'misc_select'));
    expect(b.reserved1).toEqual(snapArray(s, 'reserved1'));
    expect(b.attributes).toEqual(snapArray(s, 'attributes'));
    expect(b.mrEnclave).toEqual(snapArray(s, 'mr_enclave'));
    expect(b.reserved2).toEqual(snapArray(s, 'reserved2'));
    expect(b.mrSigner).toEqual(snapArray(s, 'mr_signer'));
    expect(b.reserved3).toEqual(snapArray(s, 'reserved3'));
    expect(b.isvProdId).toBe(snapScalar(s, 'isv_prod_id'));
    expect(b.isvSvn).toBe(snapScalar(s, 'isv_svn'));
    expect(b.reserved4).toEqual(snapArray(s, 'reserved4'));
    expect(b.reportData).toEqual(snapArray(s, 'report_data'));
    const sd = q.signatureData;
    expect(sd.signature).toEqual(snapArray(s, 'ecdsa_signature'));
    expect(sd.attestationKey).toEqual(snapArray(s, 'ecdsa_attestation_key'));
    expect(sd.qeReportRaw).toEqual(snapArray(s, 'qe_report'));
    expect(sd.qeReportSignature).toEqual(snapArray(s, 'qe_report_signature'));
    expect(sd.qeAuthData).toEqual(snapArray(s, 'data'));
    expect(sd.certificationData.type).toBe(snapScalar(s, 'cert_type'));
    expect(sd.certificationData.pemChain).toBe(snapString(s, 'body').replace(/\0+$/, ''));
  });

  it('parses the QE report with parseSgxReportBody identically', () => {
    const again = parseSgxReportBody(q.signatureData.qeReportRaw);
    expect(again.mrSigner).toEqual(q.signatureData.qeReport.mrSigner);
    expect(again.isvProdId).toBe(q.signatureData.qeReport.isvProdId);
    expect(again.raw.length).toBe(384);
  });
});

describe('tdx_quote (dcap-qvl, v4 TDX) — 70 bytes of zero padding after the quote', () => {
  const padded = loadBin(V.tdxQuote);
  const QUOTE_LEN = 48 + 584 + 4 + 4300; // 4936

  it('is rejected by the strict parser because of the trailing zeros', () => {
    expect(padded.length).toBe(5006);
    const err = expectCode(() => parseQuote(padded), 'QuoteParse');
    expect(err.evidence?.check).toBe('quote.trailing');
    expect(err.evidence?.offset).toBe(QUOTE_LEN);
    expect(err.evidence?.found).toBe('70');
  });

  it('parses with allowTrailingZeros and the exact prefix parses strictly', () => {
    const q = parseQuote(padded, { trailingBytes: 'zeros' });
    expect(q.trailingBytes).toBe(70);
    expect(q.raw.length).toBe(QUOTE_LEN);
    const exact = parseQuote(padded.subarray(0, QUOTE_LEN));
    expect(exact.trailingBytes).toBe(0);
    expect(toHex(td(exact).mrTd)).toBe(toHex(td(q).mrTd));
  });

  const q = parseQuote(padded, { trailingBytes: 'zeros' });

  it('has the expected shape', () => {
    expect(q.version).toBe(4);
    expect(q.teeType).toBe('TDX');
    expect(q.body.kind).toBe('td10');
    expect(q.header.teeTypeRaw).toBe(0x81);
    expect(q.signedData.length).toBe(48 + 584);
    expect(offsetIn(padded, q.signedData)).toBe(0);
    expect(q.signatureData.outerCertificationType).toBe(6);
    expect(q.signatureData.raw.length).toBe(4300);
  });

  it('matches MANIFEST facts', () => {
    const b = td(q);
    expect(toHex(b.mrTd)).toBe(
      '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
    );
    expect(toHex(b.teeTcbSvn)).toBe('06010300000000000000000000000000');
    expect(toHex(b.tdAttributes)).toBe('0000001000000000');
    expect(toHex(b.xfam)).toBe('e702060000000000');
    expect(b.mrSignerSeam.every((x) => x === 0)).toBe(true);
    expect(b.seamAttributes.every((x) => x === 0)).toBe(true);
    const f = tdAttributeFlags(b.tdAttributes);
    expect(f.septVeDisable).toBe(true);
    expect(f.debug).toBe(false);
    expect(f.pks).toBe(false);
    expect(f.kl).toBe(false);
    expect(f.perfmon).toBe(false);
    expect(f.value).toBe(0x10000000n);
    expect(isDebugTd(b)).toBe(false);
    expect(q.signatureData.qeReport.isvSvn).toBe(6);
  });

  it('exposes the inner PCK chain', () => {
    const cd = q.signatureData.certificationData;
    expect(cd.type).toBe(5);
    expect(countCerts(cd.pemChain!)).toBe(3);
    expect(cd.pemChain).toBe(loadText('vectors/dcap/dcap-qvl/derived/tdx_quote/pck_chain_from_quote.pem'));
    expect(q.signatureData.qeAuthData.length).toBe(32);
  });

  it('matches the dcap-qvl snapshot field by field', () => {
    const s = loadSnapshot(V.tdxSnap);
    const b = td(q);
    expect(q.header.version).toBe(snapScalar(s, 'version'));
    expect(q.header.teeTypeRaw).toBe(snapScalar(s, 'tee_type'));
    expect(q.header.qeSvn).toBe(snapScalar(s, 'qe_svn'));
    expect(q.header.pceSvn).toBe(snapScalar(s, 'pce_svn'));
    expect(q.header.qeVendorId).toEqual(snapArray(s, 'qe_vendor_id'));
    expect(q.header.userData).toEqual(snapArray(s, 'user_data'));
    expect(b.teeTcbSvn).toEqual(snapArray(s, 'tee_tcb_svn'));
    expect(b.mrSeam).toEqual(snapArray(s, 'mr_seam'));
    expect(b.mrSignerSeam).toEqual(snapArray(s, 'mr_signer_seam'));
    expect(b.seamAttributes).toEqual(snapArray(s, 'seam_attributes'));
    expect(b.tdAttributes).toEqual(snapArray(s, 'td_attributes'));
    expect(b.xfam).toEqual(snapArray(s, 'xfam'));
    expect(b.mrTd).toEqual(snapArray(s, 'mr_td'));
    expect(b.mrConfigId).toEqual(snapArray(s, 'mr_config_id'));
    expect(b.mrOwner).toEqual(snapArray(s, 'mr_owner'));
    expect(b.mrOwnerConfig).toEqual(snapArray(s, 'mr_owner_config'));
    expect(b.rtmr0).toEqual(snapArray(s, 'rt_mr0'));
    expect(b.rtmr1).toEqual(snapArray(s, 'rt_mr1'));
    expect(b.rtmr2).toEqual(snapArray(s, 'rt_mr2'));
    expect(b.rtmr3).toEqual(snapArray(s, 'rt_mr3'));
    expect(b.reportData).toEqual(snapArray(s, 'report_data'));
    const sd = q.signatureData;
    expect(sd.signature).toEqual(snapArray(s, 'ecdsa_signature'));
    expect(sd.attestationKey).toEqual(snapArray(s, 'ecdsa_attestation_key'));
    expect(sd.outerCertificationType).toBe(snapScalar(s, 'cert_type', 0));
    expect(sd.qeReportRaw).toEqual(snapArray(s, 'qe_report'));
    expect(sd.qeReportSignature).toEqual(snapArray(s, 'qe_report_signature'));
    expect(sd.qeAuthData).toEqual(snapArray(s, 'data'));
    expect(sd.certificationData.type).toBe(snapScalar(s, 'cert_type', 1));
    expect(sd.certificationData.pemChain).toBe(snapString(s, 'body', 1).replace(/\0+$/, ''));
  });
});

describe('tdx_quote_outdated (dcap-qvl, v5 TD 1.5)', () => {
  const bytes = loadBin(V.tdxQuoteOutdated);
  const q = parseQuote(bytes);

  it('is v5 body type 3 with no padding', () => {
    expect(bytes.length).toBe(5006);
    expect(q.version).toBe(5);
    expect(q.teeType).toBe('TDX');
    if (q.version !== 5) throw new Error('unreachable');
    expect(q.bodyType).toBe(3);
    expect(q.body.kind).toBe('td15');
    expect(q.trailingBytes).toBe(0);
    // header ‖ body descriptor ‖ TD 1.5 body
    expect(q.signedData.length).toBe(48 + 6 + 648);
    expect(offsetIn(bytes, q.body.raw)).toBe(54);
  });

  it('matches MANIFEST facts', () => {
    const b = td(q);
    if (b.kind !== 'td15') throw new Error('expected td15');
    expect(toHex(b.mrTd)).toBe(
      '273828c46252fcbdd8ad2dd907130222b03466d52a2911d70c1a5950895d6bd1ae451d382d5a9b1b4c0ed0e5ae9a3dbd',
    );
    expect(toHex(b.teeTcbSvn).startsWith('070103')).toBe(true);
    expect(toHex(b.teeTcbSvn2).startsWith('0d0103')).toBe(true);
    expect(b.teeTcbSvn2.length).toBe(16);
    expect(b.mrServiceTd.length).toBe(48);
    expect(b.mrServiceTd.every((x) => x === 0)).toBe(true);
    expect(toHex(b.xfam)).toBe('e718060000000000');
    expect(q.signatureData.qeReport.isvSvn).toBe(7);
    expect(q.signatureData.outerCertificationType).toBe(6);
    expect(countCerts(q.signatureData.certificationData.pemChain!)).toBe(3);
    expect(q.signatureData.certificationData.pemChain).toBe(
      loadText('vectors/dcap/dcap-qvl/derived/tdx_quote_outdated/pck_chain_from_quote.pem'),
    );
  });
});

describe('hex-encoded dcap-qvl TDX quotes (v4, zero padded to 5006 bytes)', () => {
  const cases = [
    {
      name: 'tdx-quote.hex',
      rel: V.tdxQuoteHex,
      derived: 'tdx-quote.hex',
      mrTd: '7ba9e262ce6979087e34632603f354dd8f8a870f5947d116af8114db6c9d0d74c48bec4280e5b4f4a37025a10905bb29',
      svn: '050102',
    },
    {
      name: 'quote-from-tappd.hex',
      rel: V.tappdHex,
      derived: 'quote-from-tappd.hex',
      mrTd: 'c68518a0ebb42136c12b2275164f8c72f25fa9a34392228687ed6e9caeb9c0f1dbd895e9cf475121c029dc47e70e91fd',
      svn: '050102',
    },
    {
      name: 'near/quote_hex.txt',
      rel: V.nearHex,
      derived: 'near',
      mrTd: 'f06dfda6dce1cf904d4e2bab1dc370634cf95cefa2ceb2de2eee127c9382698090d7a4a13e14c536ec6c9c3c8fa87077',
      svn: '060104',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const bytes = loadHex(c.rel);
      expect(bytes).toEqual(loadBin(`vectors/dcap/dcap-qvl/derived/${c.derived}/quote.bin`));
      expectCode(() => parseQuote(bytes), 'QuoteParse');
      const q = parseQuote(bytes, { trailingBytes: 'zeros' });
      expect(q.version).toBe(4);
      expect(q.trailingBytes).toBe(70);
      const b = td(q);
      expect(toHex(b.mrTd)).toBe(c.mrTd);
      expect(toHex(b.teeTcbSvn).startsWith(c.svn)).toBe(true);
      if (c.svn === '050102') {
        expect(toHex(b.mrSeam).startsWith('1cc6a17a')).toBe(true);
        expect(toHex(b.mrSeam).endsWith('47fa04')).toBe(true);
      }
      expect(isDebugTd(b)).toBe(false);
      expect(q.signatureData.certificationData.pemChain).toBe(
        loadText(`vectors/dcap/dcap-qvl/derived/${c.derived}/pck_chain_from_quote.pem`),
      );
    });
  }
});

describe('go-tdx-guest vectors', () => {
  it('tdx_prod_quote_SPR_E4.dat: v4 followed by 39 non-zero test bytes → rejected even with allowTrailingZeros', () => {
    const bytes = loadBin(V.goSprE4);
    expect(bytes.length).toBe(4974);
    const e1 = expectCode(() => parseQuote(bytes), 'QuoteParse');
    expect(e1.evidence?.check).toBe('quote.trailing');
    expect(e1.evidence?.offset).toBe(4935);
    expectCode(() => parseQuote(bytes, { trailingBytes: 'zeros' }), 'QuoteParse');
    expect(Buffer.from(bytes.subarray(4935)).toString('latin1')).toBe('\nextra bytes(only for testing purpose)\n');
    const q = parseQuote(bytes.subarray(0, 4935));
    expect(q.version).toBe(4);
    expect(q.body.kind).toBe('td10');
    const cd = q.signatureData.certificationData;
    expect(cd.type).toBe(5);
    // This chain is not NUL-terminated.
    expect(cd.data[cd.data.length - 1]).toBe(0x0a);
    expect(countCerts(cd.pemChain!)).toBe(3);
  });

  it('quote_v5_sample.dat: v5 TD 1.5, exact length', () => {
    const bytes = loadBin(V.goV5);
    const q = parseQuote(bytes);
    expect(q.version).toBe(5);
    if (q.version !== 5) throw new Error('unreachable');
    expect(q.bodyType).toBe(3);
    expect(q.body.kind).toBe('td15');
    expect(q.raw.length).toBe(5006);
    expect(countCerts(q.signatureData.certificationData.pemChain!)).toBe(3);
  });

  it('ccel/cos-113-tdx-quote.dat: v4 in an 8000-byte zero-padded buffer (3065 trailing zeros)', () => {
    const bytes = loadBin(V.goCos113);
    expect(bytes.length).toBe(8000);
    const err = expectCode(() => parseQuote(bytes), 'QuoteParse');
    expect(err.evidence?.check).toBe('quote.trailing');
    expect(err.evidence?.offset).toBe(4935);
    expect(err.evidence?.found).toBe('3065');
    const q = parseQuote(bytes, { trailingBytes: 'zeros' });
    expect(q.version).toBe(4);
    expect(q.trailingBytes).toBe(3065);
    expect(q.raw.length).toBe(4935);
    expect(isDebugTd(td(q))).toBe(false);
  });
});

describe('Intel QVL sample quotes', () => {
  it('SGX quote.dat: v3 with certification data type 1 (PPID cleartext) and empty QE auth data', () => {
    const bytes = loadBin(V.intelSgx);
    const q = parseQuote(bytes);
    expect(q.version).toBe(3);
    expect(q.teeType).toBe('SGX');
    expect(q.signatureData.qeAuthData.length).toBe(0);
    const cd = q.signatureData.certificationData;
    expect(cd.type).toBe(1);
    expect(cd.pemChain).toBeUndefined();
    expect(cd.data.length).toBe(34);
    expect(q.raw.length).toBe(1054);
  });

  it('TDX quote.dat: v4 whose type-5 certification data holds DER, not PEM → kept raw', () => {
    // Intel's generated sample puts concatenated DER certificates (30 82 ...) under
    // type 5, which the format defines as PEM text. The QVL never reads it (the PCK
    // chain is a separate input), so the parser keeps it raw without pemChain.
    const q = parseQuote(loadBin(V.intelTdx));
    expect(q.version).toBe(4);
    expect(q.body.kind).toBe('td10');
    expect(q.signatureData.qeAuthData.length).toBe(0);
    expect(q.signatureData.certificationData.type).toBe(5);
    expect(q.signatureData.certificationData.data[0]).toBe(0x30);
    expect(q.signatureData.certificationData.data[1]).toBe(0x82);
    expect(q.signatureData.certificationData.pemChain).toBeUndefined();
  });
});
