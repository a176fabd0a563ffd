// Result<T>: how every call answers. Plain data only, so it survives structured clone (Electron IPC)
// and JSON (the web shell's WebSocket) unchanged.
import type { AppError } from './errors.ts';

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: AppError): Result<T> {
  return { ok: false, error };
}
