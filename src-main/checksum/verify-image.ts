// The whole verification chain for one image: find (or take) the sums files and signatures, hash the
// image once with every algorithm they need, compare, check the signatures, and sum it all up in one
// verdict. Green ("verified") only for a good signature by a keyring key over a matching entry.
// A compressed image is hashed twice over in that one read, as stored and as decoded (issue 16):
// publishers give one or the other, so an entry naming the compressed file is compared with the
// file's digest, one naming the content (foo.img for foo.img.xz) with the content's, and any entry
// whose digest equals one of them matches it, saying which.
// A download (src-main/download/) hands in the digests it computed while the bytes streamed and the
// sums files it fetched next to the URL: the same comparisons and verdict, with no second read.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PublicKey } from 'openpgp';
import type {
  ContentDigests,
  DigestComparison,
  DigestSubject,
  HashAlgorithm,
  HashDigests,
  SignatureCheck,
  SumsFileCheck,
  SumsFormat,
  VerificationReport,
  VerificationVerdict,
} from '../../shared/checksum.ts';
import { matchDigest } from './compare-digest.ts';
import { describeCompressedFile, type CompressedFile } from './hash-compressed.ts';
import { hashImage, type HashImageOptions } from './hash-image.ts';
import { loadKeyring } from './keyring.ts';
import { readKeyFile } from './openpgp-keys.ts';
import { parsePastedDigest, type PastedDigest } from './pasted-digest.ts';
import { checkSignature } from './signature.ts';
import { detachedSignatureSuffixes, findDetachedSignatures, findSumsFiles, type FoundSumsFile } from './sums-discovery.ts';
import { findEntriesFor, maxSumsFileBytes, parseSumsFile, SumsFileError, type SumsEntry } from './sums-file.ts';
import { CodedError } from '../jobs/errors.ts';

/** Never `cached`: every comparison is made with digests read from the file in this run. */
export interface VerifyImageOptions extends Omit<HashImageOptions, 'algorithms' | 'cached'> {
  /** Digests to compute in the same pass besides those the comparisons need. */
  readonly algorithms?: readonly HashAlgorithm[];
  readonly expected?: string;
  readonly sumsPath?: string;
  readonly signaturePath?: string;
  readonly keyringPaths?: readonly string[];
  readonly nowMs?: number;
  /**
   * Digests of this very file that the caller computed in this run while writing it (a download
   * hashed as it streamed): used instead of a second read. The file is then compared as stored,
   * never as a compressed file's content. Every algorithm the sums files list must be present.
   */
  readonly readDigests?: { readonly sizeBytes: number; readonly digests: HashDigests };
  /** The name sums files list the file under when it is not the file's own (a download saved under another name: its URL's). */
  readonly fileName?: string;
  /** Sums files (and their signatures) the caller fetched, e.g. next to a URL, instead of those beside the file. */
  readonly fetchedSums?: readonly FetchedSumsFile[];
}

/** A sums file fetched by the caller; `sumsPath` and `signaturePath` say where it came from (a URL). */
export interface FetchedSumsFile {
  readonly sumsPath: string;
  readonly bytes: Uint8Array;
  readonly signature: { readonly signaturePath: string; readonly bytes: Uint8Array } | null;
}

/** A sums file to load: found on disk, or fetched with its bytes (and its first signature's). */
interface SumsCandidate extends FoundSumsFile {
  readonly bytes?: Uint8Array;
  readonly signatureBytes?: Uint8Array;
}

/** The request cannot be carried out as given (e.g. a signature without a sums file to go with it). */
export class VerifyUsageError extends CodedError {
  constructor(message: string) {
    super('invalid-request', message);
    this.name = 'VerifyUsageError';
  }
}

interface LoadedSums {
  readonly found: SumsCandidate;
  readonly text: string;
  readonly bytes: Uint8Array;
  /** The entries naming the image (or, for a compressed image, its content). */
  readonly entries: readonly SumsEntry[];
  /** Every entry: a compressed image's content may be listed under another name. */
  readonly allEntries: readonly SumsEntry[];
  readonly allEntryCount: number;
  readonly ignoredLineCount: number;
  readonly clearSigned: boolean;
}

