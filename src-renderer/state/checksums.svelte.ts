// The Checksums tab: one hashing pass over the image (`checksum:verify`, which also finds sums files
// and signatures next to it), a pasted digest compared as soon as it is typed, and the keyring.
// Digests the engine remembers from an earlier run are shown at once, as remembered with their date,
// while the pass runs; every verdict (the report's, the pasted value's) uses only the digests it read.
import type { DigestSubject, HashAlgorithm, HashDigests, HashRemembered, KeySummary, RememberedDigests, VerificationReport } from '../../shared/checksum.ts';
import { defaultHashAlgorithms } from '../../shared/checksum.ts';
import type { AppError } from '../../shared/errors.ts';
import { followJob } from '../../shared/follow-job.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';
import type { JobStore } from './jobs.svelte.ts';
import { pickPath } from './file-picker.svelte.ts';
import { text } from '../messages.ts';

export type PastedVerdict =
  | { readonly kind: 'empty' }
  | { readonly kind: 'unrecognised' }
  | { readonly kind: 'pending' }
  | {
      readonly kind: 'match' | 'mismatch';
      readonly algorithm: HashAlgorithm;
      readonly actual: string;
      /** The engine's word on which digest matched: a compressed image's content ('content') or the file as stored. */
      readonly matchedOn?: DigestSubject | null;
    };

const algorithmsByHexLength: Readonly<Record<number, readonly HashAlgorithm[]>> = {
  32: ['md5'],
  40: ['sha1'],
  64: ['sha256'],
  128: ['sha512', 'blake2b'],
};

/** Tolerates case, spaces and an `sha256:`-style prefix, as the engine does; null when it is not hex. */
export function normaliseDigest(pasted: string): string | null {
  const cleaned = pasted
    .trim()
    .replace(/^[a-z0-9-]+:\s*/i, '')
    .replace(/\s+/g, '')
    .toLowerCase();
  return /^[0-9a-f]+$/.test(cleaned) ? cleaned : null;
}

/**
 * Compares a pasted digest with the digests read in this run (never remembered ones), without another
 * pass: the file's, and for a compressed image its decoded content's (`contentDigests`), since a
 * publisher may give either; a mismatch only when neither matches, as the engine judges it.
 */
export function comparePasted(pasted: string, digests: HashDigests | null, contentDigests: HashDigests | null = null): PastedVerdict {
  if (pasted.trim() === '') return { kind: 'empty' };
  const expected = normaliseDigest(pasted);
  const candidates = expected ? algorithmsByHexLength[expected.length] : undefined;
  if (!expected || !candidates) return { kind: 'unrecognised' };
  if (!digests) return { kind: 'pending' };
  const subjects: readonly (readonly [DigestSubject, HashDigests])[] = contentDigests
    ? [
        ['file', digests],
        ['content', contentDigests],
      ]
    : [['file', digests]];
  let first: { algorithm: HashAlgorithm; actual: string } | null = null;
  for (const [subject, read] of subjects) {
    for (const algorithm of candidates) {
      const actual = read[algorithm];
      if (actual === undefined) continue;
      if (actual === expected) return contentDigests ? { kind: 'match', algorithm, actual, matchedOn: subject } : { kind: 'match', algorithm, actual };
      first ??= { algorithm, actual };
    }
  }
  if (!first) return { kind: 'pending' };
  return contentDigests ? { kind: 'mismatch', ...first, matchedOn: null } : { kind: 'mismatch', ...first };
}

/** A keyring change shown to the user before it happens: the keys concerned and the engine's confirmation. */
export type PendingKeyChange =
  | { readonly kind: 'import'; readonly path: string; readonly keys: readonly KeySummary[]; readonly confirmationId: string }
  | { readonly kind: 'remove'; readonly keys: readonly [KeySummary]; readonly confirmationId: string };

