// A work budget linear in the size of an untrusted source (issue 12 §5). Structural bounds alone
// multiply: 20,000 records naming one CE area, one file entry of a million extents named 80 times,
// 8,192 partitions naming one FAT volume. Every parser spends one budget on what a hostile image can
// repeat (bytes decoded, entries built, extents followed, file systems probed), so the worst image
// costs a clear corrupt-image error instead of minutes or gigabytes.
import { CorruptImageError } from './corrupt-image-error.ts';

/**
 * What one thing costs, in budget bytes: about the memory and time it takes to build, whatever it
 * occupies on disk. Bytes decoded cost one budget byte each.
 */
export const workCosts = {
  /** An entry of a listing: its object and its name and path strings. */
  entryBytes: 256,
  /** One extent of a file's data (an allocation descriptor followed, a block mapped). */
  extentBytes: 64,
} as const;

export interface WorkBudgetLimits {
  /** Budget bytes for each byte of the source: a sane image reads each structure about once. */
  readonly perSourceByte: number;
  /** Budget bytes every source gets, so a small image may still hold many small entries. */
  readonly baseBytes: number;
}

/**
 * 16 budget bytes per image byte plus 32 MiB: a sane image spends 1-8 per byte even when it holds
 * nothing but empty files (a 34-byte record becomes a 256-byte entry), and the hostile images of
 * issue 12 stop within a second and a few hundred MiB of memory.
 */
export const defaultWorkBudgetLimits: WorkBudgetLimits = { perSourceByte: 16, baseBytes: 32 * 1024 * 1024 };

/** The budget ran out: the image describes far more than it holds. Maps to `corrupt-image`. */
export class WorkBudgetExceededError extends CorruptImageError {
  constructor(what: string, spentBytes: number, limitBytes: number, sourceSizeBytes: number) {
    const ratio = Math.max(1, Math.floor(spentBytes / Math.max(1, sourceSizeBytes)));
    super(
      `this image describes ${ratio}× more data than it holds: ${what} brings the work to ${spentBytes} bytes for a ${sourceSizeBytes}-byte image, past the limit of ${limitBytes} bytes`,
      { spentBytes, limitBytes, sourceSizeBytes },
    );
    this.name = 'WorkBudgetExceededError';
  }
}

/** One parse's budget: spend it before doing the work it pays for. */
export class WorkBudget {
  readonly sourceSizeBytes: number;
  readonly limitBytes: number;
  private spent = 0;

  constructor(sourceSizeBytes: number, limits: WorkBudgetLimits = defaultWorkBudgetLimits) {
    this.sourceSizeBytes = sourceSizeBytes;
    this.limitBytes = limits.baseBytes + limits.perSourceByte * sourceSizeBytes;
  }

  /** A budget for parsing `source` (anything with a size: a ByteSource, a file). */
  static for(source: { readonly sizeBytes: number }, limits: WorkBudgetLimits = defaultWorkBudgetLimits): WorkBudget {
    return new WorkBudget(source.sizeBytes, limits);
  }

  get spentBytes(): number {
    return this.spent;
  }

  /** Charges `bytes` for `what` (named in the error: "listing /a/b", "FAT probe at byte 1048576"). */
  spend(bytes: number, what: string): void {
    this.spent += bytes;
    if (this.spent > this.limitBytes) throw new WorkBudgetExceededError(what, this.spent, this.limitBytes, this.sourceSizeBytes);
  }
}
