/**
 * Boundary validation of public options, shared by every module (RA-TLS
 * policy and connector: ratls/option-checks.ts; DcapVerifier,
 * CachedVerifier, IntelApiVerifier; SnpVerifier): every option of the wrong
 * type or shape is a coded InvalidArgument naming the field
 * (`evidence.field`), at construction or at the call, never a raw TypeError
 * later.
 *
 * Values are never echoed except their type and size (options may hold
 * secrets, e.g. API keys).
 */
import { AttestationError, attestationError } from '../errors.js';
import { readClock, type Clock } from './time.js';

/** The InvalidArgument for option `field` of `who`. */
export function invalidOption(who: string, field: string, message: string, found?: unknown): AttestationError {
  return attestationError('InvalidArgument', `${who}: ${field} ${message}`, {
    check: `options.${field}`,
    field,
    ...(found === undefined ? {} : { found: describe(found) }),
  });
}

/** Type and size of a value, never its content. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array of ${v.length}`;
  if (typeof v === 'string') return `string of ${v.length} characters`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** `options` itself must be a plain object. */
export function requireOptionsObject(options: unknown, who: string): asserts options is Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw attestationError('InvalidArgument', `${who}: options object is required`, { check: 'options', found: describe(options) });
  }
}

export function optionalBoolean(v: unknown, who: string, field: string): void {
  if (v !== undefined && typeof v !== 'boolean') throw invalidOption(who, field, 'must be true or false', v);
}

export function optionalFunction(v: unknown, who: string, field: string): void {
  if (v !== undefined && typeof v !== 'function') throw invalidOption(who, field, 'must be a function', v);
}

/** A number > 0 (integer when `integer`), or undefined. */
export function optionalPositive(v: unknown, who: string, field: string, integer = false): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !(integer ? Number.isSafeInteger(v) : Number.isFinite(v)) || v <= 0) {
    throw invalidOption(who, field, `must be a positive ${integer ? 'integer' : 'number'}`, v);
  }
}

/** A number >= 0, or undefined. */
export function optionalNonNegative(v: unknown, who: string, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalidOption(who, field, 'must be a number >= 0', v);
}

/** A non-empty array of non-empty strings, or undefined. An empty list is refused (it would match nothing). */
export function optionalStringList(v: unknown, who: string, field: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) throw invalidOption(who, field, 'must be an array of strings', v);
  if (v.length === 0) throw invalidOption(who, field, 'is an empty list (it would accept nothing): leave it out or list values', v);
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s.trim() === '') throw invalidOption(who, `${field}[${i}]`, 'must be a non-empty string', s);
  });
}

/** A verification time: unix seconds, RFC 3339 text or a Date (util/time.ts checks the value itself). */
export function optionalTime(v: unknown, who: string, field: string): void {
  if (v === undefined || typeof v === 'number' || typeof v === 'string' || v instanceof Date) return;
  throw invalidOption(who, field, 'must be unix seconds, an RFC 3339 string or a Date', v);
}

/** One of `values` (compared with ===), or undefined. */
export function optionalOneOf<T>(v: unknown, who: string, field: string, values: readonly T[]): void {
  if (v !== undefined && !(values as readonly unknown[]).includes(v)) {
    throw invalidOption(who, field, `must be one of ${values.map((x) => String(x)).join(' | ')}`, v);
  }
}

/** A non-null, non-array object, or undefined. */
export function optionalObject(v: unknown, who: string, field: string, what = 'an object'): void {
  if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) throw invalidOption(who, field, `must be ${what}`, v);
}

/** An object with the named methods, or undefined (a backend, a source, a cache...). */
export function optionalWithMethods(v: unknown, who: string, field: string, methods: readonly string[], what: string): void {
  if (v === undefined) return;
  if (v === null || typeof v !== 'object' || methods.some((m) => typeof (v as Record<string, unknown>)[m] !== 'function')) {
    throw invalidOption(who, field, `must be ${what}`, v);
  }
}

/** A Uint8Array (of exactly `length` bytes when given), or undefined. */
export function optionalBytes(v: unknown, who: string, field: string, length?: number): void {
  if (v === undefined) return;
  if (!(v instanceof Uint8Array)) throw invalidOption(who, field, 'must be a Uint8Array', v);
  if (length !== undefined && v.length !== length) throw invalidOption(who, field, `must be ${length} bytes`, `${v.length} bytes`);
}

/** A `Clock` (util/time.ts), or undefined: a function, whose reading is unix seconds or a Date (milliseconds: InvalidArgument). */
export function optionalClock(v: unknown, who: string, field = 'clock'): void {
  if (v === undefined) return;
  if (typeof v !== 'function') throw invalidOption(who, field, 'must be a function returning unix seconds or a Date', v);
  readClock(v as Clock, who);
}
