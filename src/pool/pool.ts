/**
 * createVerifierPool: `createVerifier` spread over worker threads (Node only,
 * `tee-attest/node`). Same verifyQuote API; each worker keeps its own crypto
 * backend and VerificationCache (byte-keyed, dates checked on every call), so
 * a platform's collateral and chain are verified once per worker.
 *
 * - Inputs are copied at the call (the quote's bytes into the pool's own
 *   copy, the collateral's fields once); `transfer: true` moves the quote's
 *   buffer instead (the caller's array is detached at the call).
 * - Tasks accepted in the same turn go to a worker in one message; a worker
 *   answers in batches, results encoded compactly (codec.ts). `result.quote`
 *   is parsed on first read from the pool's copy of the bytes the worker
 *   verified (issue #15: the pool thread's work per verification bounds how
 *   far the pool scales).
 * - Bounded: at most `workers × perWorker` tasks run and `maxQueue` wait;
 *   beyond that verifyQuote rejects with `PoolQueueFull`, and `ready()`
 *   resolves when there is room again (backpressure).
 * - Coded errors cross the thread boundary as the same AttestationError
 *   subclass with code and evidence; anything else is `VerifierUnavailable`.
 * - `close()` refuses new work (`PoolClosed`), lets accepted work finish, then
 *   stops the threads.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { attestationError } from '../errors.js';
import { sameCollateralFields, type CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { Quote } from '../quote/types.js';
import { parseQuote } from '../quote/parse.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { VerificationCacheOptions } from '../verify/cache.js';
import { toUnixSeconds, type TimeInput } from '../lib/time.js';
import { collateralFromSnapshot, collateralSnapshot, fromWire, type CollateralSnapshot, type ReplyBatch, type TaskBatch, type TaskExtra, type WireError, type WorkerSetup, OMIT_QUOTE, TASK_FIELDS, TaskField, trailingCode } from './messages.js';
import { ResultDecoder } from './codec.js';

export interface VerifierPoolOptions {
  /** Worker threads (default: the available parallelism, at least 1). */
  readonly workers?: number;
  /** Crypto backend each worker builds (a backend object cannot cross threads). Default 'node'. */
  readonly crypto?: 'node' | 'webcrypto' | 'noble';
  /** Trust anchor (65-byte uncompressed P-256 point). Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /** Sizes of each worker's VerificationCache. */
  readonly cache?: VerificationCacheOptions;
  /**
   * Tasks sent to one worker at a time (default 32). They travel in batches,
   * and the worker answers each time half of them are done, so the pool
   * refills it while it works on the rest: larger means fewer messages per
   * verification, smaller means less waiting behind a batch.
   */
  readonly perWorker?: number;
  /** Tasks waiting for a worker before verifyQuote refuses with PoolQueueFull (default 1024). */
  readonly maxQueue?: number;
}

export interface PoolVerifyOptions {
  readonly at: TimeInput;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /** Move the quote's ArrayBuffer to the worker instead of copying it (the caller's array is detached). */
  readonly transfer?: boolean;
}

export interface VerifierPool {
  readonly workers: number;
  /** Tasks accepted and not finished (running or queued). */
  readonly pending: number;
  verifyQuote(quote: Uint8Array | Quote, collateral: CollateralInput | Collateral, options: PoolVerifyOptions): Promise<VerifiedQuote>;
  /** Resolves when the queue has room (immediately if it has). */
  ready(): Promise<void>;
  /** Refuse new work, finish what was accepted, stop the threads. */
  close(): Promise<void>;
}

