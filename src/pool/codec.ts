/**
 * How a pool worker's results reach the pool compactly (issue #15: reading a
 * structured clone or a JSON text of every result allocated ~7 kB on the
 * pool's thread per verification, and its garbage collection cost more than
 * the rest of the pool's work).
 *
 * Results of one platform repeat the same skeleton (keys, array lengths, the
 * type of each value) and most of their strings (statuses, check names, PCK,
 * QE and TCB claims). So a worker sends each skeleton once (a shape, by
 * number), each distinct string once (by number), and then per result only
 * its numbers in a Float64Array: the shape number, then its values in order
 * (a string as its number, a boolean as 0 or 1, a number as itself, -0 and
 * NaN included). The pool's thread rebuilds a fresh result from that: new
 * objects and arrays, the same keys in the same order, the same values,
 * `undefined` values included, sharing only the strings (immutable).
 *
 * Both tables are per worker and bounded: when one grows past its limit the
 * worker clears its tables after the batch and marks its next batch `reset`,
 * and the pool clears its copy before reading that batch (messages from one
 * worker arrive in order). Anything else than plain data (bytes, a parsed
 * quote, class instances, holes, cycles) is not encoded: the worker sends
 * that result by structured clone.
 */

/** A value's skeleton: an object (keys in enumeration order), a fixed-length array, or a leaf type. */
export type Shape =
  | { readonly o: readonly string[]; readonly kids: readonly Shape[] }
  | { readonly a: readonly Shape[] }
  | 's' // string: its number in the string table
  | 'n' // number
  | 'b' // boolean: 0 or 1
  | 'z' // null (no value in the tape)
  | 'u'; // undefined (no value in the tape)

/** One batch of encoded results: per result its id, its shape number and its values. */
export interface EncodedResults {
  readonly tape: Float64Array;
  /** The tables were cleared before this batch (on both sides). */
  readonly reset?: true;
  /** New strings, numbered from `stringBase` on. */
  readonly strings?: readonly string[];
  readonly stringBase?: number;
  /** New shapes, numbered from `shapeBase` on. */
  readonly shapes?: readonly Shape[];
  readonly shapeBase?: number;
}

const MAX_STRINGS = 4096;
const MAX_SHAPES = 64;
const MAX_DEPTH = 32;

function isPlainObject(v: object): boolean {
  return Object.getPrototypeOf(v) === Object.prototype;
}

/** The shape of `v` (without its own key `omit`, if given), or undefined when it is not plain data. */
function shapeOf(v: unknown, depth: number, seen: Set<object>, omit?: string): Shape | undefined {
  switch (typeof v) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'undefined':
      return 'u';
    case 'object': {
      if (v === null) return 'z';
      if (depth > MAX_DEPTH || seen.has(v)) return undefined;
      seen.add(v);
      let out: Shape | undefined;
      if (Array.isArray(v)) {
        const kids: Shape[] = [];
        for (let i = 0; i < v.length; i++) {
          const k = i in v ? shapeOf(v[i], depth + 1, seen) : undefined;
          if (k === undefined) return undefined;
          kids.push(k);
        }
        out = { a: kids };
      } else if (isPlainObject(v)) {
        const keys: string[] = [];
        const kids: Shape[] = [];
        const o = v as Record<string, unknown>;
        for (const key in o) {
          if (key === omit) continue;
          // (an own `__proto__` key could not be set back by assignment)
          if (key === '__proto__' || !Object.prototype.hasOwnProperty.call(o, key)) return undefined;
          const k = shapeOf(o[key], depth + 1, seen);
          if (k === undefined) return undefined;
          keys.push(key);
          kids.push(k);
        }
        out = { o: keys, kids };
      }
      seen.delete(v);
      return out;
    }
    default:
      return undefined;
  }
}

/** Worker side: one per worker. */
export class ResultEncoder {
  private strings = new Map<string, number>();
  private shapes: Shape[] = [];
  /** The batch's numbers: `tape[0..len)` (grown by doubling, copied out by `take`). */
  private tape = new Float64Array(1024);
  private len = 0;
  private newStrings: string[] = [];
  private stringBase = 0;
  private shapeBase = 0;
  private reset = false;

  /**
   * Adds `value` under `id` to the batch, without its own key `omit` if given
   * (the worker leaves out `quote` this way instead of copying the result);
   * false (nothing added) when it is not plain data.
   */
  add(id: number, value: unknown, omit?: string): boolean {
    const mark = this.len;
    // Most recent shapes first: a platform's results keep to one or two.
    for (let n = this.shapes.length - 1; n >= this.shapes.length - 4 && n >= 0; n--) {
      this.push(id);
      this.push(n);
      if (this.put(this.shapes[n]!, value, omit)) return true;
      // Not this shape: undo (strings it added stay: they are valid entries).
      this.len = mark;
    }
    const s = shapeOf(value, 0, new Set(), omit);
    if (s === undefined) return false;
    const n = this.shapes.push(s) - 1;
    this.push(id);
    this.push(n);
    this.put(s, value, omit);
    return true;
  }

