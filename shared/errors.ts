// The error vocabulary shared by the engine and every shell. The renderer turns a code into words
// (src-renderer/messages.ts); `message` is for developers and logs and carries the numbers.

export const errorCodes = [
  'invalid-request', // the argument of a call failed validation at the boundary
  'unknown-call', // a method name the contract does not list
  'forbidden', // the caller is not allowed (wrong sender frame, missing token, foreign origin)
  'confirmation-required', // a destructive or trust-changing call without a valid engine-issued confirmation
  'not-found', // the named file does not exist
  'not-a-file', // the path names a directory or something else that is not a regular file or device
  'not-an-image', // a readable file in which Isotope recognises no image format
  'permission-denied', // the OS refused access
  'eject-failed', // the OS would not eject the drive (busy, or no tool to do it)
  'unsupported', // the shell or platform cannot do this (e.g. a native file dialog in the web shell)
  // Downloads (src-main/net/, issue 19); the message names the URL (and the numbers):
  'http-status', // the server answered an HTTP error status (404, 500, ...); the message names the status and URL
  'too-many-redirects', // more redirects than the limit (10); the message names the chain's last URL
  'insecure-redirect', // an https URL redirected to http (a downgrade): refused
  'unsupported-url', // not an http:// or https:// URL, or a malformed one
  'network', // the server could not be reached or the connection failed (DNS, refused, reset, proxy); the message names the host and the system's code
  'tls', // the TLS handshake failed (untrusted or expired certificate, wrong host name); the message names the host and the reason
  'length-mismatch', // fewer (or more) bytes arrived than Content-Length announced; the message gives both
  'http-framing', // a malformed answer: its head (status line, header fields, over 64 KiB) or its body's framing (conflicting lengths, a bad chunk); the message names the byte of the answer
  'bad-content-range', // a 206 whose Content-Range does not start at the offset asked or names another total
  'changed-on-server', // the file's ETag changed between tries (If-Range ignored): the kept bytes were dropped
  'stalled', // no byte arrived for the stall timeout; the message gives the seconds and bytes received
  'too-large', // a small file (sums, signature, Metalink) over its limit; the message gives both sizes
  'all-mirrors-failed', // every URL failed; the message lists each mirror's error
  'bad-metalink', // a Metalink that is not well-formed, has a DOCTYPE (entities are never expanded) or lacks its file's name; the message names the character offset
  'corrupt-image', // the image is damaged or hostile; the message names sector/offset
  'too-complex', // reading the image needed more memory or time than the parser's worker is given (heap cap, time budget)
  'no-space', // the destination folder's file system has no room (checked before extracting, or ENOSPC); the message names the folder
  'destination-not-allowed', // the contract extracts only into the home folder or a folder the user chose in a native dialog
  'destination-exists', // an extraction's file (or folder) is already at the destination and the caller chose no overwrite, skip or keep-both for it; the message names it
  'destination-changed', // a folder inside an extraction's destination was replaced (by a link elsewhere) while it ran: nothing there was removed or renamed; the message names the path
  'shared-extents', // files to extract share data (hard links) beyond the image's size: asked again with allowSharedExtents, it writes every copy
  'file-too-large', // copy-files mode: a file over FAT32's 4 GiB limit that is not a splittable install.wim; the message names it
  'target-too-small', // the files (or the image) need more room than the smallest chosen drive has; the message gives both sizes
  'volume-too-large', // a FAT32 volume over 2 TiB (Microsoft FAT spec: 2^28 clusters of at most 32 KiB is beyond what Windows mounts)
  'file-exists', // a backup's output file exists: asked again with overwrite, it replaces it; the message names it
  'output-on-source', // a backup's output would lie on the drive being read (its folder is on that drive or a partition of it)
  'read-failed', // reading a drive failed (EIO, removed, shorter than its size); the message names the device and the byte offset
  'source-changed', // a file being put into a new image changed size or time, or disappeared, while it was read; the message names it (no output is kept)
  'source-not-allowed', // through the contract a new image reads only files in the home folder or chosen in a native dialog, never credential folders or Isotope's own data; the message names the path
  'bad-source-name', // a source file's name no namespace of the new image can hold (NUL, '/', not valid UTF-8); the message names the path
  'needs-decoding', // a compressed image that cannot be read at random (.gz, .bz2, single-block .xz) has no decoded cache yet: run image:decode first; the message gives the sizes
  // A flash target's own failures (shared/flash.ts FlashErrorCode; the rest of them are above), so a
  // history record (shared/history.ts) names a target's error in the one vocabulary:
  'target-busy', // the drive was mounted or held exclusively by someone else (EBUSY)
  'target-removed', // the drive went away mid-job (ENODEV/ENXIO/ENOENT)
  'write-failed', // writing to the drive failed (EIO or another write error); the message names the offset
  'short-write', // the drive accepted fewer bytes than asked and then nothing more
  'verification-mismatch', // the read-back differs from the image; the message names the first differing range
  'source-unreadable', // the image could not be read while writing
  'corrupt-archive', // the compressed image is damaged
  'refused', // the safety rules refused the drive
  'needs-elevation', // reading a drive needs rights this user lacks (a VM trial of a drive as a non-root user); the message names the device
  'cancelled', // the user cancelled; neutral, not a failure
  'internal', // a bug: logged with its stack on the engine side, shown as a generic failure
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface AppError {
  readonly code: ErrorCode;
  /** Developer-facing detail with numbers ("read of 2048 bytes at offset 32768 ran past the end (size 4096)"). */
  readonly message: string;
  /** Optional structured detail, e.g. the path or the byte offset involved. */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
