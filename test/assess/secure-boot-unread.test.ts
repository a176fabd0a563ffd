// The Secure Boot answer when no architecture could be judged (review R2 finding 9): a report whose
// only loaders could not be read is "unknown" (could not look), never "does not apply" (nothing
// there); a report with no loader at all stays judged with nothing to judge.
import { describe, expect, it } from 'vitest';
import type { BootReport, SecureBootLoader, SecureBootReport } from '../../shared/boot.ts';
import { secureBootOf } from '../../src-main/assess/secure-boot-assessment.ts';
import type { Revocations } from '../../src-main/pe/revocations.ts';

const revocations = { dbxSha256ByArchitecture: {} } as unknown as Revocations;

const unreadable: SecureBootLoader = {
  path: 'GPT partition 2: /EFI/BOOT',
  architecture: 'unknown',
  authenticodeSha256: '',
  dbxRevoked: false,
  sbat: null,
  sbatRevoked: [],
  signers: [],
  verdict: 'unreadable',
  error: 'FAT boot sector at byte 1048576 declares 0 bytes per sector',
};

const bootWith = (report: SecureBootReport): BootReport => ({ secureBoot: report }) as unknown as BootReport;

describe('the assessment Secure Boot answer with no architecture judged', () => {
  it('is unknown (damaged) naming the place when the only loaders could not be read', () => {
    const answer = secureBootOf(bootWith({ loaders: [unreadable], byArchitecture: [], dataDate: '2026-01-01' }), null, revocations);
    expect(answer).toMatchObject({
      state: 'unknown',
      reason: 'damaged',
      message: expect.stringContaining('GPT partition 2: /EFI/BOOT: FAT boot sector at byte 1048576 declares 0 bytes per sector'),
    });
  });

  it('stays judged when no loader was found at all', () => {
    const report: SecureBootReport = { loaders: [], byArchitecture: [], dataDate: '2026-01-01' };
    expect(secureBootOf(bootWith(report), null, revocations)).toEqual({ state: 'judged', report });
  });
});
