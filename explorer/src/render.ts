/**
 * The results view: verdict banner, the checks in pipeline order, the matched
 * TCB level with its advisories, every field of the quote (names as in Intel's
 * SGX / TDX ECDSA Quote Library API specifications), the certificate chain and
 * the collateral.
 */
import { DEFAULT_ACCEPTABLE_STATUSES, INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, isDebugEnclave, isDebugTd, sgxAttributeFlags, tdAttributeFlags } from '../../src/index.js';
import type { Quote, SgxReportBody, TdReportBody } from '../../src/index.js';
import type { TcbLevel } from '../../src/collateral/tcb-info.js';
import type { Certificate } from '../../src/x509/certificate.js';
import type { Crl } from '../../src/x509/crl.js';
import type { Analysis } from './analyze.js';
import type { StepResult, StepState } from './checks.js';
import { fieldTable, h, hex, hexView, isoDate, section, type Row } from './dom.js';

const WARN_STATUSES = new Set(['SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'TDRelaunchAdvised', 'TDRelaunchAdvisedConfigurationNeeded']);

export function statusTone(status: string): 'ok' | 'warn' | 'bad' {
  if (status === 'UpToDate') return 'ok';
  return WARN_STATUSES.has(status) ? 'warn' : 'bad';
}

function statusPill(status: string): HTMLElement {
  return h('span', { class: `pill ${statusTone(status)}`, 'data-status': status }, status);
}

function advisoryLink(id: string): HTMLElement {
  const href = /^INTEL-SA-\d{5}$/.test(id) ? `https://www.intel.com/content/www/us/en/security-center/advisory/${id.toLowerCase()}.html` : undefined;
  return href
    ? h('a', { class: 'advisory', href, target: '_blank', rel: 'noopener noreferrer', 'data-advisory': id }, id)
    : h('span', { class: 'advisory', 'data-advisory': id }, id);
}

function advisories(ids: readonly string[]): HTMLElement {
  return ids.length === 0 ? h('span', { class: 'muted' }, 'none') : h('span', { class: 'advisories' }, ids.map(advisoryLink));
}

function when(seconds: number | undefined): string {
  return seconds === undefined ? '—' : isoDate(seconds);
}

// --- Verdict -----------------------------------------------------------------

function verdict(a: Analysis): HTMLElement {
  if (a.result) {
    const r = a.result;
    const tone = statusTone(r.status);
    const accepted = DEFAULT_ACCEPTABLE_STATUSES.includes(r.status);
    const measurement = r.report.kind === 'sgx' ? ['MRENCLAVE', r.report.mrEnclave] : ['MRTD', r.report.mrTd];
    return h(
      'section',
      { class: `verdict ${tone}`, 'data-testid': 'verdict', 'data-verdict': r.status },
      h('div', { class: 'verdict-icon', 'aria-hidden': 'true' }, tone === 'ok' ? '✓' : '!'),
      h(
        'div',
        { class: 'verdict-text' },
        h('div', { class: 'verdict-kicker' }, `Signature and collateral verified · ${r.teeType} quote v${r.quoteVersion}`),
        h('h2', {}, 'TCB status ', h('span', { 'data-testid': 'status' }, r.status)),
        h(
          'p',
          {},
          accepted
            ? 'Authentic, and accepted by the default policy.'
            : 'Authentic, but refused by the default policy (DEFAULT_ACCEPTABLE_STATUSES).',
          r.advisoryIds.length ? [' Advisories: ', advisories(r.advisoryIds)] : null,
        ),
        h('div', { class: 'verdict-meas' }, h('span', { class: 'label' }, measurement[0]!), hexView(measurement[1]!)),
        h('div', { class: 'verdict-meta' }, `Verified at ${when(r.verifiedAt)} · collateral valid until ${when(r.collateralExpiresAt)} · TCB date ${r.tcbDate.replace('.000Z', 'Z')}`),
      ),
    );
  }
  if (a.parsedOnly) {
    return h(
      'section',
      { class: 'verdict neutral', 'data-testid': 'verdict', 'data-verdict': 'parsed' },
      h('div', { class: 'verdict-icon', 'aria-hidden': 'true' }, '…'),
      h(
        'div',
        { class: 'verdict-text' },
        h('div', { class: 'verdict-kicker' }, `${a.quote!.header.teeType} quote v${a.quote!.version} · parsed, not verified`),
        h('h2', {}, 'Add collateral to verify'),
        h('p', {}, 'The fields below are what the quote claims. Nothing is verified until the collateral (TCB Info, QE Identity, CRLs) is checked against Intel’s root.'),
      ),
    );
  }
  const e = a.error!;
  const failed = a.steps.find((s) => s.state === 'fail');
  return h(
    'section',
    { class: 'verdict bad', 'data-testid': 'verdict', 'data-verdict': 'error', 'data-code': e.code },
    h('div', { class: 'verdict-icon', 'aria-hidden': 'true' }, '✕'),
    h(
      'div',
      { class: 'verdict-text' },
      h('div', { class: 'verdict-kicker' }, failed ? `Failed at: ${failed.def.title}` : 'Verification failed'),
      h('h2', {}, h('span', { 'data-testid': 'error-code' }, e.code)),
      h('p', {}, e.message),
    ),
  );
}

// --- Checks ------------------------------------------------------------------

const STATE_LABEL: Record<StepState, string> = {
  pass: 'passed',
  fail: 'failed',
  'not-reached': 'not reached',
  'not-applicable': 'not applicable',
  'not-run': 'not run',
};
const STATE_ICON: Record<StepState, string> = { pass: '✓', fail: '✕', 'not-reached': '○', 'not-applicable': '–', 'not-run': '○' };

function evidenceTable(ev: Record<string, unknown>): HTMLElement {
  const rows: Row[] = Object.entries(ev).map(([k, v]) => {
    const s = String(v);
    return [k, /^[0-9a-f]{16,}$/.test(s) ? hexView(s) : h('span', { class: 'val mono' }, s)];
  });
  return fieldTable(rows);
}

function checkItem(s: StepResult): HTMLElement {
  return h(
    'li',
    { class: `check ${s.state}`, 'data-check': s.def.id, 'data-state': s.state },
    h('span', { class: 'check-icon', 'aria-hidden': 'true' }, STATE_ICON[s.state]),
    h(
      'div',
      { class: 'check-text' },
      h('div', { class: 'check-title' }, s.def.title, s.def.spec ? h('span', { class: 'spec' }, s.def.spec) : null),
      h('div', { class: 'check-detail' }, s.def.detail),
      s.error
        ? h('div', { class: 'check-error' }, h('div', {}, h('strong', {}, s.error.code), ' · ', s.error.message), s.error.evidence ? evidenceTable(s.error.evidence) : null)
        : null,
    ),
    h('span', { class: 'check-state' }, STATE_LABEL[s.state]),
  );
}

function checks(a: Analysis): HTMLElement {
  const passed = a.steps.filter((s) => s.state === 'pass').length;
  const applicable = a.steps.filter((s) => s.state !== 'not-applicable').length;
  return section('Checks', h('ol', { class: 'checks', 'data-testid': 'checks' }, a.steps.map(checkItem)), {
    id: 'checks',
    badge: `${passed} / ${applicable} passed`,
  });
}

// --- TCB ---------------------------------------------------------------------

/** SVN lists; with `platform`, a level's value the platform does not reach is marked. */
function svns(values: readonly number[] | Uint8Array, platform?: readonly number[] | Uint8Array, from = 0): HTMLElement {
  return h(
    'span',
    { class: 'svns' },
    Array.from(values, (v, i) => h('span', { class: platform !== undefined && i >= from && v > platform[i]! ? 'svn miss' : 'svn' }, String(v))),
  );
}

function tcb(a: Analysis): HTMLElement | null {
  const r = a.result;
  const info = a.collateral?.tcbInfo.info;
  if (!r || !info) return null;
  const t = a.tcb;
  const level = t?.platformLevel;
  const body = a.quote!.body;
  const teeTcbSvn = body.kind !== 'sgx' ? body.teeTcbSvn : undefined;
  const rows: Row[] = [
    ['Status', statusPill(r.status), 'converged from the platform, TDX module and QE levels'],
    ['Advisories', advisories(r.advisoryIds)],
    ['TCB date', r.tcbDate.replace('.000Z', 'Z')],
    ['Platform level status', statusPill(r.platformStatus)],
    ['SGX level status', statusPill(r.sgxStatus)],
    ...(r.moduleStatus ? ([['TDX module level', h('span', {}, statusPill(r.moduleStatus), ` ${r.moduleIdentity ?? ''}`)]] as Row[]) : []),
    ['QE level status', statusPill(r.qeStatus)],
    ['PCK SGX TCB components', svns(r.pck.tcbComponents)],
    ['PCK PCESVN', String(r.pck.pcesvn)],
    ...(body.kind !== 'sgx' ? ([['TEE_TCB_SVN', svns(body.teeTcbSvn)]] as Row[]) : []),
    ['FMSPC', hexView(r.fmspc)],
    ['tcbEvaluationDataNumber', String(r.tcbEvaluationDataNumber)],
  ];
  if (r.launchTcb && r.currentTcb) {
    rows.push(['Launch pass', h('span', {}, statusPill(r.launchTcb.status), ' ', advisories(r.launchTcb.advisoryIds))]);
    rows.push(['Current pass (TEE_TCB_SVN_2)', h('span', {}, statusPill(r.currentTcb.status), ' ', advisories(r.currentTcb.advisoryIds))]);
  }
  const levelsTable = h(
    'table',
    { class: 'levels', 'data-testid': 'tcb-levels' },
    h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'status'), h('th', {}, 'tcbDate'), h('th', {}, 'SGX components · PCESVN'), info.id === 'TDX' ? h('th', {}, 'TDX components') : null, h('th', {}, 'advisories'))),
    h(
      'tbody',
      {},
      info.tcbLevels.map((l: TcbLevel, i) =>
        h(
          'tr',
          { class: l === level ? 'matched' : '', 'data-matched': l === level ? 'true' : undefined },
          h('td', {}, l === level ? h('span', { class: 'match-tag' }, `${i + 1} ◀ matched`) : String(i + 1)),
          h('td', {}, statusPill(l.status)),
          h('td', { class: 'nowrap' }, isoDate(l.tcbDate).slice(0, 10)),
          h('td', {}, svns(l.sgxComponents, r.pck.tcbComponents), h('span', { class: l.pcesvn > r.pck.pcesvn ? 'svn miss' : 'muted' }, ` · ${l.pcesvn}`)),
          info.id === 'TDX' ? h('td', {}, l.tdxComponents ? svns(l.tdxComponents, teeTcbSvn, teeTcbSvn && teeTcbSvn[1]! > 0 ? 2 : 0) : '—') : null,
          h('td', {}, advisories(l.advisoryIds)),
        ),
      ),
    ),
  );
  return section(
    'TCB level',
    [
      fieldTable(rows, 'tcb'),
      level
        ? h('p', { class: 'hint' }, `Matched TCB Info level ${info.tcbLevels.indexOf(level) + 1} of ${info.tcbLevels.length}: the first level, highest first, whose every component this platform reaches. In the table, red values are the ones it does not reach.`)
        : null,
      h('details', { class: 'sub' }, h('summary', {}, `All ${info.tcbLevels.length} TCB Info levels`), h('div', { class: 'scroll' }, levelsTable)),
    ],
    { id: 'tcb', badge: r.status },
  );
}

