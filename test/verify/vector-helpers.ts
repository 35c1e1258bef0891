import { vectorPath } from '../support/vectors.js';
import { readFileSync } from 'node:fs';
import type { CollateralInput } from '../../src/collateral/input.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { decodePem } from '../../src/x509/pem.js';
import { tryFromHex } from '../../src/lib/bytes.js';
export { rejectsWith } from '../support/codes.js';

export const V = 'vectors/dcap/';

export function bin(path: string): Uint8Array {
  const raw = new Uint8Array(readFileSync(vectorPath(path)));
  const text = new TextDecoder().decode(raw).trim();
  if (/^(0x)?[0-9a-fA-F\s]+$/.test(text)) return tryFromHex(text.replace(/\s+/g, ''))!;
  return raw;
}

export function json<T = CollateralInput>(path: string): T {
  return JSON.parse(readFileSync(vectorPath(path), 'utf8')) as T;
}

export function rootKeyFromPem(path: string): Uint8Array {
  return parseCertificate(decodePem(readFileSync(vectorPath(path), 'utf8'))[0]!).publicKey;
}


export interface Sample {
  name: string;
  quote: string;
  collateral: string;
  at: number | string;
  root?: string;
  trailingBytes?: 'reject' | 'zeros' | 'any';
  expect: { status?: string; advisoryIds?: string[]; error?: string };
}

export const samples: Sample[] = json<{ samples: Sample[] }>('vectors/samples.json').samples;