interface Task {
  readonly id: number;
  /** What the worker verifies: the pool's private copy of the bytes, a moved buffer, or a parsed Quote. */
  readonly quote: Uint8Array | Quote;
  /** Set when `quote` is the pool's private copy: `result.quote` is parsed from it here, on first read. */
  readonly own: boolean;
  readonly at: number;
  /** The call's own trailingBytes, if any. */
  readonly trailingBytes: 'reject' | 'zeros' | 'any' | undefined;
  /** The collateral's fields read at the call (byte fields copied), or undefined to send the input as is. */
  readonly snapshot: ReturnType<typeof collateralSnapshot>;
  readonly collateral: CollateralInput | Collateral;
  readonly transfer: boolean;
  readonly resolve: (v: VerifiedQuote) => void;
  readonly reject: (e: unknown) => void;
}

interface Sent {
  readonly json: boolean;
  /** Private copies (strings are immutable; byte fields were copied). */
  readonly values: readonly (string | Uint8Array | undefined)[];
  readonly ref: number;
}

interface Slot {
  worker: Worker;
  /** Reads this worker's encoded results (its tables follow the worker's). */
  decoder: ResultDecoder;
  readonly running: Map<number, Task>;
  /** Collateral snapshots this worker holds, most recent use first (at most SENT_MAX; the worker keeps more). */
  sent: Sent[];
}

const SENT_MAX = 4;

/** Same content, field by field: strings compare by content, byte fields byte for byte. */
function sameSnapshot(a: Sent, json: boolean, values: readonly (string | Uint8Array | undefined)[]): boolean {
  if (a.values === values) return a.json === json; // the pool's own private copy (immutable), taken once
  return a.json === json && sameCollateralFields(a.values, values);
}

function positiveInt(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw attestationError('InvalidArgument', `createVerifierPool: ${name} must be a positive integer`, {
      check: `options.${name}`,
      expected: 'integer >= 1',
      found: String(v),
    });
  }
  return v;
}

const BACKENDS = ['node', 'webcrypto', 'noble'] as const;
const TRAILING = ['reject', 'zeros', 'any'] as const;

