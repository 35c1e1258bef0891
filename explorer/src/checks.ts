/**
 * The explorer's view of the verification pipeline. `verifyQuote` returns the
 * names of the checks that passed (`VerifiedQuote.checks`) or throws an
 * AttestationError whose `evidence.check` names the check that failed. This
 * adapter maps both onto the steps of Intel's QVL order (QuoteVerifier.cpp,
 * spec section 4.1.2.5) so the page can list every step with its result: the
 * failing step, and every later one as "not reached".
 *
 * It only reads what the library reports; it verifies nothing itself.
 */

export type StepState = 'pass' | 'fail' | 'not-reached' | 'not-applicable' | 'not-run';

export interface StepDef {
  readonly id: string;
  readonly title: string;
  /** What the step proves, in one line. */
  readonly detail: string;
  /** Intel's step number (QVL QuoteVerifier.cpp / spec 4.1.2.5.x), when it has one. */
  readonly spec?: string;
  /** `VerifiedQuote.checks` names that mark this step as passed. */
  readonly passedBy: readonly string[];
  /** Does `evidence.check` of a failure belong to this step? */
  readonly owns: (check: string, code: string) => boolean;
  /** Runs only for TDX quotes. */
  readonly tdxOnly?: boolean;
}

const prefix = (...ps: string[]) => (check: string) => ps.some((p) => check === p || check.startsWith(`${p}.`));

/** Pipeline order of `verifyQuote` (src/verify/verify-quote.ts), steps 1-10 of its comments. */
export const STEPS: readonly StepDef[] = [
  {
    id: 'quote.parse',
    title: 'Quote structure',
    detail: 'Header, report body and signature data parse with their declared sizes',
    passedBy: ['quote.parse'],
    owns: (c) => c.startsWith('quote.') && c !== 'quote.signature',
  },
  {
    id: 'collateral.parse',
    title: 'Collateral structure',
    detail: 'TCB Info, QE Identity, CRLs and issuer chains parse',
    passedBy: ['collateral.parse'],
    owns: prefix('collateral', 'json', 'tcbInfo.version', 'crl.pem', 'crl.input'),
  },
  {
    id: 'pck.chain',
    title: 'PCK certificate chain',
    detail: 'PCK leaf → PCK CA → Intel SGX Root CA, chained to the pinned root key, every certificate valid at the verification time',
    spec: '4.1.2.5.5–8',
    passedBy: ['pck.chain'],
    owns: (c) => prefix('pck.chain', 'pck.leaf', 'pck.criticalExtension')(c) || c === 'options.rootPublicKey',
  },
  {
    id: 'pck.crl',
    title: 'Revocation lists',
    detail: 'Root CA CRL and PCK CRL signed by their CAs, current, and listing none of the chain; PCK CRL issuer chain to the root',
    spec: '4.1.2.5.7',
    passedBy: ['pck.crl', 'pckCrlChain'],
    owns: prefix('pck.crl', 'pckCrlChain', 'pck.issuer', 'pck.authorityKeyId', 'pck.keyUsage', 'pck.signature', 'pck.validity'),
  },
  {
    id: 'pck.extension',
    title: 'PCK SGX extension',
    detail: 'FMSPC, PCE-ID, TCB components and PCESVN read from the PCK leaf (OID 1.2.840.113741.1.13.1)',
    passedBy: ['pckCrlChain'],
    owns: prefix('sgx.extension', 'sgx'),
  },
  {
    id: 'tcbInfo.signature',
    title: 'TCB Info signature',
    detail: 'Signed by Intel SGX TCB Signing, chained to the pinned root, not revoked',
    passedBy: ['tcbInfo.signature'],
    owns: (c) => prefix('tcbInfo.chain', 'tcbInfo.crl', 'tcbInfo.signer', 'tcbInfo.signature', 'tcbInfo.issuer', 'tcbInfo.authorityKeyId', 'tcbInfo.keyUsage', 'tcbInfo.criticalExtension')(c),
  },
  {
    id: 'tcbInfo.validity',
    title: 'TCB Info dates',
    detail: 'Verification time within issueDate … nextUpdate',
    passedBy: ['tcbInfo.validity'],
    owns: (c) => c === 'tcbInfo.validity',
  },
  {
    id: 'qeIdentity.signature',
    title: 'QE Identity signature',
    detail: 'Signed by Intel SGX TCB Signing, chained to the pinned root, not revoked',
    passedBy: ['qeIdentity.signature'],
    owns: (c) => prefix('qeIdentity.chain', 'qeIdentity.crl', 'qeIdentity.signer', 'qeIdentity.signature', 'qeIdentity.issuer', 'qeIdentity.authorityKeyId', 'qeIdentity.keyUsage', 'qeIdentity.criticalExtension')(c),
  },
  {
    id: 'qeIdentity.validity',
    title: 'QE Identity dates',
    detail: 'Verification time within issueDate … nextUpdate',
    passedBy: ['qeIdentity.validity'],
    owns: (c) => c === 'qeIdentity.validity',
  },
  {
    id: 'collateral.fit',
    title: 'Collateral fits the quote',
    detail: 'TCB Info for this TEE type, FMSPC and PCE-ID equal to the PCK certificate’s',
    spec: '4.1.2.5.10–11',
    passedBy: ['tcbInfo.fmspc', 'tcbInfo.pceId'],
    owns: (c) => c === 'tcbInfo.id' || c === 'tcbInfo.fmspc' || c === 'tcbInfo.pceId',
  },
  {
    id: 'tdxModule.signer',
    title: 'TDX module signer',
    detail: 'MRSIGNERSEAM and SEAMATTRIBUTES equal the TDX module identity in the TCB Info',
    spec: '4.1.2.5.12',
    passedBy: ['tdxModule.signer'],
    owns: (c) => c === 'tdxModule.identity' || c === 'tdxModule.signer',
    tdxOnly: true,
  },
  {
    id: 'qeReport.signature',
    title: 'QE report signature',
    detail: 'The Quoting Enclave report is signed by the PCK key',
    spec: '4.1.2.5.13',
    passedBy: ['qeReport.signature'],
    owns: (c) => c === 'qeReport.signature',
  },
  {
    id: 'qeReport.binding',
    title: 'Attestation key binding',
    detail: 'QE REPORTDATA = SHA-256(attestation key ‖ QE authentication data) ‖ 32 zero bytes',
    spec: '4.1.2.5.14',
    passedBy: ['qeReport.binding'],
    owns: (c) => c === 'qeReport.reportData' || c === 'qeReport.binding',
  },
  {
    id: 'qeIdentity.report',
    title: 'QE identity',
    detail: 'QE MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES match the QE Identity',
    spec: '4.1.2.5.15–16',
    passedBy: ['qeIdentity.report'],
    owns: (c) => c === 'qeIdentity.report',
  },
  {
    id: 'quote.signature',
    title: 'Quote signature',
    detail: 'Header and report body signed by the attestation key',
    spec: '4.1.2.5.17',
    passedBy: ['quote.signature'],
    owns: (c) => c === 'quote.signature',
  },
  {
    id: 'tcb.evaluate',
    title: 'TCB level match',
    detail: 'First TCB level reached by the PCK components, PCESVN (and TEE_TCB_SVN); QE and TDX module levels converged',
    spec: '4.1.2.5.18–19',
    passedBy: ['tcb.evaluate'],
    owns: (c) => prefix('tcb', 'tdxModule.tcbLevel', 'qeIdentity.tcbLevel')(c),
  },
];