// --- Quote fields --------------------------------------------------------------

function flags(entries: Record<string, boolean | bigint | number>): string {
  const on = Object.entries(entries)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
  return on.length ? `set: ${on.join(', ')}` : 'no flag set';
}

function header(q: Quote): HTMLElement {
  const hd = q.header;
  const v3 = q.version === 3;
  const rows: Row[] = [
    ['Version', String(hd.version)],
    ['Attestation Key Type', String(hd.attestationKeyType), hd.attestationKeyType === 2 ? 'ECDSA-256-with-P-256 curve' : undefined],
    ['TEE Type', `0x${hd.teeTypeRaw.toString(16).padStart(8, '0')}`, hd.teeType],
    [v3 ? 'QE SVN' : 'Reserved (QE SVN in v3)', String(hd.qeSvn)],
    [v3 ? 'PCE SVN' : 'Reserved (PCE SVN in v3)', String(hd.pceSvn)],
    ['QE Vendor ID', hexView(hd.qeVendorId), 'Intel: 939a7233f79c4ca9940a0db3957f0607'],
    ['User Data', hexView(hd.userData), 'first 16 bytes: the platform identifier (QE-defined)'],
  ];
  return section('Quote header', fieldTable(rows, 'header'), { id: 'header', badge: '48 bytes' });
}