export function createVerifierPool(options: VerifierPoolOptions = {}): VerifierPool {
  if (options === null || typeof options !== 'object') {
    throw attestationError('InvalidArgument', 'createVerifierPool: options must be an object', { check: 'options' });
  }
  const size = positiveInt(options.workers, 'workers', Math.max(1, availableParallelism()));
  const perWorker = positiveInt(options.perWorker, 'perWorker', 32);
  const maxQueue = positiveInt(options.maxQueue, 'maxQueue', 1024);
  const backend = options.crypto ?? 'node';
  if (!BACKENDS.includes(backend)) {
    throw attestationError('InvalidArgument', "createVerifierPool: crypto must be 'node', 'webcrypto' or 'noble'", {
      check: 'options.crypto',
      found: String(backend),
    });
  }
  if (options.trailingBytes !== undefined && !TRAILING.includes(options.trailingBytes)) {
    throw attestationError('InvalidArgument', "createVerifierPool: trailingBytes must be 'reject', 'zeros' or 'any'", {
      check: 'options.trailingBytes',
      found: String(options.trailingBytes),
    });
  }
  const root = options.rootPublicKey;
  if (root !== undefined && (!(root instanceof Uint8Array) || root.length !== 65 || root[0] !== 0x04)) {
    throw attestationError('InvalidArgument', 'createVerifierPool: rootPublicKey must be a 65-byte uncompressed P-256 point', {
      check: 'options.rootPublicKey',
    });
  }
  const setup: WorkerSetup = {
    backend,
    perWorker,
    ...(root === undefined ? {} : { rootPublicKey: root.slice() }),
    ...(options.trailingBytes === undefined ? {} : { trailingBytes: options.trailingBytes }),
    ...(options.cache === undefined ? {} : { cache: { ...options.cache } }),
  };

  const queue: (Task | undefined)[] = [];
  let head = 0; // queue[head..] wait (shifted in bulk, not one by one; the ones before are cleared)
  const waiters: (() => void)[] = [];
  let nextId = 1;
  let closing = false;
  let pending = 0;
  let pumpScheduled = false;
  /** The last collateral snapshot taken (reused while inputs keep the same content). */
  let lastSnapshot: CollateralSnapshot | undefined;
  let drained: (() => void) | undefined;
  let closed: Promise<void> | undefined;
  /** Accepted tasks beyond what the workers have room for (the ones a pump would leave queued). */
  const waiting = (): number => {
    let n = queue.length - head;
    for (let i = 0; i < slots.length; i++) n -= Math.max(0, perWorker - slots[i]!.running.size);
    return Math.max(0, n);
  };
  const poolTrailing = options.trailingBytes ?? 'zeros';

  const finish = (): void => {
    pending--;
    if (pending === 0 && drained !== undefined) drained();
  };

  const newWorker = (): Worker => new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });

  const settle = (slot: Slot, id: number, ok: boolean, value: unknown): void => {
    const task = slot.running.get(id);
    if (task === undefined) return;
    slot.running.delete(id);
    if (!ok) task.reject(fromWire(value as WireError));
    else if (!task.own) task.resolve(value as VerifiedQuote);
    else task.resolve(withQuote(value as Record<string, unknown>, task.quote as Uint8Array, task.trailingBytes ?? poolTrailing));
    finish();
  };

  const attach = (slot: Slot): void => {
    const w = slot.worker;
    w.on('message', (reply: ReplyBatch) => {
      if (slot.worker !== w) return;
      if (reply.results !== undefined) {
        const d = slot.decoder;
        try {
          d.begin(reply.results);
          while (!d.done) {
            const value = d.next();
            settle(slot, d.id, true, value);
          }
        } catch (e) {
          // Out of step with this worker (never expected): treat it as lost.
          lost(`unreadable reply (${e instanceof Error ? e.message : String(e)})`);
          void w.terminate();
          return;
        }
      }
      if (reply.other !== undefined) {
        for (const r of reply.other) settle(slot, r.id, r.ok, r.ok ? r.result : r.error);
      }
      pump();
    });
    let gone = false;
    const lost = (why: string): void => {
      if (gone || slot.worker !== w) return;
      gone = true;
      for (const task of slot.running.values()) {
        task.reject(attestationError('VerifierUnavailable', `verifier pool worker stopped: ${why}`, { check: 'pool.worker' }));
        finish();
      }
      slot.running.clear();
      if (!closing || head < queue.length) {
        // A replacement thread takes over the slot (it holds no collateral yet).
        slot.sent = [];
        slot.decoder = new ResultDecoder();
        slot.worker = newWorker();
        attach(slot);
      }
      pump();
    };
    w.on('error', (e) => lost(e instanceof Error ? e.message : String(e)));
    w.on('exit', (code) => {
      if (!closing || slot.running.size > 0) lost(`exit ${code}`);
    });
  };

  const spawn = (): Slot => {
    const slot: Slot = { worker: newWorker(), decoder: new ResultDecoder(), running: new Map(), sent: [] };
    attach(slot);
    return slot;
  };

  const slots: Slot[] = Array.from({ length: size }, spawn);

  let nextRef = 1;
  /**
   * How `task`'s collateral travels to `slot`: a collateral input this worker
   * already holds (same content, compared field by field) as its reference
   * only; a new one as a snapshot the worker keeps under a new reference.
   */
  function collateralFor(slot: Slot, task: Task): { ref: number; collateral?: CollateralInput | Collateral } {
    const snapshot = task.snapshot;
    if (snapshot === undefined) return { ref: -1, collateral: task.collateral };
    const sent = slot.sent;
    for (let i = 0; i < sent.length; i++) {
      const hit = sent[i]!;
      if (sameSnapshot(hit, snapshot.json, snapshot.values)) {
        if (i > 0) {
          sent.splice(i, 1);
          sent.unshift(hit);
        }
        return { ref: hit.ref };
      }
    }
    const ref = nextRef++;
    sent.unshift({ json: snapshot.json, values: snapshot.values, ref });
    if (sent.length > SENT_MAX) sent.length = SENT_MAX;
    return { ref, collateral: collateralFromSnapshot(snapshot) };
  }

  /** One message with `tasks` for `slot` (see TaskBatch). */
  function send(slot: Slot, tasks: readonly Task[]): void {
    const meta = new Float64Array(tasks.length * TASK_FIELDS);
    const quotes: Uint8Array[] = [];
    const extra: Record<number, TaskExtra> = {};
    const transfer: ArrayBuffer[] = [meta.buffer];
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      slot.running.set(t.id, t);
      const c = collateralFor(slot, t);
      const m = i * TASK_FIELDS;
      meta[m + TaskField.id] = t.id;
      meta[m + TaskField.at] = t.at;
      meta[m + TaskField.collateralRef] = c.ref;
      meta[m + TaskField.flags] = (t.own ? OMIT_QUOTE : 0) | trailingCode(t.trailingBytes);
      if (t.own) {
        // Copied by the message (the pool keeps its own copy for `result.quote`).
        meta[m + TaskField.quote] = quotes.push(t.quote as Uint8Array) - 1;
      } else {
        meta[m + TaskField.quote] = -1;
        if (t.transfer) transfer.push((t.quote as Uint8Array).buffer as ArrayBuffer);
      }
      if (!t.own || c.collateral !== undefined) {
        extra[i] = { ...(t.own ? {} : { quote: t.quote }), ...(c.collateral === undefined ? {} : { collateral: c.collateral }) };
      }
    }
    slot.worker.postMessage({ meta, quotes, extra } satisfies TaskBatch, transfer);
  }

  /** Fill every worker up to perWorker from the queue, one message per worker. */
  function pump(): void {
    pumpScheduled = false;
    if (head < queue.length) {
      for (const slot of slots) {
        let room = perWorker - slot.running.size;
        if (room <= 0) continue;
        // Spread what is waiting over the workers with room (a worker that has
        // just answered gets about its share, not everything).
        let free = 0;
        for (const s of slots) free += Math.max(0, perWorker - s.running.size);
        room = Math.min(room, Math.max(1, Math.ceil(((queue.length - head) * room) / free)));
        const end = Math.min(queue.length, head + room);
        const tasks = queue.slice(head, end);
        // Dropped from the queue at once: a task sent must not stay reachable from here.
        queue.fill(undefined, head, end);
        head = end;
        send(slot, tasks as Task[]);
        if (head === queue.length) break;
      }
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      } else if (head > 1024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
    }
    if (waiting() < maxQueue && waiters.length > 0) for (const w of waiters.splice(0)) w();
  }

  return {
    workers: size,
    get pending() {
      return pending;
    },
    verifyQuote(quote, collateral, callOptions) {
      if (closing) {
        return Promise.reject(attestationError('PoolClosed', 'the verifier pool is closed', { check: 'pool.closed' }));
      }
      if (callOptions === undefined || callOptions === null || callOptions.at === undefined) {
        return Promise.reject(attestationError('InvalidArgument', 'options.at (the verification time) is required', { check: 'options.at' }));
      }
      let at: number;
      try {
        at = toUnixSeconds(callOptions.at);
      } catch (e) {
        return Promise.reject(e);
      }
      if (!(quote instanceof Uint8Array) && (typeof quote !== 'object' || quote === null)) {
        return Promise.reject(
          attestationError('InvalidArgument', 'quote must be a Uint8Array or a parsed Quote', { check: 'arguments.quote', found: quote === null ? 'null' : typeof quote }),
        );
      }
      if (waiting() >= maxQueue) {
        return Promise.reject(
          attestationError('PoolQueueFull', `the verifier pool queue is full (${maxQueue} waiting): await pool.ready()`, {
            check: 'pool.queue',
            expected: `<= ${maxQueue} waiting`,
            found: String(waiting()),
          }),
        );
      }
      // A view into a larger buffer is copied to its own bytes (cloning would copy the whole buffer).
      let q = quote;
      let transfer = false;
      let own = false;
      if (q instanceof Uint8Array) {
        if (callOptions.transfer === true && q.buffer instanceof ArrayBuffer && q.byteOffset === 0 && q.byteLength === q.buffer.byteLength) {
          // Moved now (the caller's array is detached at the call, not when the task leaves the queue).
          q = new Uint8Array(structuredClone(q.buffer, { transfer: [q.buffer] }));
          transfer = true;
        } else {
          // A private copy, taken now: what the worker verifies and what
          // `result.quote` is parsed from (the worker does not send it back).
          q = q.slice();
          own = true;
        }
      }
      // Read the collateral's fields once, now (byte fields copied): the caller may change its object later.
      const snapshot = collateralSnapshot(collateral, lastSnapshot);
      if (snapshot !== undefined) lastSnapshot = snapshot;
      const trailingBytes = callOptions.trailingBytes;
      return new Promise<VerifiedQuote>((resolve, reject) => {
        pending++;
        queue.push({ id: nextId++, quote: q, own, at, trailingBytes, snapshot, collateral, transfer, resolve, reject });
        // Tasks accepted in the same turn go to a worker in one message.
        if (!pumpScheduled) {
          pumpScheduled = true;
          queueMicrotask(pump);
        }
      });
    },
    ready() {
      if (waiting() < maxQueue) return Promise.resolve();
      return new Promise<void>((ok) => waiters.push(ok));
    },
    close() {
      if (closed === undefined) {
        closing = true;
        closed = (async () => {
          if (pending > 0) await new Promise<void>((ok) => (drained = ok));
          await Promise.all(slots.map((s) => s.worker.terminate()));
        })();
      }
      return closed;
    },
  };
}

