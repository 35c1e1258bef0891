/** X.509 v2 CRLs signed by a test CA. */
import { fromHex, toHex } from '../lib/bytes.js';
import { bitString, enumerated, explicit, integer, sequence, time } from '../encode/der.js';
import { signDer } from '../encode/keys.js';
import { toPem } from '../encode/pem.js';
import {
  OID,
  authorityKeyIdentifierValue,
  corruptDerSignature,
  ecdsaWithSha256AlgId,
  extension,
} from '../encode/x509.js';

/** What a CRL issuer needs: its Name, key identifier and private key. */
export interface CrlIssuer {
  readonly name: Uint8Array;
  readonly keyId: Uint8Array;
  readonly privateKey: Uint8Array;
}

export interface RevokedEntry {
  /** Serial as hex (magnitude, like `serialHex`). */
  readonly serial: string;
  /** Unix seconds. Default: the CRL's thisUpdate. */
  readonly revocationDate?: number;
  /** CRLReason (1 = keyCompromise). Default: omitted. */
  readonly reasonCode?: number;
}

export interface CrlOptions {
  /** Serials (hex) to list; shorthand for `revoked` entries with default date/reason. */
  readonly revokedSerials?: readonly string[];
  /** Full revoked entries (appended after `revokedSerials`). */
  readonly revoked?: readonly RevokedEntry[];
  /** Reason code applied to `revokedSerials` entries. Default: omitted. */
  readonly reasonCode?: number;
  /** Unix seconds. */
  readonly thisUpdate: number;
  /** Unix seconds. */
  readonly nextUpdate: number;
  /** cRLNumber extension value. Default 1. */
  readonly crlNumber?: number;
  /** Flip a bit of the signature so it no longer verifies. */
  readonly corruptSignature?: boolean;
  /** Sign with this private key instead of the issuer's. */
  readonly signingKey?: Uint8Array;
}

export interface MintedCrl {
  readonly der: Uint8Array;
  /** Lowercase hex of the DER (the CollateralJson form). */
  readonly hex: string;
  /** `-----BEGIN X509 CRL-----` armour. */
  readonly pem: string;
}

export function mintCrl(issuer: CrlIssuer, opts: CrlOptions): MintedCrl {
  const entries: RevokedEntry[] = [
    ...(opts.revokedSerials ?? []).map((serial) => ({
      serial,
      reasonCode: opts.reasonCode,
    })),
    ...(opts.revoked ?? []),
  ];
  const parts: Uint8Array[] = [
    integer(1), // v2
    ecdsaWithSha256AlgId(),
    issuer.name,
    time(opts.thisUpdate),
    time(opts.nextUpdate),
  ];
  if (entries.length > 0) {
    parts.push(
      sequence(
        ...entries.map((e) => {
          const fields = [
            integer(fromHex(e.serial, 'InvalidArgument', 'serial')),
            time(e.revocationDate ?? opts.thisUpdate),
          ];
          if (e.reasonCode !== undefined) {
            fields.push(sequence(extension(OID.crlReason, false, enumerated(e.reasonCode))));
          }
          return sequence(...fields);
        }),
      ),
    );
  }
  parts.push(
    explicit(
      0,
      sequence(
        extension(OID.crlNumber, false, integer(opts.crlNumber ?? 1)),
        extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(issuer.keyId)),
      ),
    ),
  );
  const tbs = sequence(...parts);
  let sig = signDer(tbs, opts.signingKey ?? issuer.privateKey);
  if (opts.corruptSignature) sig = corruptDerSignature(sig);
  const der = sequence(tbs, ecdsaWithSha256AlgId(), bitString(sig));
  return { der, hex: toHex(der), pem: toPem(der, 'X509 CRL') };
}