export class Checksums {
  imagePath = $state<string | null>(null);
  running = $state(false);
  /** The running pass's id, once the engine answered its start with it; null when none runs. */
  jobId = $state<string | null>(null);
  report = $state.raw<VerificationReport | null>(null);
  /** The digests read from the image by the last pass; null until it finishes. */
  digests = $state.raw<HashDigests | null>(null);
  /** The last pass's id, kept once it ends: its remembered digests stay shown beside what it read. */
  #passJobId = $state<string | null>(null);
  #rememberedEvent = $state.raw<HashRemembered | null>(null);
  /** What the engine remembered for this version of the file when the pass started: display only. */
  readonly remembered = $derived.by((): RememberedDigests | null => {
    const event = this.#rememberedEvent;
    return event !== null && event.jobId === this.#passJobId ? event.remembered : null;
  });
  error = $state.raw<AppError | null>(null);
  pasted = $state('');
  sumsPath = $state('');
  signaturePath = $state('');
  keys = $state.raw<readonly KeySummary[]>([]);
  keyPath = $state('');
  keysError = $state.raw<AppError | null>(null);
  keysNotice = $state<string | null>(null);
  /** A keyring change the engine has confirmed it would make, waiting for the user's yes. */
  pendingKeyChange = $state.raw<PendingKeyChange | null>(null);
  /** The image whose first pass was started (plain field: not for display). */
  #started: string | null = null;
  readonly #client: EngineClient;
  readonly #jobs: JobStore;

