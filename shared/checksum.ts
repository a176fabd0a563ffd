// Plain data of the checksum calls (`checksum:*`, `keys:*`): digests of a file, comparisons against a
// pasted value or a sums file, and the verdict on an OpenPGP signature over that sums file.
// Sizes in bytes, times in epoch ms, digests as lowercase hex.

export const hashAlgorithms = ['md5', 'sha1', 'sha256', 'sha512', 'blake2b'] as const;
/** `blake2b` is BLAKE2b-512, the default of coreutils `b2sum`. */
export type HashAlgorithm = (typeof hashAlgorithms)[number];

/** The four algorithms download pages publish; what `checksum:hash` computes unless told otherwise. */
export const defaultHashAlgorithms: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];

export type HashDigests = Partial<Record<HashAlgorithm, string>>;

export interface HashRequest {
  readonly path: string;
  readonly algorithms?: readonly HashAlgorithm[];
  /**
   * Answer with what the hash cache remembers for this version of the file when it knows every digest
   * asked, without reading the file (`isotope hash --cached`); otherwise the file is read. Off by default.
   */
  readonly cached?: boolean;
}

/**
 * Digests the hash cache remembers for a file version (same path, size, mtime, ctime and inode). Shown
 * as remembered, with their date, and never used for a verdict: bit rot changes none of those.
 */
export interface RememberedDigests {
  readonly digests: HashDigests;
  /** For a compressed image: what the cache remembers of its decoded content's digests. */
  readonly content?: HashDigests;
  /** When these digests were read from the file (epoch ms). */
  readonly computedAtMs: number;
}

/**
 * Which bytes a digest is of: the file as stored ('file': for a compressed image, the compressed bytes)
 * or a compressed image's decoded content ('content'). Publishers give one or the other: Raspberry Pi
 * OS the .img.xz's, Armbian and others the .img's.
 */
export type DigestSubject = 'file' | 'content';

/**
 * Where a compressed image's content bytes were read from in this run: decoded from the compressed
 * file in the same pass that hashed it, or read from the decoded cache file of this very file version
 * (`image:decode`).
 */
export type ContentBytesSource = 'decoded-in-pass' | 'decoded-cache';

/** The digests of a compressed image's decoded content, read in this run. */
export interface ContentDigests {
  readonly digests: HashDigests;
  readonly decodedSizeBytes: number;
  readonly source: ContentBytesSource;
  /**
   * What the content is called: the zip entry's name, or the file name without its compression suffix
   * (foo.img for foo.img.xz); null when the name has no such suffix (a renamed file).
   */
  readonly contentName: string | null;
}

export interface HashResult {
  readonly path: string;
  readonly sizeBytes: number;
  /** Read from the file in this run; null only when a `cached` request was answered from the cache alone. */
  readonly digests: HashDigests | null;
  /** A compressed image's decoded content, hashed in this run; absent for an uncompressed file (and for a `cached` answer). */
  readonly content?: ContentDigests;
  /** What the cache remembered for this version of the file before this run (for display only); null when nothing. */
  readonly remembered: RememberedDigests | null;
  readonly elapsedMs: number;
}

/** Sent when a hashing job starts and the hash cache remembers digests of this file version. */
export interface HashRemembered {
  readonly jobId: string;
  readonly path: string;
  readonly remembered: RememberedDigests;
}

export interface CompareRequest {
  readonly path: string;
  /** A pasted digest: case, spaces and a `sha256:`-style prefix are tolerated; the length names the algorithm. */
  readonly expected: string;
}

export interface CompareResult {
  readonly path: string;
  readonly algorithm: HashAlgorithm;
  readonly expected: string;
  /** The digest that matched; on a mismatch, the file's. */
  readonly actual: string;
  readonly matches: boolean;
  /** Which digest matched ('content': the decoded content of a compressed image); null on a mismatch. Absent from older engines. */
  readonly matchedOn?: DigestSubject | null;
  /** For a compressed image, its content's digest in this algorithm (compared too). */
  readonly contentActual?: string;
}

export interface VerifyRequest {
  readonly path: string;
  /** A pasted digest to compare with (instead of, or besides, a sums file). */
  readonly expected?: string;
  /** A sums file chosen by the user; without it, sums files next to the image are found automatically. */
  readonly sumsPath?: string;
  /** A detached signature over the sums file; without it, `SUMS.gpg/.sig/.asc/.sign` next to it are tried. */
  readonly signaturePath?: string;
  /** Extra keyring files (armored or binary OpenPGP keys) trusted besides the user's keyring. */
  readonly keyringPaths?: readonly string[];
  /** Digests to compute in the same pass besides those the comparisons need (the Checksums tab asks for the four download pages publish). */
  readonly algorithms?: readonly HashAlgorithm[];
}

/** Where an expected digest came from. */
export type DigestSource =
  | { readonly kind: 'pasted' }
  | {
      readonly kind: 'sums-file';
      readonly sumsPath: string;
      /** 1-based line of the entry in the sums file. */
      readonly lineNumber: number;
      /** The file name as the sums file spells it. */
      readonly entryName: string;
      readonly format: SumsFormat;
    };

