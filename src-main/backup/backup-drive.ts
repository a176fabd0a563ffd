// A backup: a whole drive read into an image file, raw or compressed, in one pass and bounded memory.
// The device's chunks go through a SHA-256 of the image bytes, the compressor and a SHA-256 of the file
// bytes into `FILE.partial`; only a complete, flushed file is renamed to FILE, so a failure or a cancel
// never leaves a file that looks complete (the partial one is removed). Then FILE.sha256 is written in
// sha256sum's format ("<hex>  <name>"): it names the file, so its digest is the file's, and
// `sha256sum -c FILE.sha256` checks the backup as stored; the image bytes' digest is in the result.
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupCompression, BackupResult } from '../../shared/backup.ts';
import { createHashGroup, type HashGroup } from '../checksum/hash-group.ts';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import { createCompressor } from './compressors.ts';
import type { DeviceBytes } from './device-reader.ts';

export interface BackupTarget {
  readonly jobId: string;
  /** The device being read, for the result and the messages. */
  readonly device: string;
  readonly outputPath: string;
  readonly compression: BackupCompression;
}

export interface BackupControls {
  readonly signal: AbortSignal;
  /** Device bytes read so far, of the device's size. */
  readonly onProgress: (bytesRead: number, sizeBytes: number) => void;
}

/** The sidecar's path beside the image file. */
export function sidecarPathOf(outputPath: string): string {
  return `${outputPath}.sha256`;
}

/**
 * Writes `bytes` (already opened; the caller checked the output with checkBackupOutput) to the output.
 * Resolves with what was written; throws CancelledError on cancel and a CodedError otherwise, and in both
 * cases the partial file is gone.
 */
export async function writeBackup(bytes: DeviceBytes, target: BackupTarget, controls: BackupControls): Promise<BackupResult> {
  const startedMs = performance.now();
  const partialPath = `${target.outputPath}.partial`;
  const imageHash = createHashGroup(['sha256']);
  const fileHash = createHashGroup(['sha256']);
  let bytesRead = 0;
  let bytesWritten = 0;
  // A stale partial file of an earlier run is ours to replace; 'wx' then refuses anything planted meanwhile.
  await rm(partialPath, { force: true });
  try {
    const countRead = (chunk: Uint8Array): void => {
      bytesRead += chunk.length;
      controls.onProgress(bytesRead, bytes.sizeBytes);
    };
    const countWritten = (chunk: Uint8Array): void => {
      bytesWritten += chunk.length;
    };
    // flush: fsync before close, so the rename below publishes bytes that are on the disk.
    const file = createWriteStream(partialPath, { flags: 'wx', mode: 0o644, flush: true });
    await pipeline(bytes.chunks, hashingTap(imageHash, countRead), createCompressor(target.compression), hashingTap(fileHash, countWritten), file, {
      signal: controls.signal,
    });
    if (bytesRead !== bytes.sizeBytes) throw new CodedError('read-failed', `${target.device}: read ${bytesRead} of its ${bytes.sizeBytes} bytes`);
    await rename(partialPath, target.outputPath);
  } catch (error) {
    await bytes.close();
    await rm(partialPath, { force: true });
    throw controls.signal.aborted ? new CancelledError(`the backup of ${target.device}`) : backupFailure(error, target.outputPath);
  }
  const fileSha256Hex = fileHash.digest().sha256 ?? '';
  const sidecarPath = sidecarPathOf(target.outputPath);
  await writeFile(sidecarPath, sha256sumLine(fileSha256Hex, basename(target.outputPath)), { mode: 0o644 });
  return {
    jobId: target.jobId,
    device: target.device,
    outputPath: target.outputPath,
    compression: target.compression,
    bytesRead,
    bytesWritten,
    sha256Hex: imageHash.digest().sha256 ?? '',
    fileSha256Hex,
    sidecarPath,
    elapsedMs: Math.round(performance.now() - startedMs),
  };
}

/**
 * One line of sha256sum's output for `name`: "<hex>  <name>". A name holding a backslash or a line break
 * is escaped as GNU coreutils does (the line starts with a backslash; \\, \n and \r inside the name), so
 * `sha256sum -c` finds the file whatever it is called.
 */
export function sha256sumLine(hex: string, name: string): string {
  if (!/[\\\n\r]/.test(name)) return `${hex}  ${name}\n`;
  const escaped = name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${hex}  ${escaped}\n`;
}

/** Passes chunks through unchanged, feeding each to `hash` and `count` on the way. */
function hashingTap(hash: HashGroup, count: (chunk: Uint8Array) => void): Transform {
  return new Transform({
    transform(chunk: Uint8Array, _encoding: BufferEncoding, done: TransformCallback) {
      hash.update(chunk);
      count(chunk);
      done(null, chunk);
    },
  });
}

/** A full or failing destination as the contract names it; the device's own failures keep their code. */
function backupFailure(error: unknown, outputPath: string): unknown {
  if (error instanceof CodedError) return error;
  const code = error instanceof Error && 'code' in error ? error.code : null;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new CodedError('no-space', `writing ${outputPath}: ${(error as Error).message}`, { path: outputPath });
  }
  return error;
}
