export interface KeepAliveWatchdog {
  /** Anything arrived from the server: data or a keep-alive. */
  heard(): void;
  stop(): void;
}

/** Calls `onSilent` once when the server has said nothing for `timeoutMs` (a hung server keeps its socket open). */
export function keepAliveWatchdog({
  timeoutMs,
  onSilent,
  now = Date.now,
}: {
  timeoutMs: number;
  onSilent: (silentMs: number) => void;
  now?: () => number;
}): KeepAliveWatchdog {
  let lastHeardMs = now();
  const timer = setInterval(
    () => {
      const silentMs = now() - lastHeardMs;
      if (silentMs < timeoutMs) return;
      clearInterval(timer);
      onSilent(silentMs);
    },
    Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4))),
  );
  return {
    heard: () => {
      lastHeardMs = now();
    },
    stop: () => clearInterval(timer),
  };
}