export type SumsFormat = 'gnu' | 'bsd';

export interface DigestComparison {
  readonly source: DigestSource;
  readonly algorithm: HashAlgorithm;
  readonly expected: string;
  /** The digest of `subject` read in this run. */
  readonly actual: string;
  readonly matches: boolean;
  /**
   * Which bytes `actual` is the digest of. A sums entry naming the compressed file (or equal to its
   * digest) is compared with the file's; one naming the content (foo.img for foo.img.xz) or equal to
   * the content's digest, with the content's. Absent (= 'file') for an uncompressed image.
   */
  readonly subject?: DigestSubject;
}

export type SignatureStatus =
  /** Cryptographically good, made by a key in the keyring that is neither expired nor revoked. */
  | 'good'
  /** Cryptographically unverifiable here: the signing key is not in the keyring; check its fingerprint. */
  | 'unknown-key'
  /** The signature does not match the signed data (the sums file was altered) or is malformed. */
  | 'bad'
  | 'expired-key'
  | 'revoked-key'
  /** The sums file carries no signature and none was found next to it. */
  | 'not-signed';

export interface SignerKey {
  /** Uppercase hex fingerprint of the primary key, or of the issuer when the key is unknown. */
  readonly fingerprint: string;
  /** Uppercase 16-hex key ID that made the signature (may be a subkey). */
  readonly keyId: string;
  /** User IDs ("Name <mail>") of the key; empty when unknown. */
  readonly userIds: readonly string[];
}

export interface SignatureCheck {
  readonly status: SignatureStatus;
  /** The detached signature file, or the sums file itself when clear-signed; null when not signed. */
  readonly signaturePath: string | null;
  readonly kind: 'detached' | 'clear-signed' | null;
  readonly signer: SignerKey | null;
  /** Signature creation time (epoch ms) when known. */
  readonly createdMs: number | null;
  /** Why the status is not `good`, in developer words with the numbers. */
  readonly reason: string | null;
}

export interface SumsFileCheck {
  readonly sumsPath: string;
  readonly format: SumsFormat | null;
  readonly entryCount: number;
  /** Lines that are neither an entry, a comment nor blank (kept for the report, as sha256sum warns). */
  readonly ignoredLineCount: number;
  /** The entries naming this image, compared; empty when the sums file does not list it. */
  readonly comparisons: readonly DigestComparison[];
  readonly signature: SignatureCheck;
}

export type VerificationVerdict =
  /** The only green: a good signature by a key in the keyring over a sums file whose entry matches. */
  | 'verified'
  /** The hash matches, but nothing signed it (pasted value or unsigned sums file). */
  | 'matches-unsigned'
  /** The hash matches a sums file signed by a key that is not in the keyring. */
  | 'matches-unknown-signer'
  | 'matches-expired-key'
  | 'matches-revoked-key'
  | 'mismatch'
  | 'bad-signature'
  /** No pasted value, and no sums file (found or given) lists this image. */
  | 'nothing-to-compare';

export interface VerificationReport {
  readonly path: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly verdict: VerificationVerdict;
  /** True only for `verified`. */
  readonly trusted: boolean;
  /** Read from the file in this run: every comparison above was made with these. */
  readonly digests: HashDigests;
  /** A compressed image's decoded content, hashed in the same run; absent for an uncompressed file. */
  readonly content?: ContentDigests;
  /** The subjects some comparison matched on (both, when the sums files give both); empty when none matched. */
  readonly matchedOn?: readonly DigestSubject[];
  readonly pasted: DigestComparison | null;
  readonly sumsFiles: readonly SumsFileCheck[];
  /** Every reason the verdict is not `verified`, in developer words (the renderer words them for people). */
  readonly reasons: readonly string[];
}

export interface KeySummary {
  /** Uppercase hex fingerprint of the primary key. */
  readonly fingerprint: string;
  readonly keyId: string;
  readonly userIds: readonly string[];
  readonly algorithm: string;
  readonly createdMs: number;
  /** Null when the key never expires. */
  readonly expiresMs: number | null;
  readonly revoked: boolean;
}

/** What a keyring change waits for: the engine-issued confirmation of exactly these keys. */
export interface KeyConfirmation {
  readonly state: 'needs-confirmation';
  /** Single-use, short-lived; bound to these fingerprints (and, for an import, this version of the file). */
  readonly confirmationId: string;
  readonly expiresAtMs: number;
}

/**
 * Keyring changes take two calls, so a key is never trusted silently: without `confirmationId` the
 * engine changes nothing and answers with the keys concerned (fingerprints, user IDs) and a
 * confirmation; the same call with that id then does it.
 */
export interface KeysImportRequest {
  readonly path: string;
  readonly confirmationId?: string;
}

export type KeysImportResult =
  (KeyConfirmation & { readonly found: readonly KeySummary[] }) | { readonly state: 'imported'; readonly imported: readonly KeySummary[] };

export interface KeysRemoveRequest {
  readonly fingerprint: string;
  readonly confirmationId?: string;
}

export type KeysRemoveResult = (KeyConfirmation & { readonly found: KeySummary }) | { readonly state: 'removed'; readonly removed: KeySummary };