function sgxRows(b: SgxReportBody): Row[] {
  const f = sgxAttributeFlags(b.attributes);
  return [
    ['CPUSVN', hexView(b.cpuSvn)],
    ['MISCSELECT', `0x${b.miscSelect.toString(16).padStart(8, '0')}`],
    ['ATTRIBUTES', hexView(b.attributes), `${flags({ INIT: f.init, DEBUG: f.debug, MODE64BIT: f.mode64bit, PROVISIONKEY: f.provisionKey, EINITTOKENKEY: f.einitTokenKey, CET: f.cet, KSS: f.kss, AEXNOTIFY: f.aexNotify })}${isDebugEnclave(b) ? ' · DEBUG enclave' : ''}`],
    ['MRENCLAVE', hexView(b.mrEnclave)],
    ['MRSIGNER', hexView(b.mrSigner)],
    ['ISVPRODID', String(b.isvProdId)],
    ['ISVSVN', String(b.isvSvn)],
    ['REPORTDATA', hexView(b.reportData), printable(b.reportData)],
  ];
}

function printable(bytes: Uint8Array): string | undefined {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end < 4) return undefined;
  const slice = bytes.subarray(0, end);
  if (!slice.every((c) => c >= 32 && c < 127)) return undefined;
  return `as text: “${new TextDecoder().decode(slice)}”`;
}