  constructor(client: EngineClient, jobs: JobStore) {
    this.#client = client;
    this.#jobs = jobs;
    // The event may come before the start call answers with the pass's id: kept until the id is known.
    client.subscribe('checksum:remembered', (event) => {
      if (this.#passJobId === null || event.jobId === this.#passJobId) this.#rememberedEvent = event;
    });
  }

  /** The engine's answer for the pasted text it last judged: what the Write step will know too. */
  #judged = $state.raw<{ readonly pasted: string; readonly verdict: PastedVerdict } | null>(null);

  /**
   * Empty or unrecognised at once; a whole digest is "pending" until the engine has judged it on the
   * digests its pass read, so what this shows is what the pre-flight assessment shows.
   */
  readonly pastedVerdict = $derived.by((): PastedVerdict => {
    const here = comparePasted(this.pasted, this.digests, this.report?.content?.digests ?? null);
    if (here.kind !== 'match' && here.kind !== 'mismatch') return here;
    const judged = this.#judged;
    return judged !== null && judged.pasted === this.pasted ? judged.verdict : { kind: 'pending' };
  });

  /** True when a digest just read differs from the one remembered: the file changed (or rotted) since. */
  readonly rememberedDiffers = $derived.by(() => {
    const { digests, remembered } = this;
    if (!digests || !remembered) return false;
    return Object.entries(remembered.digests).some(([algorithm, hex]) => {
      const read = digests[algorithm as HashAlgorithm];
      return read !== undefined && read !== hex;
    });
  });

  /** The running pass's progress; null when none runs. */
  get progress(): JobProgress | null {
    return this.#jobs.progressOf(this.jobId);
  }

  get fraction(): number | null {
    return this.#jobs.fractionOf(this.jobId);
  }

  reset(imagePath: string): void {
    this.#started = null;
    this.imagePath = imagePath;
    this.report = null;
    this.digests = null;
    this.#forgetRemembered();
    this.error = null;
    this.pasted = '';
    this.#judged = null;
    this.sumsPath = '';
    this.signaturePath = '';
  }

  /**
   * Shows a report the engine made in this run for the open image without a pass of its own (a
   * download's, from the digests computed as its bytes streamed); no first pass then starts by itself.
   */
  showReport(imagePath: string, report: VerificationReport): void {
    if (this.imagePath !== imagePath || this.running) return;
    this.#started = imagePath;
    this.report = report;
    this.digests = report.digests;
  }

  /** Starts the first pass for this image, once: after a cancel or an error the user starts it again. */
  ensureStarted(): void {
    if (this.#started === this.imagePath) return;
    this.#started = this.imagePath;
    void this.verify();
  }

  /**
   * One read pass for the four digests download pages publish and whatever the sums files found or
   * given need, then their signatures: every run reads the image again, as a verdict must.
   */
  async verify(): Promise<void> {
    const path = this.imagePath;
    if (path === null || this.running) return;
    this.error = null;
    // Nothing from an earlier pass stands while this one reads: its remembered digests come by event.
    this.report = null;
    this.digests = null;
    this.#forgetRemembered();
    const sumsPath = this.sumsPath.trim();
    const signaturePath = this.signaturePath.trim();
    try {
      this.running = true;
      const request = { path, algorithms: [...defaultHashAlgorithms], ...(sumsPath ? { sumsPath } : {}), ...(signaturePath ? { signaturePath } : {}) };
      const result = await followJob(
        { onFinished: (listener) => this.#client.subscribe('job:finished', listener) },
        'verify',
        () => this.#client.call('checksum:verify', request),
        {
          started: (jobId) => {
            this.jobId = jobId;
            this.#passJobId = jobId;
          },
        },
      );
      if (this.imagePath !== path) return;
      if (result.ok) {
        this.report = result.value;
        this.digests = result.value.digests;
        this.#reportPastedToEngine(); // a digest pasted while the pass ran
      } else if (result.error.code !== 'cancelled') this.error = result.error;
    } finally {
      if (this.imagePath === path) {
        this.running = false;
        this.jobId = null;
      }
    }
  }

  /**
   * The pasted digest as typed. Once it is a whole digest and the pass has read the image, the engine
   * judges it through `checksum:compare` on the digests that pass read (no second read), and records a
   * mismatch for the Write step's assessment.
   */
  setPasted(value: string): void {
    this.pasted = value;
    this.#reportPastedToEngine();
  }

  #reportPastedToEngine(): void {
    const path = this.imagePath;
    const pasted = this.pasted;
    const here = comparePasted(pasted, this.digests, this.report?.content?.digests ?? null);
    if (path === null || (here.kind !== 'match' && here.kind !== 'mismatch')) return;
    const compared = followJob({ onFinished: (listener) => this.#client.subscribe('job:finished', listener) }, 'compare', () =>
      this.#client.call('checksum:compare', { path, expected: pasted }),
    );
    void compared.then((result) => {
      if (this.imagePath !== path) return;
      // Should the engine fail to answer, the comparison made here still stands on the screen.
      const verdict: PastedVerdict = result.ok
        ? {
            kind: result.value.matches ? 'match' : 'mismatch',
            algorithm: result.value.algorithm,
            actual: result.value.actual,
            matchedOn: result.value.matchedOn ?? null,
          }
        : here;
      this.#judged = { pasted, verdict };
    });
  }

  async cancel(): Promise<void> {
    if (this.jobId) await this.#client.call('job:cancel', { jobId: this.jobId });
  }

  #forgetRemembered(): void {
    this.#passJobId = null;
    this.#rememberedEvent = null;
  }

  async loadKeys(): Promise<void> {
    const result = await this.#client.call('keys:list', {});
    if (result.ok) this.keys = result.value.keys;
    else this.keysError = result.error;
  }

  /** Step one of an import: the engine reads the file and answers with its keys; nothing is trusted yet. */
  async importKeys(): Promise<void> {
    const path = this.keyPath.trim();
    if (path === '') return;
    this.keysError = null;
    this.keysNotice = null;
    const result = await this.#client.call('keys:import', { path });
    if (!result.ok) this.keysError = result.error;
    else if (result.value.state === 'needs-confirmation')
      this.pendingKeyChange = { kind: 'import', path, keys: result.value.found, confirmationId: result.value.confirmationId };
  }

  /** Choose…: a key file from the file dialog (native or in-app), then step one of its import. */
  async pickAndImportKey(): Promise<void> {
    const path = await pickPath({ purpose: 'key-file', title: text.pickKeyTitle });
    if (path === null) return;
    this.keyPath = path;
    await this.importKeys();
  }

  /** Step one of a removal: the engine names the key; nothing is removed yet. */
  async removeKey(fingerprint: string): Promise<void> {
    this.keysError = null;
    this.keysNotice = null;
    const result = await this.#client.call('keys:remove', { fingerprint });
    if (!result.ok) this.keysError = result.error;
    else if (result.value.state === 'needs-confirmation')
      this.pendingKeyChange = { kind: 'remove', keys: [result.value.found], confirmationId: result.value.confirmationId };
  }

  /** Step two: the user saw the fingerprints and said yes; the engine checks its confirmation and acts. */
  async confirmKeyChange(): Promise<void> {
    const pending = this.pendingKeyChange;
    if (pending === null) return;
    this.pendingKeyChange = null;
    if (pending.kind === 'import') {
      const result = await this.#client.call('keys:import', { path: pending.path, confirmationId: pending.confirmationId });
      if (!result.ok) this.keysError = result.error;
      else if (result.value.state === 'imported') {
        this.keyPath = '';
        this.keysNotice = result.value.imported.map((key) => key.fingerprint).join(', ');
      }
    } else {
      const result = await this.#client.call('keys:remove', { fingerprint: pending.keys[0].fingerprint, confirmationId: pending.confirmationId });
      if (!result.ok) this.keysError = result.error;
    }
    await this.loadKeys();
    // A key added or removed can change "unknown signer" and "verified": check again (a verdict reads the image again).
    if (this.report) await this.verify();
  }

  cancelKeyChange(): void {
    this.pendingKeyChange = null;
  }
}