  private push(x: number): void {
    if (this.len === this.tape.length) {
      const bigger = new Float64Array(this.tape.length * 2);
      bigger.set(this.tape);
      this.tape = bigger;
    }
    this.tape[this.len++] = x;
  }

  /** Writes `v`'s values (an object without its key `omit`) if it has exactly shape `s` (else false, part written). */
  private put(s: Shape, v: unknown, omit?: string): boolean {
    switch (s) {
      case 's': {
        if (typeof v !== 'string') return false;
        let n = this.strings.get(v);
        if (n === undefined) {
          n = this.strings.size;
          this.strings.set(v, n);
          this.newStrings.push(v);
        }
        this.push(n);
        return true;
      }
      case 'n':
        if (typeof v !== 'number') return false;
        this.push(v);
        return true;
      case 'b':
        if (typeof v !== 'boolean') return false;
        this.push(v ? 1 : 0);
        return true;
      case 'z':
        return v === null;
      case 'u':
        return v === undefined;
    }
    if (typeof v !== 'object' || v === null) return false;
    if ('a' in s) {
      if (!Array.isArray(v) || v.length !== s.a.length) return false;
      for (let i = 0; i < v.length; i++) if (!(i in v) || !this.put(s.a[i]!, v[i])) return false;
      return true;
    }
    if (Array.isArray(v) || !isPlainObject(v)) return false;
    const o = v as Record<string, unknown>;
    let i = 0;
    for (const key in o) {
      if (key === omit) continue;
      if (i >= s.o.length || key !== s.o[i] || !Object.prototype.hasOwnProperty.call(o, key) || !this.put(s.kids[i]!, o[key])) return false;
      i++;
    }
    return i === s.o.length;
  }

  /** The batch so far (undefined if empty); the next batch starts afresh. */
  take(): EncodedResults | undefined {
    if (this.len === 0) return undefined;
    const out: EncodedResults = {
      tape: this.tape.slice(0, this.len),
      ...(this.reset ? { reset: true as const } : {}),
      ...(this.newStrings.length === 0 ? {} : { strings: this.newStrings, stringBase: this.stringBase }),
      ...(this.shapes.length === this.shapeBase ? {} : { shapes: this.shapes.slice(this.shapeBase), shapeBase: this.shapeBase }),
    };
    this.len = 0;
    this.newStrings = [];
    this.reset = false;
    if (this.strings.size > MAX_STRINGS || this.shapes.length > MAX_SHAPES) {
      this.strings.clear();
      this.shapes = [];
      this.reset = true;
    }
    this.stringBase = this.strings.size;
    this.shapeBase = this.shapes.length;
    return out;
  }
}

/** Pool side: one per worker (a replacement worker gets a new one). */
export class ResultDecoder {
  private strings: string[] = [];
  private shapes: Shape[] = [];
  private tape: Float64Array = new Float64Array(0);
  private pos = 0;

  /** Reads a batch's tables; then `next()` returns its results one by one until `done`. */
  begin(batch: EncodedResults): void {
    if (batch.reset === true) {
      this.strings = [];
      this.shapes = [];
    }
    if (batch.strings !== undefined) {
      if (batch.stringBase !== this.strings.length) throw new Error('pool result strings out of step');
      for (const s of batch.strings) this.strings.push(s);
    }
    if (batch.shapes !== undefined) {
      if (batch.shapeBase !== this.shapes.length) throw new Error('pool result shapes out of step');
      for (const s of batch.shapes) this.shapes.push(s);
    }
    this.tape = batch.tape;
    this.pos = 0;
  }

  get done(): boolean {
    return this.pos >= this.tape.length;
  }

  /** The id of the result `next()` returned last. */
  id = 0;

  next(): unknown {
    this.id = this.tape[this.pos++]!;
    const shape = this.shapes[this.tape[this.pos++]!];
    if (shape === undefined) throw new Error('pool result shape unknown');
    return this.build(shape);
  }

  private build(s: Shape): unknown {
    switch (s) {
      case 's': {
        const v = this.strings[this.tape[this.pos++]!];
        if (v === undefined) throw new Error('pool result string unknown');
        return v;
      }
      case 'n':
        return this.tape[this.pos++];
      case 'b':
        return this.tape[this.pos++] === 1;
      case 'z':
        return null;
      case 'u':
        return undefined;
    }
    if ('a' in s) {
      const a: unknown[] = [];
      for (let i = 0; i < s.a.length; i++) a.push(this.build(s.a[i]!));
      return a;
    }
    const o: Record<string, unknown> = {};
    for (let i = 0; i < s.o.length; i++) o[s.o[i]!] = this.build(s.kids[i]!);
    return o;
  }
}