function tdRows(b: TdReportBody): Row[] {
  const f = tdAttributeFlags(b.tdAttributes);
  const rows: Row[] = [
    ['TEE_TCB_SVN', hexView(b.teeTcbSvn), `TDX module major version ${b.teeTcbSvn[1]}, SVN ${b.teeTcbSvn[0]}`],
    ['MRSEAM', hexView(b.mrSeam)],
    ['MRSIGNERSEAM', hexView(b.mrSignerSeam), 'all zero for an Intel-signed TDX module'],
    ['SEAMATTRIBUTES', hexView(b.seamAttributes)],
    ['TDATTRIBUTES', hexView(b.tdAttributes), `${flags({ DEBUG: f.debug, LASS: f.lass, SEPT_VE_DISABLE: f.septVeDisable, MIGRATABLE: f.migratable, PKS: f.pks, KL: f.kl, TPA: f.tpa, PERFMON: f.perfmon })}${isDebugTd(b) ? ' · DEBUG TD' : ''}`],
    ['XFAM', hexView(b.xfam)],
    ['MRTD', hexView(b.mrTd), 'measurement of the initial TD contents'],
    ['MRCONFIGID', hexView(b.mrConfigId)],
    ['MROWNER', hexView(b.mrOwner)],
    ['MROWNERCONFIG', hexView(b.mrOwnerConfig)],
    ['RTMR0', hexView(b.rtmr0)],
    ['RTMR1', hexView(b.rtmr1)],
    ['RTMR2', hexView(b.rtmr2)],
    ['RTMR3', hexView(b.rtmr3)],
    ['REPORTDATA', hexView(b.reportData), printable(b.reportData)],
  ];
  if (b.kind !== 'td10') {
    rows.push(['TEE_TCB_SVN_2', hexView(b.teeTcbSvn2)], ['MRSERVICETD', hexView(b.mrServiceTd)]);
  }
  if (b.kind === 'td15ex') {
    rows.push(
      ['VMID', hexView(b.vmid)],
      ['TD_ID', hexView(b.tdId)],
      ['DEV_INFO', hexView(b.devInfo)],
      ['INIT_SERVTD_HASH', hexView(b.initServTdHash)],
      ['INIT_SERVTD_ATTRIBUTES', hexView(b.initServTdAttributes)],
      ['INIT_CPUSVN', hexView(b.initCpuSvn)],
      ['INIT_TEE_TCB_SVN', hexView(b.initTeeTcbSvn)],
      ['INIT_TEE_FMSPC', hexView(b.initTeeFmspc)],
      ['CUR_SERVTD_HASH', hexView(b.curServTdHash)],
      ['CUR_SERVTD_ATTRIBUTES', hexView(b.curServTdAttributes)],
    );
  }
  return rows;
}

