/**
 * Mutation generators and the runner. A region offers `size` positions and a
 * few mutation kinds; `make(pos, kind, rnd)` returns the mutated verifier
 * input, or undefined when that particular change is excluded by
 * construction (e.g. a hex digit changed only in letter case).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { expect } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import type { CollateralInput, CollateralJson } from '../../src/collateral/input.js';
import { parseCollateral, type Collateral } from '../../src/collateral/parse.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import type { VerificationCache } from '../../src/verify/cache.js';
import { toHex } from '../../src/lib/bytes.js';
import { COLLATERAL_FIELDS, pcsBody, pcsOf, pemOffsets, quoteLayout, type Base, type CollateralField } from './targets.js';

export interface Input {
  readonly quote: Uint8Array;
  readonly collateral: CollateralInput | Collateral;
}

export type Group = 'quote' | 'collateral' | 'unverified';

export interface Region {
  readonly region: string;
  readonly group: Group;
  readonly size: number;
  readonly kinds: readonly string[];
  make(pos: number, kind: string, rnd: number): Input | undefined;
}

const MASKS = [0x01, 0x80, 0xff, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x55, 0xaa, 0x0f];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';
const enc = new TextEncoder();

function isHexChar(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** A hex digit of a different value, in the case of the original. */
function otherNibble(c: string, rnd: number): string {
  const v = parseInt(c, 16);
  const n = HEX[(v + 1 + (rnd % 15)) % 16]!;
  return c === c.toUpperCase() ? n.toUpperCase() : n;
}

/** Raw flip of a text character; undefined when the result is the same hex value (case only). */
function flipChar(c: string, rnd: number, hex: boolean): string | undefined {
  const r = String.fromCharCode(c.charCodeAt(0) ^ MASKS[rnd % MASKS.length]!);
  if (hex && isHexChar(c) && isHexChar(r) && parseInt(c, 16) === parseInt(r, 16)) return undefined;
  return r;
}

const replaceAt = (s: string, i: number, r: string): string => s.slice(0, i) + r + s.slice(i + 1);

/** The regions of a base: quote regions from the spec layout, collateral regions from the fields. */
export function regionsOf(base: Base, parsed: Collateral): Region[] {
  const out: Region[] = [];
  const q = base.quote;
  const c = base.collateral;

  // --- quote ---------------------------------------------------------------
  for (const r of quoteLayout(q).regions) {
    const offsets = r.offsets;
    out.push({
      region: r.region,
      group: 'quote',
      size: offsets.length,
      kinds: r.kind === 'pem' ? ['flip', 'base64'] : ['flip'],
      make(pos, kind, rnd) {
        const at = offsets[pos]!;
        const m = Uint8Array.from(q);
        if (kind === 'flip') {
          m[at]! ^= MASKS[rnd % MASKS.length]!;
        } else {
          if (!r.base64![pos]) return undefined;
          const i = B64.indexOf(String.fromCharCode(q[at]!));
          if (i < 0) return undefined; // '=' padding: covered by 'flip'
          m[at] = B64.charCodeAt((i + 1 + (rnd % 63)) % 64);
        }
        return { quote: m, collateral: parsed };
      },
    });
  }

  // --- collateral (dcap-qvl JSON shape, and PCS bytes for exact byte flips) ----
  const withField = (field: keyof CollateralJson, value: string): Input => ({ quote: q, collateral: { ...c, [field]: value } });
  for (const [field, how] of Object.entries(COLLATERAL_FIELDS) as [CollateralField, string][]) {
    const text = c[field];
    if (how === 'json') {
      out.push(...jsonRegions(base, field as 'tcb_info' | 'qe_identity'));
    } else if (how === 'sighex') {
      out.push({
        region: field,
        group: 'collateral',
        size: text.length,
        kinds: ['nibble', 'flip'],
        make(pos, kind, rnd) {
          const ch = text[pos]!;
          const r = kind === 'nibble' ? (isHexChar(ch) ? otherNibble(ch, rnd) : undefined) : flipChar(ch, rnd, true);
          return r === undefined ? undefined : withField(field, replaceAt(text, pos, r));
        },
      });
    } else if (how === 'derhex') {
      const der = Uint8Array.from(Buffer.from(text, 'hex'));
      if (toHex(der) !== text.toLowerCase()) throw new Error(`${field} is not plain hex`);
      const upper = text !== text.toLowerCase();
      out.push({
        region: field,
        group: 'collateral',
        size: der.length,
        kinds: ['flip'],
        make(pos, _kind, rnd) {
          const m = Uint8Array.from(der);
          m[pos]! ^= MASKS[rnd % MASKS.length]!;
          const h = toHex(m);
          return withField(field, upper ? h.toUpperCase() : h);
        },
      });
    } else {
      out.push(pemRegion(field, text, 'collateral', (v) => withField(field, v)));
    }
  }
  out.push(pemRegion('pck_crl_issuer_chain', c.pck_crl_issuer_chain, 'unverified', (v) => ({ quote: q, collateral: { ...c, pck_crl_issuer_chain: v } })));
  return out;
}

