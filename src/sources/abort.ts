/**
 * AbortSignal helpers (no AbortSignal.any: not in every runtime this library
 * targets). Aborts surface as AttestationError CollateralFetch.
 */
import { AttestationError, attestationError } from '../errors.js';

export function abortedError(check: string, what: string): AttestationError {
  return attestationError('CollateralFetch', `${what} aborted by the caller`, { check, found: 'aborted' });
}

/** Resolve / reject with `p`, or reject with CollateralFetch as soon as `signal` aborts. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined, check: string, what: string): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(abortedError(check, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(check, what));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Abort `controller` when `parent` aborts. Returns the function that undoes the link. */
export function linkSignal(parent: AbortSignal | undefined, controller: AbortController): () => void {
  if (parent === undefined) return () => undefined;
  if (parent.aborted) {
    controller.abort(parent.reason);
    return () => undefined;
  }
  const onAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return () => parent.removeEventListener('abort', onAbort);
}

/**
 * Settle with `p`, or reject with CollateralFetch (`check`, found 'timeout')
 * after `ms`. The timer never outlives the race. `p` keeps running (a store
 * read cannot be cancelled) but nobody waits for it any more; its late
 * rejection is swallowed.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, check: string, what: string): Promise<T> {
  p.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(attestationError('CollateralFetch', `${what}: no answer within ${ms} ms`, { check, expected: `<= ${ms} ms`, found: 'timeout' })),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