function body(q: Quote): HTMLElement {
  const b = q.body;
  const title = b.kind === 'sgx' ? 'ISV enclave report body' : b.kind === 'td10' ? 'TD report body (TD 1.0)' : b.kind === 'td15' ? 'TD report body (TD 1.5)' : 'TD report body (TD 1.5, TD_REPORT15EX)';
  return section(title, fieldTable(b.kind === 'sgx' ? sgxRows(b) : tdRows(b), 'body'), { id: 'body', badge: `${b.raw.length} bytes` });
}

const CERT_DATA_TYPES: Record<number, string> = {
  1: 'PPID in plain text, CPUSVN, PCESVN, PCEID',
  2: 'PPID RSA-2048-OAEP encrypted, CPUSVN, PCESVN, PCEID',
  3: 'PPID RSA-3072-OAEP encrypted, CPUSVN, PCESVN, PCEID',
  4: 'PCK leaf certificate',
  5: 'PCK certificate chain (PEM)',
  6: 'QE Report Certification Data',
  7: 'Platform Manifest',
};

function signatureData(q: Quote): HTMLElement {
  const s = q.signatureData;
  const cd = s.certificationData;
  const rows: Row[] = [
    ['Quote Signature', hexView(s.signature), 'ECDSA P-256 r ‖ s over the header and report body'],
    ['ECDSA Attestation Key', hexView(s.attestationKey), 'P-256 public key x ‖ y'],
    ...(s.outerCertificationType ? ([['Certification Data Type (outer)', `${s.outerCertificationType}: ${CERT_DATA_TYPES[s.outerCertificationType]}`]] as Row[]) : []),
    ['QE Report Signature', hexView(s.qeReportSignature), 'signed by the PCK key'],
    ['QE Authentication Data', hexView(s.qeAuthData)],
    ['QE Certification Data Type', `${cd.type}: ${CERT_DATA_TYPES[cd.type] ?? 'unknown'}`],
    ['QE Certification Data size', `${cd.data.length} bytes`],
  ];
  const qe = s.qeReport;
  return section(
    'Signature data',
    [
      fieldTable(rows, 'signature-data'),
      h('h4', {}, 'QE Report (the Quoting Enclave’s SGX report body)'),
      fieldTable(sgxRows(qe), 'qe-report'),
    ],
    { id: 'signature', badge: `${s.raw.length} bytes`, open: false },
  );
}

// --- Certificates and collateral ------------------------------------------------

function certCard(c: Certificate, role: string, at: number | undefined, top: boolean): HTMLElement {
  const valid = at === undefined ? undefined : at >= c.notBefore && at <= c.notAfter;
  const pinned = top && c.subjectText === c.issuerText ? hex(c.publicKey) === INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX.toLowerCase() : undefined;
  return h(
    'div',
    { class: 'cert', 'data-testid': 'cert' },
    h(
      'div',
      { class: 'cert-role' },
      role,
      valid === false ? h('span', { class: 'pill bad' }, 'not valid at the verification time') : null,
      pinned === true ? h('span', { class: 'pill ok', 'data-pinned': 'true' }, 'key = pinned Intel SGX Root CA key') : null,
      pinned === false ? h('span', { class: 'pill bad', 'data-pinned': 'false' }, 'not the pinned Intel SGX Root CA key') : null,
    ),
    fieldTable([
      ['Subject', h('span', { class: 'val dn' }, c.subjectText)],
      ['Issuer', h('span', { class: 'val dn' }, c.issuerText)],
      ['Validity', `${isoDate(c.notBefore)} → ${isoDate(c.notAfter)}`],
      ['Serial', hexView(c.serialHex)],
      ['Public key', hexView(c.publicKey), 'P-256, uncompressed point'],
      ...(c.basicConstraints ? ([['Basic constraints', c.basicConstraints.ca ? `CA${c.basicConstraints.pathLen !== undefined ? `, pathLen ${c.basicConstraints.pathLen}` : ''}` : 'end entity']] as Row[]) : []),
    ]),
  );
}

