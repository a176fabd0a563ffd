// The Write screen's mode and Windows options (src-renderer/state/write-options.svelte.ts) over the
// real engine's assessment of real images: what `auto` picks is the engine's word, an override is
// the user's, the Windows options reach the request only for a Windows installer, and an account
// name Windows Setup would refuse stops the write before the engine is asked.
import { describe, expect, it } from 'vitest';
import { ImageAssessmentState } from '../../src-renderer/state/image-assessment.svelte.ts';
import { WriteOptions, accountNameProblem } from '../../src-renderer/state/write-options.svelte.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { inProcessEngine } from './in-process-engine.ts';

async function automaticModeOf(path: string) {
  const assessment = new ImageAssessmentState(inProcessEngine().client);
  await assessment.load(path);
  expect(assessment.error).toBeNull();
  return assessment.assessment?.writeMode ?? null;
}

describe('WriteOptions', () => {
  it("takes the engine's automatic choice (copy files for a non-hybrid EFI ISO, raw for a hybrid one) until the user overrides it", async () => {
    const options = new WriteOptions();
    const nonHybrid = await automaticModeOf(nonhybridGrubIsoPath());
    const hybrid = await automaticModeOf(bootFixturePath('hybridGpt'));
    expect(options.effectiveMode(nonHybrid)).toEqual({ mode: 'copy', reason: 'el-torito-efi-not-hybrid' });
    expect(options.effectiveMode(hybrid)).toEqual({ mode: 'raw', reason: 'hybrid-iso' });

    options.mode = 'raw';
    expect(options.effectiveMode(nonHybrid)).toEqual({ mode: 'raw', reason: 'chosen-by-user' });
    expect(options.request({ windowsInstaller: false })).toEqual({ mode: 'raw', copy: { table: 'mbr' } });
    options.reset();
    expect(options.effectiveMode(nonHybrid)).toEqual({ mode: 'copy', reason: 'el-torito-efi-not-hybrid' });
  });

  it('asks for the Windows options only for a Windows installer, each off until chosen, with the account name trimmed', async () => {
    const automatic = await automaticModeOf(windowsLikeUdfIsoPath());
    expect(automatic).toEqual({ mode: 'copy', reason: 'windows-installer' });
    const options = new WriteOptions();
    expect(options.request({ windowsInstaller: true })).toEqual({
      mode: 'auto',
      copy: { table: 'mbr', windows: { skipHardwareChecks: false, localAccountName: null, regionalFromHost: false } },
    });

    options.table = 'gpt';
    options.skipHardwareChecks = true;
    options.createLocalAccount = true;
    options.localAccountName = '  ada ';
    options.regionalFromHost = true;
    expect(options.request({ windowsInstaller: true })).toEqual({
      mode: 'auto',
      copy: { table: 'gpt', windows: { skipHardwareChecks: true, localAccountName: 'ada', regionalFromHost: true } },
    });
    // A non-Windows image gets no Windows options, whatever was ticked for another.
    expect(options.request({ windowsInstaller: false })).toEqual({ mode: 'auto', copy: { table: 'gpt' } });
  });

  it('holds back a local account whose name Windows Setup refuses: empty, over 20 characters, or with a forbidden character', () => {
    const options = new WriteOptions();
    expect(options.accountProblem).toBeNull();
    options.createLocalAccount = true;
    expect(options.accountProblem).toBe('empty');
    options.localAccountName = 'a'.repeat(21);
    expect(options.accountProblem).toBe('too-long');
    options.localAccountName = 'a'.repeat(20);
    expect(options.accountProblem).toBeNull();
    expect(accountNameProblem('ada@home')).toBe('forbidden-character');
    expect(accountNameProblem('back\\slash')).toBe('forbidden-character');
    expect(accountNameProblem('Ada Lovelace')).toBeNull();
  });
});
