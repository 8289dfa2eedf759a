export interface LoginThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Accounts tracked at most; the oldest entries make room, so guessing many names cannot fill memory. */
  maxAccounts?: number;
  now?: () => number;
}

/** Failed sign-ins per account in a sliding window; past the limit an account waits for the window to pass. */
export function loginThrottle({
  maxFailures = 5,
  windowMs = 15 * 60 * 1000,
  maxAccounts = 10_000,
  now = Date.now,
}: LoginThrottleOptions = {}) {
  const failures = new Map<string, number[]>();
  const recent = (account: string) => {
    const since = now() - windowMs;
    const times = (failures.get(account) ?? []).filter((atMs) => atMs > since);
    if (times.length === 0) failures.delete(account);
    else failures.set(account, times);
    return times;
  };
  return {
    /** Seconds the account must wait before its password is looked at again; 0 when it may try. */
    waitSeconds(account: string): number {
      const times = recent(account);
      if (times.length < maxFailures) return 0;
      return Math.max(1, Math.ceil((times[times.length - maxFailures]! + windowMs - now()) / 1000));
    },
    failed(account: string) {
      const times = recent(account);
      failures.delete(account);
      failures.set(account, [...times, now()]);
      if (failures.size > maxAccounts) failures.delete(failures.keys().next().value!);
    },
    succeeded(account: string) {
      failures.delete(account);
    },
  };
}

export type LoginThrottle = ReturnType<typeof loginThrottle>;
