/**
 * createVerifierPool: `createVerifier` spread over worker threads (Node only,
 * `tee-attest/node`). Same verifyQuote API; each worker keeps its own crypto
 * backend and VerificationCache (byte-keyed, dates checked on every call), so
 * a platform's collateral and chain are verified once per worker.
 *
 * - Inputs are structured-cloned (copied); `transfer: true` moves the quote's
 *   buffer to the worker instead (the caller's array is detached).
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
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { Quote } from '../quote/types.js';
import { parseQuote } from '../quote/parse.js';
import type { VerifiedQuote } from '../verify/result.js';
import type { VerificationCacheOptions } from '../verify/cache.js';
import { toUnixSeconds, type TimeInput } from '../lib/time.js';
import { collateralFromSnapshot, collateralSnapshot, fromWire, type ReplyMessage, type TaskMessage, type WorkerSetup } from './messages.js';
import { sameBytes } from '../lib/bytes.js';

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
  /** Tasks sent to one worker at a time (default 4: keeps it busy across message hops). */
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
  readonly message: TaskMessage;
  readonly transfer: ArrayBuffer[];
  /** The pool's private copy of the quote bytes the worker verifies, parsed here for `result.quote`. */
  readonly own?: { readonly bytes: Uint8Array; readonly trailingBytes: 'reject' | 'zeros' | 'any' };
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
  readonly running: Map<number, Task>;
  /** Collateral snapshots this worker holds, most recent first (at most SENT_MAX; the worker keeps more). */
  sent: Sent[];
}

const SENT_MAX = 4;

/** Same content, field by field: strings compare by content, byte fields byte for byte. */
function sameSnapshot(a: Sent, json: boolean, values: readonly (string | Uint8Array | undefined)[]): boolean {
  if (a.json !== json || a.values.length !== values.length) return false;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const y = a.values[i];
    if (x === y) continue;
    if (x instanceof Uint8Array && y instanceof Uint8Array && sameBytes(x, y)) continue;
    return false;
  }
  return true;
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
  const perWorker = positiveInt(options.perWorker, 'perWorker', 4);
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
    ...(root === undefined ? {} : { rootPublicKey: root.slice() }),
    ...(options.trailingBytes === undefined ? {} : { trailingBytes: options.trailingBytes }),
    ...(options.cache === undefined ? {} : { cache: { ...options.cache } }),
  };

  const queue: Task[] = [];
  const waiters: (() => void)[] = [];
  let nextId = 1;
  let closing = false;
  let pending = 0;
  let drained: (() => void) | undefined;
  let closed: Promise<void> | undefined;

  const finish = (): void => {
    pending--;
    if (queue.length < maxQueue) for (const w of waiters.splice(0)) w();
    if (pending === 0 && drained !== undefined) drained();
  };

  const newWorker = (): Worker => new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });

  const attach = (slot: Slot): void => {
    const w = slot.worker;
    w.on('message', (reply: ReplyMessage) => {
      const task = slot.running.get(reply.id);
      if (task === undefined) return;
      slot.running.delete(reply.id);
      if (!reply.ok) task.reject(fromWire(reply.error));
      else if (task.own === undefined) task.resolve(reply.result);
      else {
        // The same deterministic parse the worker ran, of the same private bytes.
        try {
          task.resolve({ ...reply.result, quote: parseQuote(task.own.bytes, { trailingBytes: task.own.trailingBytes }) });
        } catch (e) {
          task.reject(e);
        }
      }
      finish();
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
      if (!closing) {
        // A replacement thread takes over the slot (it holds no collateral yet).
        slot.sent = [];
        slot.worker = newWorker();
        attach(slot);
        pump();
      }
    };
    w.on('error', (e) => lost(e instanceof Error ? e.message : String(e)));
    w.on('exit', (code) => {
      if (!closing || slot.running.size > 0) lost(`exit ${code}`);
    });
  };

  const spawn = (): Slot => {
    const slot: Slot = { worker: newWorker(), running: new Map(), sent: [] };
    attach(slot);
    return slot;
  };

  const slots: Slot[] = Array.from({ length: size }, spawn);

  let nextRef = 1;
  /**
   * The message for `slot`: a collateral input this worker already holds (same
   * content, compared field by field) travels as its reference only; a new one
   * travels as a snapshot the worker keeps.
   */
  function withCollateral(slot: Slot, task: Task): TaskMessage {
    const { snapshot, ...message } = task.message as TaskMessage & { snapshot?: ReturnType<typeof collateralSnapshot> };
    if (snapshot === undefined) return message;
    const hit = slot.sent.find((x) => sameSnapshot(x, snapshot.json, snapshot.values));
    if (hit !== undefined) {
      slot.sent = [hit, ...slot.sent.filter((x) => x !== hit)];
      return { ...message, collateralRef: hit.ref };
    }
    const ref = nextRef++;
    slot.sent = [{ json: snapshot.json, values: snapshot.values, ref }, ...slot.sent].slice(0, SENT_MAX);
    return { ...message, collateral: collateralFromSnapshot(snapshot), collateralRef: ref };
  }

  function pump(): void {
    while (queue.length > 0) {
      let best: Slot | undefined;
      for (const s of slots) if (s.running.size < perWorker && (best === undefined || s.running.size < best.running.size)) best = s;
      if (best === undefined) return;
      const task = queue.shift()!;
      best.running.set(task.message.id, task);
      best.worker.postMessage(withCollateral(best, task), task.transfer);
    }
    if (queue.length < maxQueue) for (const w of waiters.splice(0)) w();
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
      if (queue.length >= maxQueue) {
        return Promise.reject(
          attestationError('PoolQueueFull', `the verifier pool queue is full (${maxQueue} waiting): await pool.ready()`, {
            check: 'pool.queue',
            expected: `<= ${maxQueue} waiting`,
            found: String(queue.length),
          }),
        );
      }
      // A view into a larger buffer is copied to its own bytes (cloning would copy the whole buffer).
      let q = quote;
      const transfer: ArrayBuffer[] = [];
      let own: Task['own'];
      if (q instanceof Uint8Array) {
        if (callOptions.transfer === true && q.buffer instanceof ArrayBuffer && q.byteOffset === 0 && q.byteLength === q.buffer.byteLength) {
          transfer.push(q.buffer);
        } else {
          // A private copy, taken now: what the worker verifies and what
          // `result.quote` is parsed from (the worker does not send it back).
          q = q.slice();
          own = { bytes: q, trailingBytes: callOptions.trailingBytes ?? options.trailingBytes ?? 'zeros' };
        }
      }
      // Read the collateral's fields once, now (byte fields copied): the caller may change its object later.
      const snapshot = collateralSnapshot(collateral);
      const message: TaskMessage & { snapshot?: typeof snapshot } = {
        id: nextId++,
        quote: q,
        ...(snapshot === undefined ? { collateral } : { snapshot }),
        at,
        ...(callOptions.trailingBytes === undefined ? {} : { trailingBytes: callOptions.trailingBytes }),
        ...(own === undefined ? {} : { omitQuote: true }),
      };
      return new Promise<VerifiedQuote>((resolve, reject) => {
        pending++;
        queue.push({ message, transfer, ...(own === undefined ? {} : { own }), resolve, reject });
        pump();
      });
    },
    ready() {
      if (queue.length < maxQueue) return Promise.resolve();
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
