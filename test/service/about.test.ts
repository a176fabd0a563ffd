// Settings › About through the contract (issue 17): run from source the engine names no build (only
// `npm run build` embeds one), and app:licence-text answers the full text of an item of about.licences
// from the file installed with it, found by the item's name, never by a path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { testService } from '../helpers/in-process-cli.ts';

const service = testService();

describe('Settings › About', () => {
  it('names no engine build when run from source (tsx, tests): null, never a guess', async () => {
    expect(await service.call('app:describe', {})).toMatchObject({ ok: true, value: { about: { build: null } } });
  });

  it("answers a library's licence text from its installed LICENSE file, whatever the file's suffix", async () => {
    expect(await service.call('app:licence-text', { name: 'openpgp' })).toEqual({
      ok: true,
      value: { name: 'openpgp', fileName: 'LICENSE', text: readFileSync(join(repoRoot, 'node_modules/openpgp/LICENSE'), 'utf8'), truncated: false },
    });
    expect(await service.call('app:licence-text', { name: 'valibot' })).toMatchObject({ ok: true, value: { fileName: 'LICENSE.md' } });
  });

  it('answers each vendored data item with the licence file resources/secureboot/README.md names for it', async () => {
    const described = await service.call('app:describe', {});
    const data = described.ok ? (described.value.about?.licences.filter((item) => item.kind === 'data') ?? []) : [];
    const texts = await Promise.all(data.map((item) => service.call('app:licence-text', { name: item.name })));
    expect(texts.map((answer) => answer.ok && answer.value.fileName)).toEqual(['LICENSE.secureboot_objects.txt', 'COPYRIGHT.shim.txt']);
    expect(texts[0]).toMatchObject({ ok: true, value: { text: readFileSync(join(repoRoot, 'resources/secureboot/LICENSE.secureboot_objects.txt'), 'utf8') } });
  });

  it('refuses a name not in the list, a path included, naming it', async () => {
    for (const name of ['../../package.json', 'node_modules/openpgp/LICENSE', 'left-pad']) {
      const answer = await service.call('app:licence-text', { name });
      expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      expect(answer.ok ? '' : answer.error.message).toContain(name);
    }
  });
});
