export interface ScanError {
  reason: string;
  /** 0-based index into the input, in characters. */
  position: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ScanError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(reason: string, position: number): Result<T> {
  return { ok: false, error: { reason, position } };
}
