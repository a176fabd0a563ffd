// The pieces that keep parsing linear in the image size (issue 12 §5): the one work budget every
// parser spends, per-name counters for duplicate names, and the record of directory blocks a walk met.
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { UniqueNames } from '../../src-main/format/unique-names.ts';
import { VisitedDirectoryBlocks } from '../../src-main/format/visited-directories.ts';
import { defaultWorkBudgetLimits, WorkBudget, WorkBudgetExceededError } from '../../src-main/format/work-budget.ts';

describe('WorkBudget', () => {
  it('allows the base plus a fixed multiple of the source size', () => {
    const budget = WorkBudget.for({ sizeBytes: 1_000_000 });
    expect(budget.limitBytes).toBe(defaultWorkBudgetLimits.baseBytes + defaultWorkBudgetLimits.perSourceByte * 1_000_000);
    budget.spend(budget.limitBytes, 'everything');
    expect(budget.spentBytes).toBe(budget.limitBytes);
  });

  it('refuses the byte past the limit with a corrupt-image error that says how much more the image describes', () => {
    const budget = new WorkBudget(1000, { baseBytes: 0, perSourceByte: 16 });
    budget.spend(15_000, 'listing /');
    const error = (() => {
      try {
        budget.spend(20_000, 'listing /big');
        return null;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(WorkBudgetExceededError);
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as Error).message).toBe(
      'this image describes 35× more data than it holds: listing /big brings the work to 35000 bytes for a 1000-byte image, past the limit of 16000 bytes',
    );
    expect((error as CorruptImageError).where).toEqual({ spentBytes: 35_000, limitBytes: 16_000, sourceSizeBytes: 1000 });
  });
});

describe('UniqueNames', () => {
  it('keeps the first name and numbers later ones from 2, skipping names the directory already holds', () => {
    const names = new UniqueNames();
    expect(['A', 'A', 'A~2', 'A', 'B', 'A~3', 'A'].map((name) => names.claim(name))).toEqual(['A', 'A~2', 'A~2~2', 'A~3', 'B', 'A~3~2', 'A~4']);
  });

  it('names 100,000 entries called alike in about the time 100,000 distinct names take', () => {
    const timed = (name: (index: number) => string): number => {
      const names = new UniqueNames();
      const started = performance.now();
      for (let index = 0; index < 100_000; index += 1) names.claim(name(index));
      return performance.now() - started;
    };
    const distinctMs = timed((index) => `file-${index}`);
    // The old probe from "~2" each time needed 5 billion lookups here.
    expect(timed(() => 'same')).toBeLessThan(10 * distinctMs + 50);
  });
});

describe('VisitedDirectoryBlocks', () => {
  it('refuses an extent that starts at or overlaps a visited block, naming the first such block', () => {
    const visited = new VisitedDirectoryBlocks(2048, 100 * 2048);
    expect(visited.visit([{ offsetBytes: 20 * 2048, sizeBytes: 3 * 2048 }])).toBeNull();
    expect(visited.visit([{ offsetBytes: 20 * 2048, sizeBytes: 2048 }])).toBe(20);
    expect(visited.visit([{ offsetBytes: 18 * 2048, sizeBytes: 4 * 2048 }])).toBe(20);
    // A refused extent marks nothing: block 18 is still free.
    expect(visited.visit([{ offsetBytes: 18 * 2048, sizeBytes: 2048 }])).toBeNull();
  });

  it('gives a zero-length directory its first block, and ignores unrecorded extents', () => {
    const visited = new VisitedDirectoryBlocks(2048, 100 * 2048);
    expect(visited.visit([{ offsetBytes: 30 * 2048, sizeBytes: 0 }])).toBeNull();
    expect(visited.visit([{ offsetBytes: 30 * 2048, sizeBytes: 0 }])).toBe(30);
    expect(visited.visit([{ offsetBytes: 0, sizeBytes: 2048, unrecorded: true }])).toBeNull();
    expect(visited.visit([{ offsetBytes: 0, sizeBytes: 2048 }])).toBeNull();
  });

  it('marks no block past the end of the source, so a forged 64 MiB extent costs nothing to remember', () => {
    const visited = new VisitedDirectoryBlocks(2048, 10 * 2048);
    expect(visited.visit([{ offsetBytes: 0, sizeBytes: 64 * 1024 * 1024 }])).toBeNull();
    expect(visited.visit([{ offsetBytes: 9 * 2048, sizeBytes: 2048 }])).toBe(9);
    expect(visited.visit([{ offsetBytes: 10 * 2048, sizeBytes: 2048 }])).toBeNull();
  });
});
