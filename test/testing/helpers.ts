/** Test-side helpers: an independent tiny DER walker and Node crypto wrappers. */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';

export interface Tlv {
  tag: number;
  /** Offset of the tag byte within the parsed buffer. */
  start: number;
  /** Content bytes. */
  value: Uint8Array;
  /** Whole TLV bytes. */
  raw: Uint8Array;
}

/** Parse one TLV at `off` (definite lengths only). */
export function tlvAt(buf: Uint8Array, off = 0): Tlv {
  const tag = buf[off]!;
  let len = buf[off + 1]!;
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i]!;
    hdr += n;
  }
  return { tag, start: off, value: buf.subarray(off + hdr, off + hdr + len), raw: buf.subarray(off, off + hdr + len) };
}

/** Children of a constructed TLV. */
export function children(t: Tlv | Uint8Array): Tlv[] {
  const v = t instanceof Uint8Array ? t : t.value;
  const out: Tlv[] = [];
  let off = 0;
  while (off < v.length) {
    const c = tlvAt(v, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

/** Decode an OID TLV to dotted text. */
export function oidText(t: Tlv): string {
  const v = t.value;
  const arcs: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (!(v[i]! & 0x80)) {
      if (arcs.length === 0) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else arcs.push(n);
      n = 0;
    }
  }
  return arcs.join('.');
}

export function intValue(t: Tlv): number {
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

/** SEQUENCE OF SEQUENCE { OID, value } → Map(oid, value TLV). */
export function oidMap(t: Tlv): Map<string, Tlv> {
  const m = new Map<string, Tlv>();
  for (const e of children(t)) {
    const [id, val] = children(e);
    m.set(oidText(id!), val!);
  }
  return m;
}


export function spkiKey(publicKey65: Uint8Array): KeyObject {
  // SubjectPublicKeyInfo prefix for a P-256 uncompressed point.
  const prefix = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
  return createPublicKey({ key: Buffer.concat([prefix, Buffer.from(publicKey65)]), format: 'der', type: 'spki' });
}

/** Verify a raw r ‖ s P-256/SHA-256 signature with Node crypto. */
export function verifyRaw(publicKey65: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  return nodeVerify('sha256', message, { key: spkiKey(publicKey65), dsaEncoding: 'ieee-p1363' }, sig);
}

export function x509(pemOrDer: string | Uint8Array): X509Certificate {
  return new X509Certificate(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
}

let opensslPath: string | null | undefined;
export function hasOpenssl(): boolean {
  if (opensslPath === undefined) {
    try {
      opensslPath = execFileSync('which', ['openssl'], { encoding: 'utf8' }).trim() || null;
    } catch {
      opensslPath = null;
    }
  }
  return opensslPath !== null;
}

/** `openssl <args>` with `input` on stdin; returns stdout text. Throws on non-zero exit. */
export function openssl(args: string[], input: Uint8Array | string): string {
  return execFileSync('openssl', args, { input: typeof input === 'string' ? input : Buffer.from(input), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Split a PEM chain into blocks. */
export function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----\n?/g) ?? [];
}

/** Copy into a plain ArrayBuffer-backed view (what @peculiar/x509's types want). */
export function ab(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}
