import { requestCancelled } from './errors';

/**
 * Resolves after `ms`, or rejects with a `cancelled` GenosError as soon as `signal` aborts (at
 * once when it already has). The one pause of the client: retry waits and the completion debounce.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(requestCancelled());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(requestCancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
