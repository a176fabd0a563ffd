// Backing up a drive: its whole device read into an image file (raw or compressed), with the SHA-256
// of the raw bytes and a sha256sum-format sidecar beside it, so the backup can be checked and flashed
// back later. Reading is harmless to the drive; the danger is the output, so the contract names where
// it may go (as an extraction's destination) and never replaces a file unless asked. Sizes in bytes.

export const backupCompressions = ['none', 'gzip', 'xz', 'zstd'] as const;
export type BackupCompression = (typeof backupCompressions)[number];

/** The file name ending each compression gets (and is recognised by). */
export const backupExtensions: Readonly<Record<BackupCompression, string>> = { none: '.img', gzip: '.gz', xz: '.xz', zstd: '.zst' };

/** The compression an output file name implies: .gz, .xz, .zst; anything else (.img, .iso, none) is raw. */
export function compressionForPath(path: string): BackupCompression {
  const lower = path.toLowerCase();
  if (lower.endsWith('.gz')) return 'gzip';
  if (lower.endsWith('.xz')) return 'xz';
  if (lower.endsWith('.zst')) return 'zstd';
  return 'none';
}

export interface BackupRequest {
  /** A drive id from `drives:list`; the engine looks it up in a fresh enumeration. */
  readonly driveId: string;
  /**
   * Absolute path of the image file to write. Through the contract it must lie in the home folder or
   * a folder chosen with `backup:pick-output` (`destination-not-allowed` otherwise), and never on the
   * drive being read (`invalid-request`).
   */
  readonly outputPath: string;
  readonly compression: BackupCompression;
  /** Replace an existing file at outputPath; without it an existing file is an `invalid-request`. */
  readonly overwrite?: boolean;
}

/** What a finished backup wrote (the `job:finished` result of kind `backup`). */
export interface BackupResult {
  readonly jobId: string;
  /** The block device read, e.g. /dev/sdb. */
  readonly device: string;
  readonly outputPath: string;
  readonly compression: BackupCompression;
  /** Bytes read from the device: its whole size. */
  readonly bytesRead: number;
  /** Bytes of the output file (after compression). */
  readonly bytesWritten: number;
  /** SHA-256 of the raw device bytes (the image before compression), computed while reading: what a flash of the backup reports. */
  readonly sha256Hex: string;
  /** SHA-256 of the output file's bytes as stored (compressed or not): what the sidecar lists, so `sha256sum -c` checks the file. */
  readonly fileSha256Hex: string;
  /** The sha256sum-format file written beside the output (`outputPath + '.sha256'`). */
  readonly sidecarPath: string;
  readonly elapsedMs: number;
}

/** The answer of `backup:pick-output`: the path the user chose in a native save dialog, or null when dismissed. */
export interface BackupPickOutputRequest {
  /** The file name the dialog proposes, e.g. "sdb-2026-12-04.img.zst". */
  readonly suggestedName: string;
}