export interface StepResult {
  readonly def: StepDef;
  readonly state: StepState;
  /** For the failing step: the library's error (code, message, evidence). */
  readonly error?: { code: string; kind: string; message: string; evidence?: Record<string, unknown> };
}

export interface ErrorLike {
  code: string;
  kind: string;
  message: string;
  evidence?: Record<string, unknown>;
}

/** Which step a failure belongs to: by `evidence.check`, else -1. */
export function stepOfFailure(err: ErrorLike): number {
  const check = typeof err.evidence?.check === 'string' ? err.evidence.check : '';
  return STEPS.findIndex((s) => s.owns(check, err.code));
}

/**
 * Step results from one run: `passed` = `VerifiedQuote.checks` on success;
 * `failure` = the error on failure (passed then lists nothing); `ranFrom`
 * lets the caller say that steps before it were decided elsewhere (parsing).
 */
export function stepResults(input: {
  teeType?: 'SGX' | 'TDX';
  passed?: readonly string[];
  failure?: ErrorLike;
  /** The step the failure belongs to, when the caller knows it (parse steps). */
  failedStep?: string;
  /** The pipeline did not run past this step id (e.g. no collateral). */
  stopAfter?: string;
}): StepResult[] {
  const { teeType, passed, failure } = input;
  const failAt = !failure ? -1 : input.failedStep !== undefined ? STEPS.findIndex((s) => s.id === input.failedStep) : stepOfFailure(failure);
  const stopAt = input.stopAfter === undefined ? -1 : STEPS.findIndex((s) => s.id === input.stopAfter);
  return STEPS.map((def, i): StepResult => {
    if (def.tdxOnly && teeType === 'SGX') return { def, state: 'not-applicable' };
    if (failure) {
      if (failAt < 0) return { def, state: i === 0 ? 'pass' : 'not-run' };
      if (i < failAt) return { def, state: 'pass' };
      if (i === failAt) return { def, state: 'fail', error: failure };
      return { def, state: 'not-reached' };
    }
    if (stopAt >= 0 && i > stopAt) return { def, state: 'not-run' };
    if (passed === undefined) return { def, state: i <= stopAt ? 'pass' : 'not-run' };
    return { def, state: def.passedBy.every((c) => passed.includes(c)) ? 'pass' : 'not-run' };
  });
}
