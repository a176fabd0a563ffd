// The mode a write plans from the image: a cut-short image, which the assessment blocks but the user
// may write anyway, is planned raw (no tree to copy from) instead of failing the plan; asked for copy
// files, it is refused as the damage it is.
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWimPartBytes, noWindowsOptions } from '../../shared/stick.ts';
import { planStickWrite } from '../../src-main/flash/stick-plan.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-stick-plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const copy = { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions } as const;

function cutShort(imagePath: string, fraction: number): string {
  const path = join(scratch, `cut-${fraction}-${imagePath.split('/').pop()}`);
  copyFileSync(imagePath, path);
  truncateSync(path, Math.floor(statSync(imagePath).size * fraction));
  return path;
}

describe('planStickWrite', () => {
  it('plans the whole image as copy files for a non-hybrid EFI ISO', async () => {
    const plan = await planStickWrite({ path: nonhybridGrubIsoPath(), mode: 'auto', copy, deviceSizeBytes: 64 * 1024 * 1024 });
    expect(plan).toMatchObject({ mode: { mode: 'copy', reason: 'el-torito-efi-not-hybrid' }, copy, stick: { composedForBytes: 64 * 1024 * 1024 } });
  });

  it.each([0.5, 0.02])('plans a copy cut to %s of its size raw (to be written anyway), not a failure', async (fraction) => {
    for (const image of [nonhybridGrubIsoPath(), windowsLikeUdfIsoPath()]) {
      const plan = await planStickWrite({ path: cutShort(image, fraction), mode: 'auto', copy, deviceSizeBytes: 64 * 1024 * 1024 });
      expect(plan).toMatchObject({ mode: { mode: 'raw', reason: 'not-a-file-system-image' }, copy: null, stick: null, bootPrediction: { mode: 'raw' } });
    }
  });

  it('refuses copy files of a cut-short image as corrupt, naming where', async () => {
    await expect(planStickWrite({ path: cutShort(windowsLikeUdfIsoPath(), 0.5), mode: 'copy', copy, deviceSizeBytes: 64 * 1024 * 1024 })).rejects.toThrow(
      /past the image end/,
    );
  });
});
