export interface BackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Fraction of each delay that is randomised, so many edges don't retry in step. */
  jitter?: number;
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; grows exponentially up to maxDelayMs. */
  next(): number;
  reset(): void;
}

export function exponentialBackoff({
  initialDelayMs = 500,
  maxDelayMs = 30_000,
  jitter = 0.2,
  random = Math.random,
}: BackoffOptions = {}): Backoff {
  let attempt = 0;
  return {
    next() {
      const base = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
      attempt = Math.min(attempt + 1, 30);
      return Math.round(base * (1 - jitter * random()));
    },
    reset() {
      attempt = 0;
    },
  };
}