export async function verifyImage(path: string, options: VerifyImageOptions): Promise<VerificationReport> {
  const fileName = options.fileName ?? basename(path);
  const imageStats = await stat(path);
  if (!imageStats.isFile() && !imageStats.isBlockDevice()) throw new VerifyUsageError(`${path} is not a file or a drive`);
  const pasted: PastedDigest | null = options.expected !== undefined ? parsePastedDigest(options.expected) : null;
  const compressed: CompressedFile | null = imageStats.isFile() && !options.readDigests ? await describeCompressedFile(path) : null;
  const names = compressed?.contentName ? [fileName, compressed.contentName] : [fileName];

  const candidates = await chooseSumsFiles(path, options, pasted !== null);
  const userChoseSums = options.sumsPath !== undefined || options.signaturePath !== undefined;
  const loaded: LoadedSums[] = [];
  /** Found beside a compressed image without naming it: kept in case an entry's digest is its content's. */
  const unnamed: LoadedSums[] = [];
  const skipped: string[] = [];
  for (const found of candidates) {
    let sums: LoadedSums;
    try {
      sums = await loadSums(found, names);
    } catch (error) {
      // A file the user named must be readable; one merely found beside the image is skipped, and said so.
      if (userChoseSums || !(error instanceof Error)) throw error;
      skipped.push(`skipped ${found.sumsPath}: ${error.message}`);
      continue;
    }
    // Found automatically and not naming this image: someone else's sums file, not worth reporting.
    if (sums.entries.length > 0 || userChoseSums) loaded.push(sums);
    else if (compressed) unnamed.push(sums);
  }

  const listed = [...loaded.flatMap((sums) => sums.entries), ...unnamed.flatMap((sums) => sums.allEntries)];
  const algorithms = new Set<HashAlgorithm>([...(options.algorithms ?? []), ...listed.map((entry) => entry.algorithm)]);
  if (pasted) algorithms.add(pasted.algorithm);
  // A compressed image is always hashed: the content's digest may match an entry of any name.
  const hashed: ReadDigests = options.readDigests
    ? givenDigests(path, options.readDigests, algorithms)
    : algorithms.size > 0 || compressed
      ? await readDigests(path, { ...options, algorithms: algorithms.size > 0 ? [...algorithms] : ['sha256'] })
      : { sizeBytes: imageStats.size, digests: {}, content: null };
  loaded.push(...unnamed.filter((sums) => sums.allEntries.some((entry) => hashed.content?.digests[entry.algorithm] === entry.digest)));
  const pastedComparison: DigestComparison | null = pasted ? comparePasted(pasted, hashed) : null;

  let keyring: PublicKey[] | null = null;
  const loadKeys = async (): Promise<PublicKey[]> => {
    if (keyring) return keyring;
    const own = options.dataDir !== null ? await loadKeyring(options.dataDir) : [];
    const extra: PublicKey[] = [];
    for (const keyringPath of options.keyringPaths ?? []) extra.push(...(await readKeyFile(keyringPath)));
    keyring = [...own, ...extra];
    return keyring;
  };

  const sumsFiles: SumsFileCheck[] = [];
  for (const sums of loaded) {
    const comparisons = sums.allEntries.flatMap((entry) => compareEntry(entry, sums, hashed, names));
    const signature = comparisons.length > 0 ? await checkSumsSignature(sums, await loadKeys(), options.nowMs) : notChecked(sums);
    sumsFiles.push({
      sumsPath: sums.found.sumsPath,
      format: majorityFormat(sums.entries),
      entryCount: sums.allEntryCount,
      ignoredLineCount: sums.ignoredLineCount,
      comparisons,
      signature,
    });
  }

  const judged = judge(pastedComparison, sumsFiles, fileName, hashed);
  const verdict = judged.verdict;
  const reasons = verdict === 'verified' ? judged.reasons : [...judged.reasons, ...skipped];
  return {
    path,
    fileName,
    sizeBytes: hashed.sizeBytes,
    verdict,
    trusted: verdict === 'verified',
    digests: hashed.digests,
    ...(hashed.content ? { content: hashed.content, matchedOn: matchedSubjects(pastedComparison, sumsFiles) } : {}),
    pasted: pastedComparison,
    sumsFiles,
    reasons,
  };
}