function chainCards(chain: readonly Certificate[], roles: string[], at: number | undefined): HTMLElement {
  return h(
    'div',
    { class: 'chain' },
    chain.map((c, i) => [i > 0 ? h('div', { class: 'chain-link', 'aria-hidden': 'true' }, '↑ signed by') : null, certCard(c, roles[i] ?? `Certificate ${i + 1}`, at, i === chain.length - 1)]),
  );
}

function pckChain(a: Analysis): HTMLElement | null {
  if (!a.pckChain) return null;
  const from = a.quote?.signatureData.certificationData.type === 5 ? 'from the quote’s certification data' : 'from the collateral';
  return section('Certificate chain', [h('p', { class: 'hint' }, `PCK chain ${from}, leaf first.`), chainCards(a.pckChain, ['PCK certificate (leaf)', 'PCK CA', 'Root CA'], a.at)], {
    id: 'chain',
    badge: `${a.pckChain.length} certificates`,
  });
}

function crlRows(c: Crl): Row[] {
  return [
    ['Issuer', h('span', { class: 'val dn' }, c.issuerText)],
    ['thisUpdate … nextUpdate', `${isoDate(c.thisUpdate)} → ${when(c.nextUpdate)}`],
    ['Revoked certificates', String(c.revoked.length)],
  ];
}

function collateralSection(a: Analysis): HTMLElement | null {
  const c = a.collateral;
  if (!c) return null;
  const t = c.tcbInfo.info;
  const q = c.qeIdentity.identity;
  return section(
    'Collateral',
    [
      h('h4', {}, 'TCB Info'),
      fieldTable([
        ['id · version', `${t.id} · ${t.version}`],
        ['issueDate … nextUpdate', `${isoDate(t.issueDate)} → ${isoDate(t.nextUpdate)}`],
        ['fmspc', hexView(t.fmspc)],
        ['pceId', hexView(t.pceId)],
        ['tcbType', String(t.tcbType)],
        ['tcbEvaluationDataNumber', String(t.tcbEvaluationDataNumber)],
        ['tcbLevels', String(t.tcbLevels.length)],
        ...(t.tdxModuleIdentities ? ([['tdxModuleIdentities', t.tdxModuleIdentities.map((m) => m.id).join(', ') || 'none']] as Row[]) : []),
      ]),
      h('h4', {}, 'QE Identity'),
      fieldTable([
        ['id · version', `${q.id} · ${q.version}`],
        ['issueDate … nextUpdate', `${isoDate(q.issueDate)} → ${isoDate(q.nextUpdate)}`],
        ['mrsigner', hexView(q.mrsigner)],
        ['isvprodid', String(q.isvprodid)],
        ['tcbEvaluationDataNumber', String(q.tcbEvaluationDataNumber)],
        ['tcbLevels (isvsvn: status)', q.tcbLevels.map((l) => `${l.isvsvn}: ${l.status}`).join(' · ')],
      ]),
      h('h4', {}, 'PCK CRL'),
      fieldTable(crlRows(c.pckCrl)),
      h('h4', {}, 'Root CA CRL'),
      fieldTable(crlRows(c.rootCaCrl)),
      h('details', { class: 'sub' }, h('summary', {}, 'TCB Info / QE Identity signing chain'), chainCards(c.tcbInfo.chain, ['TCB Signing certificate', 'Root CA'], a.at)),
    ],
    { id: 'collateral', open: false },
  );
}

export function renderAnalysis(a: Analysis): HTMLElement[] {
  const out: (HTMLElement | null)[] = [verdict(a), checks(a), tcb(a)];
  if (a.quote) out.push(body(a.quote), header(a.quote), pckChain(a), signatureData(a.quote));
  out.push(collateralSection(a));
  return out.filter((x): x is HTMLElement => x !== null);
}