function pemRegion(region: string, text: string, group: Group, wrap: (v: string) => Input): Region {
  const { offsets, base64 } = pemOffsets(text);
  return {
    region,
    group,
    size: offsets.length,
    kinds: ['flip', 'base64'],
    make(pos, kind, rnd) {
      const at = offsets[pos]!;
      const ch = text[at]!;
      let r: string | undefined;
      if (kind === 'flip') r = flipChar(ch, rnd, false);
      else {
        const i = B64.indexOf(ch);
        r = base64[pos] && i >= 0 ? B64[(i + 1 + (rnd % 63)) % 64] : undefined;
      }
      return r === undefined ? undefined : wrap(replaceAt(text, at, r));
    },
  };
}

/** Offsets of a JSON text that lie inside string literals (escapes included). */
function stringMask(t: string): boolean[] {
  const inStr: boolean[] = [];
  let s = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (s) {
      inStr.push(ch !== '"');
      if (ch === '\\') {
        inStr.push(true);
        i++;
      } else if (ch === '"') s = false;
    } else {
      inStr.push(false);
      if (ch === '"') s = true;
    }
  }
  return inStr;
}

function jsonRegions(base: Base, field: 'tcb_info' | 'qe_identity'): Region[] {
  const c = base.collateral;
  const text = c[field];
  const sigField = field === 'tcb_info' ? 'tcb_info_signature' : 'qe_identity_signature';
  const member = field === 'tcb_info' ? 'tcbInfo' : 'enclaveIdentity';
  const pcsKey = field === 'tcb_info' ? 'tcbInfo' : 'qeIdentity';
  const value = JSON.parse(text) as unknown;
  const inStr = stringMask(text);
  const withText = (t: string): Input => ({ quote: base.quote, collateral: { ...c, [field]: t } });

  // Exact byte flips of the signed span, through the PCS shape (bytes in, no string round trip).
  const body = enc.encode(pcsBody(member, text, c[sigField]));
  const spanStart = member.length + 4; // {"<member>":
  const spanEnd = spanStart + enc.encode(text).length;
  const pcs = pcsOf(c);
  const withBody = (b: Uint8Array): Input => ({ quote: base.quote, collateral: { ...pcs, [pcsKey]: b } });
  // The wrapper around the span: member names and punctuation (the signature hex is its own region).
  const sigStart = spanEnd + ',"signature":"'.length;
  const wrapper = [...Array(body.length).keys()].filter(
    (i) => i < spanStart || (i >= spanEnd && (i < sigStart || i >= sigStart + c[sigField].length)),
  );

  const indices = Array.from({ length: text.length }, (_, i) => i);
  const editable = indices.filter((i) => /[0-9A-Za-z]/.test(text[i]!));
  // Insertion points for whitespace: after a structural character, outside strings.
  const gaps = indices.filter((i) => !inStr[i] && /[{[,:]/.test(text[i]!));
  const letters = indices.filter((i) => inStr[i] && /[A-Za-z]/.test(text[i]!) && text[i - 1] !== '\\');

  const sameValue = (t: string): boolean => {
    expect(JSON.parse(t), 'a re-serialisation must keep the JSON value').toEqual(value);
    return true;
  };

  return [
    {
      region: `${field}.bytes`,
      group: 'collateral',
      size: spanEnd - spanStart,
      kinds: ['flip'],
      make(pos, _k, rnd) {
        const m = Uint8Array.from(body);
        m[spanStart + pos]! ^= MASKS[rnd % MASKS.length]!;
        return withBody(m);
      },
    },
    {
      region: `${field}.edit`,
      group: 'collateral',
      size: editable.length,
      kinds: ['edit'],
      make(pos, _k, rnd) {
        const i = editable[pos]!;
        const ch = text[i]!;
        let r: string;
        if (/[0-9]/.test(ch)) r = String((Number(ch) + 1 + (rnd % 9)) % 10);
        else {
          const a = ch === ch.toUpperCase() ? 65 : 97;
          r = String.fromCharCode(a + ((ch.charCodeAt(0) - a + 1 + (rnd % 25)) % 26));
        }
        const t = replaceAt(text, i, r);
        try {
          JSON.parse(t);
        } catch {
          return undefined; // e.g. "0" → leading zero "05": not valid JSON, not this region's kind
        }
        return withText(t);
      },
    },
    {
      region: `${field}.reserialised`,
      group: 'collateral',
      size: gaps.length + letters.length,
      kinds: ['ws'],
      make(pos, _k, rnd) {
        let t: string;
        if (pos < gaps.length) {
          const i = gaps[pos]!;
          t = text.slice(0, i + 1) + [' ', '\n', '\t', '\r\n  '][rnd % 4] + text.slice(i + 1);
        } else {
          const i = letters[pos - gaps.length]!;
          t = text.slice(0, i) + '\\u' + text.charCodeAt(i).toString(16).padStart(4, '0') + text.slice(i + 1);
        }
        sameValue(t);
        return withText(t);
      },
    },
    {
      region: `pcs.${pcsKey}.wrapper`,
      group: 'collateral',
      size: wrapper.length,
      kinds: ['flip'],
      make(pos, _k, rnd) {
        const m = Uint8Array.from(body);
        m[wrapper[pos]!]! ^= MASKS[rnd % MASKS.length]!;
        return withBody(m);
      },
    },
  ];
}

// ---------------------------------------------------------------------------
// Running

/**
 * A backend that remembers signature results across calls, keyed by the key,
 * the signature and SHA-256 of the message: unchanged signatures (most of
 * them, for any one mutation) are checked once. The answer for given bytes is
 * the wrapped backend's.
 */
export function memoBackend(inner: CryptoBackend = webCryptoBackend()): CryptoBackend {
  const seen = new Map<string, boolean>();
  return {
    ...inner,
    name: `${inner.name}+test-memo`,
    async verifyP256(publicKey, message, signature) {
      const key = `${toHex(publicKey)}|${toHex(signature)}|${message.length}|${toHex(sha256(message))}`;
      const hit = seen.get(key);
      if (hit !== undefined) return hit;
      const ok = await inner.verifyP256(publicKey, message, signature);
      seen.set(key, ok);
      return ok;
    },
  };
}

export interface Tally {
  attempted: number;
  accepted: number;
  excluded: number;
  codes: Map<string, number>;
}

export class Stats {
  readonly byRegion = new Map<string, Tally & { group: Group }>();
  readonly acceptedSamples: string[] = [];

  tally(region: Region): Tally {
    let t = this.byRegion.get(region.region);
    if (t === undefined) {
      t = { group: region.group, attempted: 0, accepted: 0, excluded: 0, codes: new Map() };
      this.byRegion.set(region.region, t);
    }
    return t;
  }

  total(group?: Group): { attempted: number; accepted: number } {
    let attempted = 0;
    let accepted = 0;
    for (const t of this.byRegion.values()) {
      if (group !== undefined && t.group !== group) continue;
      attempted += t.attempted;
      accepted += t.accepted;
    }
    return { attempted, accepted };
  }

  table(title: string): string {
    const rows = [...this.byRegion.entries()].map(([region, t]) => {
      const codes = [...t.codes.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([code, n]) => `${code} ${n}`)
        .join(', ');
      return `${region.padEnd(32)} ${t.group.padEnd(10)} ${String(t.attempted).padStart(6)} ${String(t.accepted).padStart(8)} ${String(t.excluded).padStart(8)}  ${codes}`;
    });
    const all = this.total();
    return [
      `${title}`,
      `${'region'.padEnd(32)} ${'group'.padEnd(10)} ${'tried'.padStart(6)} ${'accepted'.padStart(8)} ${'excluded'.padStart(8)}  most frequent codes`,
      ...rows,
      `${'total'.padEnd(32)} ${''.padEnd(10)} ${String(all.attempted).padStart(6)} ${String(all.accepted).padStart(8)}`,
    ].join('\n');
  }
}

export interface RunContext {
  readonly base: Base;
  readonly crypto: CryptoBackend;
  readonly baseline: Record<string, unknown>;
  readonly cache?: VerificationCache;
}

/** Claims of a successful verification, without the parsed quote. */
export function claims(v: { quote: unknown }): Record<string, unknown> {
  const { quote: _q, ...rest } = v;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

export async function verifyBase(base: Base, input: Input, crypto: CryptoBackend, cache?: VerificationCache) {
  return verifyQuote(input.quote, input.collateral, {
    at: base.at,
    crypto,
    ...(base.rootPublicKey ? { rootPublicKey: base.rootPublicKey } : {}),
    ...(base.trailingBytes ? { trailingBytes: base.trailingBytes } : {}),
    ...(cache ? { cache } : {}),
  });
}

/** Verify one mutated input; record the outcome. Anything but an AttestationError (parse / verify) fails the test. */
export async function attempt(ctx: RunContext, region: Region, input: Input, label: string, stats: Stats): Promise<void> {
  const t = stats.tally(region);
  t.attempted++;
  try {
    const v = await verifyBase(ctx.base, input, ctx.crypto, ctx.cache);
    t.accepted++;
    if (region.group === 'unverified') {
      // Not covered by any check: accepted only with exactly the unmutated result.
      expect(claims(v), `${ctx.base.name} ${label}`).toEqual(ctx.baseline);
    } else if (stats.acceptedSamples.length < 20) {
      stats.acceptedSamples.push(`${ctx.base.name}: ${label} accepted with status ${v.status}`);
    }
  } catch (e) {
    if (!(e instanceof AttestationError)) {
      throw new Error(`${ctx.base.name}: ${label} threw a non-AttestationError: ${String(e)}`, { cause: e });
    }
    if (e.kind !== 'parse' && e.kind !== 'verify') throw new Error(`${ctx.base.name}: ${label} gave ${e.code} of kind ${e.kind}`);
    t.codes.set(e.code, (t.codes.get(e.code) ?? 0) + 1);
  }
}

/** Parsed collateral of a base (quote mutations reuse it) and its unmutated result. */
export async function prepare(base: Base, crypto: CryptoBackend): Promise<{ parsed: Collateral; baseline: Record<string, unknown> }> {
  const parsed = parseCollateral(base.collateral);
  const v = await verifyBase(base, { quote: base.quote, collateral: base.collateral }, crypto);
  // The PCS form of the same collateral gives the same result (the byte-flip regions use it).
  const viaPcs = await verifyBase(base, { quote: base.quote, collateral: pcsOf(base.collateral) }, crypto);
  expect(claims(viaPcs)).toEqual(claims(v));
  return { parsed, baseline: claims(v) };
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