interface ReadDigests {
  readonly sizeBytes: number;
  readonly digests: HashDigests;
  readonly content: ContentDigests | null;
}

/** The digests read from the file in this run (a verdict never comes from the hash cache). */
async function readDigests(path: string, options: HashImageOptions): Promise<ReadDigests> {
  const { sizeBytes, digests, content } = await hashImage(path, { ...options, cached: false });
  if (digests === null) throw new Error(`hashImage answered ${path} from the cache for a verdict`);
  return { sizeBytes, digests, content: content ?? null };
}

/** The caller's digests of this run; one the comparisons need and the caller did not compute is a bug. */
function givenDigests(path: string, given: NonNullable<VerifyImageOptions['readDigests']>, algorithms: ReadonlySet<HashAlgorithm>): ReadDigests {
  const missing = [...algorithms].filter((algorithm) => given.digests[algorithm] === undefined);
  if (missing.length > 0) throw new Error(`the digests handed in for ${path} lack ${missing.join(', ')}, which the comparisons need`);
  return { sizeBytes: given.sizeBytes, digests: given.digests, content: null };
}

/** A pasted digest matches the file's or, for a compressed image, its content's; a mismatch shows the file's. */
function comparePasted(pasted: PastedDigest, hashed: ReadDigests): DigestComparison {
  const { actual, matches, matchedOn } = matchDigest(pasted, hashed.digests, hashed.content?.digests ?? null);
  const comparison = { source: { kind: 'pasted' as const }, algorithm: pasted.algorithm, expected: pasted.digest, actual, matches };
  return hashed.content ? { ...comparison, subject: matchedOn ?? 'file' } : comparison;
}

/** The subjects some comparison matched on, the file's first. */
function matchedSubjects(pasted: DigestComparison | null, sumsFiles: readonly SumsFileCheck[]): DigestSubject[] {
  const matched = [...(pasted ? [pasted] : []), ...sumsFiles.flatMap((sums) => sums.comparisons)].filter((comparison) => comparison.matches);
  const subjects: readonly DigestSubject[] = ['file', 'content'];
  return subjects.filter((subject) => matched.some((comparison) => (comparison.subject ?? 'file') === subject));
}

async function chooseSumsFiles(path: string, options: VerifyImageOptions, hasPasted: boolean): Promise<SumsCandidate[]> {
  if (options.fetchedSums) {
    return options.fetchedSums.map(({ sumsPath, bytes, signature }) => ({
      sumsPath,
      bytes,
      signaturePaths: signature ? [signature.signaturePath] : [],
      ...(signature ? { signatureBytes: signature.bytes } : {}),
    }));
  }
  let sumsPath = options.sumsPath;
  if (sumsPath === undefined && options.signaturePath !== undefined) {
    // A detached signature alone names its sums file: SHA256SUMS.gpg signs SHA256SUMS.
    const suffix = detachedSignatureSuffixes.find((candidate) => options.signaturePath?.endsWith(candidate));
    if (!suffix) throw new VerifyUsageError(`cannot tell which sums file ${options.signaturePath} signs: give the sums file too`);
    sumsPath = options.signaturePath.slice(0, -suffix.length);
  }
  if (sumsPath !== undefined) {
    const signaturePaths = options.signaturePath !== undefined ? [options.signaturePath] : await findDetachedSignatures(sumsPath);
    return [{ sumsPath, signaturePaths }];
  }
  // A pasted value is what the user wants compared; sums files are searched only when there is none.
  return hasPasted ? [] : findSumsFiles(path);
}

