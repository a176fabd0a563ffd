// A backup's file name: proposed from the drive and the day, and its ending kept in step with the
// compression chosen (shared/backup.ts names the endings).
import { backupExtensions, compressionForPath, type BackupCompression } from '../../shared/backup.ts';
import type { Drive } from '../../shared/drive.ts';

/** A file name for a drive's backup: its kernel name and today's date ("sdb-2026-12-04.img"). */
export function suggestedBackupName(drive: Pick<Drive, 'device'>, compression: BackupCompression, nowMs: number): string {
  const name = drive.device.split('/').pop() ?? 'drive';
  const day = new Date(nowMs).toISOString().slice(0, 10);
  return compression === 'none' ? `${name}-${day}.img` : `${name}-${day}.img${backupExtensions[compression]}`;
}

/** `path` with its compression ending replaced by `compression`'s (a raw image keeps its own ending). */
export function withCompressionEnding(path: string, compression: BackupCompression): string {
  const current = compressionForPath(path);
  const stem = current === 'none' ? path : path.slice(0, -backupExtensions[current].length);
  if (compression === 'none') return stem;
  return `${stem}${backupExtensions[compression]}`;
}
