/**
 * Worker-thread side of a VerifierPool: one long-lived verifier (its own
 * crypto backend and VerificationCache) per thread, fed by the pool.
 *
 * Tasks arrive in batches and start in order (a collateral reference always
 * follows the task that brought the collateral), one at a time (several for
 * WebCrypto). Replies go
 * back in batches too: as soon as half of the pool's perWorker results are
 * ready (the pool refills the worker while it finishes the rest), and when
 * the worker has nothing left to run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nodeBackend } from '../crypto/node.js';
import { nobleBackend } from '../crypto/noble.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
import { createVerifier } from '../verify/verifier.js';
import { attestationError } from '../errors.js';
import { TASK_FIELDS, taskOf, toWire, type ReplyMessage, type TaskBatch, type TaskMessage, type WorkerSetup } from './messages.js';
import { ResultEncoder } from './codec.js';

const setup = workerData as WorkerSetup;
const crypto = setup.backend === 'noble' ? nobleBackend() : setup.backend === 'webcrypto' ? webCryptoBackend() : nodeBackend();
const verifier = createVerifier({
  crypto,
  ...(setup.rootPublicKey === undefined ? {} : { rootPublicKey: setup.rootPublicKey }),
  ...(setup.trailingBytes === undefined ? {} : { trailingBytes: setup.trailingBytes }),
  ...(setup.cache === undefined ? {} : { cache: setup.cache }),
});
const flushAt = Math.max(1, setup.perWorker >> 1);

/**
 * Collateral snapshots by the pool's reference, least recently used first.
 * The pool assumes its worker holds the snapshots of its SENT_MAX most recent
 * uses; this map keeps the HELD_MAX (> SENT_MAX) most recent uses, in the same
 * order (a use moves its entry to the end), so it always holds those.
 */
const held = new Map<number, NonNullable<TaskMessage['collateral']>>();
const HELD_MAX = 8;

const inbox: TaskMessage[] = [];
let running = false;
/** Ready results: encoded (plain data), and the replies sent by structured clone. */
const encoder = new ResultEncoder();
let encoded = 0;
let other: ReplyMessage[] = [];

function flush(): void {
  const results = encoder.take();
  if (results === undefined && other.length === 0) return;
  parentPort!.postMessage(
    { ...(results === undefined ? {} : { results }), ...(other.length === 0 ? {} : { other }) },
    results === undefined ? [] : [results.tape.buffer as ArrayBuffer],
  );
  encoded = 0;
  other = [];
}

async function runOne(task: TaskMessage): Promise<void> {
  let collateral = task.collateral;
  if (task.collateralRef !== undefined) {
    if (collateral === undefined) collateral = held.get(task.collateralRef);
    if (collateral !== undefined) {
      held.delete(task.collateralRef);
      held.set(task.collateralRef, collateral);
      if (held.size > HELD_MAX) held.delete(held.keys().next().value as number);
    }
  }
  try {
    if (collateral === undefined) {
      throw attestationError('VerifierUnavailable', 'verifier pool worker lost a collateral reference', { check: 'pool.worker' });
    }
    const result = await verifier.verifyQuote(task.quote, collateral, {
      at: task.at,
      ...(task.trailingBytes === undefined ? {} : { trailingBytes: task.trailingBytes }),
    });
    if (task.omitQuote !== true) {
      other.push({ id: task.id, ok: true, result });
      return;
    }
    // The pool parses its own copy of the quote bytes: leave the parsed quote out
    // (skipped by the encoder; a copy without it only for a result sent by structured clone).
    if (encoder.add(task.id, result, 'quote')) encoded++;
    else {
      const { quote: _quote, ...rest } = result;
      other.push({ id: task.id, ok: true, result: rest as typeof result });
    }
  } catch (e) {
    other.push({ id: task.id, ok: false, error: toWire(e) });
  }
}

/**
 * Tasks in flight at once: one for the synchronous backends (node:crypto,
 * noble), so that results are ready, and sent, in order; several for
 * WebCrypto, whose signature checks run on libuv's thread pool.
 */
const lanes = setup.backend === 'webcrypto' ? 8 : 1;

async function drain(): Promise<void> {
  running = true;
  let next = 0;
  const lane = async (): Promise<void> => {
    // Each task's collateral reference is resolved before the next task starts (runOne's first step).
    while (next < inbox.length) {
      await runOne(inbox[next++]!);
      if (encoded + other.length >= flushAt) flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    inbox.length = 0;
    running = false;
    flush();
  }
}

parentPort!.on('message', (batch: TaskBatch) => {
  const n = batch.meta.length / TASK_FIELDS;
  for (let i = 0; i < n; i++) inbox.push(taskOf(batch, i));
  // Start on the next turn of the event loop: the batches already waiting at
  // the port are read first, so that they run (and are answered) together.
  if (!running) {
    running = true;
    setImmediate(() => void drain());
  }
});