/** `names`: the image's file name, and its content's for a compressed image. */
async function loadSums(found: SumsCandidate, names: readonly string[]): Promise<LoadedSums> {
  const bytes = found.bytes ?? (await readSumsFile(found.sumsPath));
  if (bytes.length > maxSumsFileBytes) throw new SumsFileError(`${found.sumsPath} has ${bytes.length} bytes, more than the ${maxSumsFileBytes}-byte limit`);
  const text = new TextDecoder('utf-8').decode(bytes);
  const parsed = parseSumsFile(text, { sumsFileName: basename(found.sumsPath) });
  return {
    found,
    text,
    bytes,
    entries: names.flatMap((name) => findEntriesFor(parsed.entries, name)),
    allEntries: parsed.entries,
    allEntryCount: parsed.entries.length,
    ignoredLineCount: parsed.ignoredLineCount,
    clearSigned: parsed.clearSigned,
  };
}

async function readSumsFile(sumsPath: string): Promise<Uint8Array> {
  const stats = await stat(sumsPath);
  if (!stats.isFile()) throw new SumsFileError(`${sumsPath} is not a regular file`);
  if (stats.size > maxSumsFileBytes) throw new SumsFileError(`${sumsPath} has ${stats.size} bytes, more than the ${maxSumsFileBytes}-byte limit`);
  return readFile(sumsPath);
}

/**
 * The comparison an entry makes, or none when it concerns another file. Uncompressed: the entries
 * naming the image. Compressed: an entry whose digest is the file's or the content's matches that
 * one, whatever its name; otherwise an entry naming the file is a mismatch of the file's digest, one
 * naming the content (`names[1]`) a mismatch of the content's.
 */
function compareEntry(entry: SumsEntry, sums: LoadedSums, hashed: ReadDigests, names: readonly string[]): DigestComparison[] {
  const [fileName, contentName] = names;
  const isNamed = (name: string | undefined): boolean => name !== undefined && findEntriesFor([entry], name).length > 0;
  const fileActual = hashed.digests[entry.algorithm] ?? '';
  const contentActual = hashed.content?.digests[entry.algorithm];
  const comparison = {
    source: { kind: 'sums-file', sumsPath: sums.found.sumsPath, lineNumber: entry.lineNumber, entryName: entry.fileName, format: entry.format },
    algorithm: entry.algorithm,
    expected: entry.digest,
  } as const;
  if (!hashed.content) return isNamed(fileName) ? [{ ...comparison, actual: fileActual, matches: fileActual === entry.digest }] : [];
  const subject: DigestSubject | null =
    fileActual === entry.digest && isNamed(fileName)
      ? 'file'
      : contentActual === entry.digest
        ? 'content'
        : isNamed(fileName)
          ? 'file'
          : isNamed(contentName)
            ? 'content'
            : null;
  if (subject === null) return [];
  const actual = subject === 'file' ? fileActual : (contentActual ?? '');
  return [{ ...comparison, actual, matches: actual === entry.digest, subject }];
}

async function checkSumsSignature(sums: LoadedSums, keyring: readonly PublicKey[], nowMs: number | undefined): Promise<SignatureCheck> {
  if (sums.clearSigned) {
    const verification = await checkSignature({ kind: 'clear-signed', armoredText: sums.text, signaturePath: sums.found.sumsPath }, keyring, nowMs);
    const { signedText, ...check } = verification;
    // Defence in depth: the entries we compared must be exactly the ones openpgp.js verified.
    if (check.status !== 'bad' && signedText !== null && !sameEntries(parseSumsFile(signedText).entries, parseSumsFile(sums.text).entries)) {
      return { ...check, status: 'bad', reason: 'the entries outside the signed text differ from the signed ones' };
    }
    return check;
  }
  const [signaturePath] = sums.found.signaturePaths;
  if (signaturePath === undefined) return notChecked(sums);
  const signatureBytes = sums.found.signatureBytes ?? (await readSignatureFile(signaturePath));
  if (signatureBytes === null) {
    return {
      status: 'bad',
      signaturePath,
      kind: 'detached',
      signer: null,
      createdMs: null,
      reason: `${signaturePath} is not a signature file of sensible size`,
    };
  }
  const { signedText: _ignored, ...check } = await checkSignature({ kind: 'detached', signedBytes: sums.bytes, signatureBytes, signaturePath }, keyring, nowMs);
  return check;
}

