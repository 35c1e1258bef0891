/**
 * TDX module identity checks (Intel QVL QuoteVerifier.cpp step 4.1.2.5.12 and
 * Checks/TdxModuleCheck.cpp). TEE_TCB_SVN[1] is the module's major version;
 * when it is above 0 the TCB Info must carry a module identity "TDX_%02X"
 * whose MRSIGNER and attributes replace the base `tdxModule` ones, and whose
 * TCB levels are matched by ISVSVN against TEE_TCB_SVN[0].
 */
import { VerifyError } from '../errors.js';
import type { ModuleTcbLevel, TcbInfo, TdxModule, TdxModuleIdentity } from '../collateral/tcb-info.js';
import { bytesEqual, isAllZero, toHex } from '../lib/bytes.js';

export function moduleIdentityId(version: number): string {
  return `TDX_${version.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** findTdxModuleIdentity: ids are compared case-insensitively. */
export function findModuleIdentity(info: TcbInfo, version: number): TdxModuleIdentity | undefined {
  const want = moduleIdentityId(version);
  return info.tdxModuleIdentities?.find((m) => m.id.toUpperCase() === want);
}

function mismatch(message: string, field: string, expected: string, found: string): never {
  throw new VerifyError('TdxModuleMismatch', message, { check: 'tdxModule.identity', field, expected, found });
}

/**
 * 4.1.2.5.12: MRSIGNERSEAM must equal the module MRSIGNER and SEAMATTRIBUTES
 * must be zero and equal the module attributes. Returns the identity used
 * (undefined when the base `tdxModule` applies, i.e. module version 0).
 */
export function checkTdxModuleSigner(
  info: TcbInfo,
  quoteVersion: number,
  body: { teeTcbSvn: Uint8Array; mrSignerSeam: Uint8Array; seamAttributes: Uint8Array },
): TdxModuleIdentity | undefined {
  const version = body.teeTcbSvn[1]!;
  let expected: TdxModule | undefined = info.tdxModule;
  let identity: TdxModuleIdentity | undefined;
  if (quoteVersion > 3 && version > 0) {
    identity = findModuleIdentity(info, version);
    if (identity === undefined) {
      mismatch(
        `TCB Info has no TDX module identity ${moduleIdentityId(version)}`,
        'tdxModuleIdentities',
        moduleIdentityId(version),
        (info.tdxModuleIdentities ?? []).map((m) => m.id).join(',') || '(none)',
      );
    }
    expected = identity;
  }
  if (expected === undefined) mismatch('TCB Info has no tdxModule', 'tdxModule', 'present', 'absent');
  // 4.1.2.5.12.1
  if (!bytesEqual(body.mrSignerSeam, expected.mrsigner)) {
    mismatch('MRSIGNERSEAM does not match the TDX module MRSIGNER', 'MRSIGNERSEAM', toHex(expected.mrsigner), toHex(body.mrSignerSeam));
  }
  // 4.1.2.5.12.2: every SEAMATTRIBUTES byte must be zero and equal the identity's attributes.
  if (!isAllZero(body.seamAttributes) || !bytesEqual(body.seamAttributes, expected.attributes)) {
    mismatch('SEAMATTRIBUTES not zero or not equal to the TDX module attributes', 'SEAMATTRIBUTES', toHex(expected.attributes), toHex(body.seamAttributes));
  }
  return identity;
}

export type ModuleStatusResult =
  | { kind: 'none' }
  | { kind: 'level'; identity: TdxModuleIdentity; level: ModuleTcbLevel }
  | { kind: 'mismatch'; id: string }
  | { kind: 'notSupported'; identity: TdxModuleIdentity };

/**
 * tdxEvaluateTCB step 4.1.2.5.2.2 (EvaluateTcb.cpp): for a module version
 * (TEE_TCB_SVN[1]) above 0, the module identity TDX_%02X and its first level
 * whose ISVSVN the module SVN (TEE_TCB_SVN[0]) reaches; version 0 has none.
 */
export function moduleTcbStatus(info: TcbInfo, teeTcbSvn: Uint8Array): ModuleStatusResult {
  const version = teeTcbSvn[1]!;
  if (version === 0) return { kind: 'none' };
  const identity = findModuleIdentity(info, version);
  if (identity === undefined) return { kind: 'mismatch', id: moduleIdentityId(version) };
  const level = identity.tcbLevels.find((l) => teeTcbSvn[0]! >= l.isvsvn);
  return level === undefined ? { kind: 'notSupported', identity } : { kind: 'level', identity, level };
}
