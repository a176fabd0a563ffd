// The file dialog under `sudo isotope web` (issue 17: it "never lists outside what the user's own
// account can read"): with euid 0 and SUDO_UID set, files:list takes the invoking user's rights and
// files:places that user's home; a real root session (no SUDO_UID) lists as root. Runs as root.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FilesListRequest } from '../../shared/files.ts';
import { fileHandlers } from '../../src-main/service/handlers/file-handlers.ts';
import type { HandlerContext } from '../../src-main/service/handler-types.ts';
import { isRoot, rootSkipReason } from '../flash/loop-devices.ts';

const nobody = 65534;
// files:* use nothing of the service's context.
const noContext = {} as HandlerContext;
const list = (request: FilesListRequest) => fileHandlers['files:list'](request, noContext);

describe.skipIf(!isRoot)(`the file dialog under sudo (${rootSkipReason})`, () => {
  let dir = '';
  const savedEnv = { SUDO_UID: process.env.SUDO_UID, SUDO_GID: process.env.SUDO_GID };
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-dialog-sudo-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'root-only'), { mode: 0o700 });
    writeFileSync(join(dir, 'root-only', 'secret.iso'), 'x');
    mkdirSync(join(dir, 'open'), { mode: 0o755 });
    writeFileSync(join(dir, 'open', 'debian.iso'), 'x', { mode: 0o644 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const asSudoFromNobody = () => {
    process.env.SUDO_UID = String(nobody);
    process.env.SUDO_GID = String(nobody);
  };

  it("refuses a root-only folder naming the user's uid, and lists a world-readable one, when SUDO_UID names nobody", async () => {
    asSudoFromNobody();
    const locked = join(dir, 'root-only');
    await expect(list({ path: locked, show: 'all' })).rejects.toMatchObject({
      code: 'permission-denied',
      message: `${locked} cannot be read by uid ${nobody}, who started Isotope with sudo (EACCES)`,
    });
    await expect(list({ path: join(locked, '.'), show: 'all' })).rejects.toMatchObject({ code: 'permission-denied' });
    const open = await list({ path: join(dir, 'open'), show: 'all' });
    expect(open.entries.map((entry) => entry.name)).toEqual(['debian.iso']);
  });

  it("names the invoking user's home as the Home place, not root's", async () => {
    asSudoFromNobody();
    const places = await fileHandlers['files:places']({}, noContext);
    // nobody's passwd home.
    expect(places.places.find((place) => place.kind === 'home')?.path).toBe('/nonexistent');
  });

  it('lists a root-only folder in a real root session (no SUDO_UID)', async () => {
    delete process.env.SUDO_UID;
    delete process.env.SUDO_GID;
    const listing = await list({ path: join(dir, 'root-only'), show: 'all' });
    expect(listing.entries.map((entry) => entry.name)).toEqual(['secret.iso']);
  });
});