/** A detached signature's bytes; null when it is not a file of sensible size. */
async function readSignatureFile(signaturePath: string): Promise<Uint8Array | null> {
  const signatureStats = await stat(signaturePath);
  return signatureStats.isFile() && signatureStats.size <= maxSumsFileBytes ? readFile(signaturePath) : null;
}

function notChecked(_sums: LoadedSums): SignatureCheck {
  return { status: 'not-signed', signaturePath: null, kind: null, signer: null, createdMs: null, reason: 'no signature found for this sums file' };
}

function sameEntries(a: readonly SumsEntry[], b: readonly SumsEntry[]): boolean {
  const key = (entry: SumsEntry): string => `${entry.algorithm}:${entry.digest}:${entry.fileName}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function majorityFormat(entries: readonly SumsEntry[]): SumsFormat | null {
  if (entries.length === 0) return null;
  const bsd = entries.filter((entry) => entry.format === 'bsd').length;
  return bsd * 2 >= entries.length ? 'bsd' : 'gnu';
}

/**
 * Any negative evidence fails (a mismatch anywhere, a bad signature over a file we compared with);
 * otherwise the strongest positive evidence decides.
 */
function judge(
  pasted: DigestComparison | null,
  sumsFiles: readonly SumsFileCheck[],
  fileName: string,
  hashed: ReadDigests,
): { verdict: VerificationVerdict; reasons: string[] } {
  const reasons: string[] = [];
  const comparisons = [...(pasted ? [pasted] : []), ...sumsFiles.flatMap((sums) => sums.comparisons)];
  for (const sums of sumsFiles) {
    const contentName = hashed.content?.contentName;
    if (sums.comparisons.length === 0) reasons.push(`${sums.sumsPath} has no entry for ${fileName}${contentName ? ` or ${contentName}` : ''}`);
  }
  if (comparisons.length === 0) {
    if (sumsFiles.length === 0) reasons.push(`no pasted value and no sums file next to ${fileName} lists it`);
    return { verdict: 'nothing-to-compare', reasons };
  }
  for (const comparison of comparisons.filter((candidate) => !candidate.matches)) {
    const where = comparison.source.kind === 'pasted' ? 'the pasted value' : `${comparison.source.sumsPath} line ${comparison.source.lineNumber}`;
    reasons.push(describeMismatch(comparison, where, fileName, hashed));
  }
  const compared = sumsFiles.filter((sums) => sums.comparisons.length > 0);
  for (const sums of compared) {
    if (sums.signature.status !== 'good' && sums.signature.reason) reasons.push(`${sums.sumsPath}: ${sums.signature.reason}`);
  }
  if (comparisons.some((comparison) => !comparison.matches)) return { verdict: 'mismatch', reasons };
  const statuses = new Set(compared.map((sums) => sums.signature.status));
  if (statuses.has('bad')) return { verdict: 'bad-signature', reasons };
  if (statuses.has('good')) return { verdict: 'verified', reasons: [] };
  if (statuses.has('revoked-key')) return { verdict: 'matches-revoked-key', reasons };
  if (statuses.has('expired-key')) return { verdict: 'matches-expired-key', reasons };
  if (statuses.has('unknown-key')) return { verdict: 'matches-unknown-signer', reasons };
  if (pasted) reasons.push('the pasted value is not signed: it is only as trustworthy as the page it came from');
  return { verdict: 'matches-unsigned', reasons };
}

/** A mismatch in developer words; for a compressed image, with both digests it was compared with. */
function describeMismatch(comparison: DigestComparison, where: string, fileName: string, hashed: ReadDigests): string {
  const { algorithm, expected } = comparison;
  if (!hashed.content) return `${algorithm} of ${fileName} is ${comparison.actual}, ${where} says ${expected}`;
  const named = comparison.source.kind === 'sums-file' ? ` for ${comparison.source.entryName}` : '';
  const contentName = hashed.content.contentName ?? 'its decoded content';
  return (
    `${algorithm} of ${fileName} is ${hashed.digests[algorithm] ?? '?'} and of its content (${contentName}) ${hashed.content.digests[algorithm] ?? '?'}; ` +
    `${where} says ${expected}${named}, which is neither`
  );
}
