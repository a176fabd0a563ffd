// The copy options in force for a write, from what the caller asked: MBR, 4095 MiB .swm parts and no
// Windows options by default; the regional settings are the engine host's own and only when asked;
// an account name Windows would refuse is refused at prepare, naming it.
import { describe, expect, it } from 'vitest';
import { defaultWimPartBytes } from '../../shared/stick.ts';
import { copyModeOptionsOf } from '../../src-main/service/write-mode-plan.ts';

const hostRegional = () => ({ locale: 'en-GB', windowsTimeZone: 'GMT Standard Time' });

describe('copyModeOptionsOf', () => {
  it('fills in MBR, 4095 MiB parts and no Windows options when nothing is asked', () => {
    expect(copyModeOptionsOf(undefined, hostRegional)).toEqual({
      table: 'mbr',
      wimPartBytes: defaultWimPartBytes,
      windows: { skipHardwareChecks: false, localAccountName: null, regional: null },
    });
  });

  it("takes the host's regional settings only when asked, and keeps the other options as given", () => {
    const asked = copyModeOptionsOf(
      { table: 'gpt', wimPartBytes: 1024 * 1024, windows: { skipHardwareChecks: true, localAccountName: 'ana', regionalFromHost: true } },
      hostRegional,
    );
    expect(asked).toEqual({
      table: 'gpt',
      wimPartBytes: 1024 * 1024,
      windows: { skipHardwareChecks: true, localAccountName: 'ana', regional: hostRegional() },
    });
    const notAsked = copyModeOptionsOf({ windows: { skipHardwareChecks: false, localAccountName: null, regionalFromHost: false } }, hostRegional);
    expect(notAsked.windows.regional).toBeNull();
  });

  it('refuses an account name Windows would refuse, naming it', () => {
    expect(() => copyModeOptionsOf({ windows: { skipHardwareChecks: false, localAccountName: 'a/b', regionalFromHost: false } })).toThrow(
      expect.objectContaining({ code: 'invalid-request', message: expect.stringContaining('"a/b"') }),
    );
  });
});