/** Where a pool result keeps what its `quote` is parsed from (module-private, not enumerable). */
const QUOTE_SOURCE = Symbol('pool quote source');
interface QuoteSource {
  readonly bytes: Uint8Array;
  readonly trailingBytes: 'reject' | 'zeros' | 'any';
}
type WithSource = Record<string | symbol, unknown> & { [QUOTE_SOURCE]: QuoteSource };

function dataProperty(value: unknown): PropertyDescriptor {
  return { value, writable: true, enumerable: true, configurable: true };
}

/**
 * `quote` of a pool result: an own enumerable accessor, so that spreading,
 * comparing, cloning or JSON-encoding the result sees a plain `quote` field.
 * Read, it parses the pool's private copy of the bytes the worker verified
 * (the same deterministic parse, same trailingBytes mode, which succeeded
 * there) and becomes a data property holding that Quote; assigned, it becomes
 * a data property holding the value. One shared accessor pair (no closure per
 * result keeps the result object's fast layout).
 */
const QUOTE_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: WithSource) {
    const src = this[QUOTE_SOURCE];
    const quote = parseQuote(src.bytes, { trailingBytes: src.trailingBytes });
    Object.defineProperty(this, 'quote', dataProperty(quote));
    return quote;
  },
  set(this: WithSource, value: unknown) {
    Object.defineProperty(this, 'quote', dataProperty(value));
  },
};

/** Reused for every result (one thread; its value is cleared after each use). */
const SOURCE_PROPERTY: PropertyDescriptor = { value: undefined, writable: false, enumerable: false, configurable: false };

/** The worker's result with `quote` added back (last, as createVerifier's result has it), parsed on first read. */
function withQuote(result: Record<string, unknown>, bytes: Uint8Array, trailingBytes: 'reject' | 'zeros' | 'any'): VerifiedQuote {
  SOURCE_PROPERTY.value = { bytes, trailingBytes } satisfies QuoteSource;
  Object.defineProperty(result, QUOTE_SOURCE, SOURCE_PROPERTY);
  SOURCE_PROPERTY.value = undefined;
  Object.defineProperty(result, 'quote', QUOTE_ACCESSOR);
  return result as unknown as VerifiedQuote;
}
