// `isotope find` (issue 17's search, on the command line), in-process through runCli against real
// images: the paths a glob matches, the JSON document, the exit codes, and --max.
import { describe, expect, it } from 'vitest';
import { previewIsoPath } from '../fixtures/preview-images.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';

describe('isotope find', () => {
  it('prints one path per match of a glob, and exits 0', async () => {
    const run = await isotope(['find', previewIsoPath(), 'pictures/*.svg']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual(['/pictures/drawing.svg', '/pictures/scripted.svg']);
  });

  it('prints one JSON document with the matches and counts', async () => {
    const run = await isotope(['find', xorrisoFeaturesIsoPath(), 'readme', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      matches: [{ path: '/README.TXT', kind: 'file', sizeBytes: 20 }],
      matchCount: 1,
      entriesSearched: expect.any(Number) as number,
      truncated: false,
    });
  });

  it('exits 1 when nothing matches, and stops at --max saying so', async () => {
    expect(await isotope(['find', previewIsoPath(), '*.exe'])).toMatchObject({ code: 1, stdout: '' });
    const capped = await isotope(['find', previewIsoPath(), '*', '--max', '2']);
    expect(capped.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(capped.stderr).toContain('stopped at 2 matches');
    expect((await isotope(['find', previewIsoPath(), '*', '--max', '0'])).code).toBe(2);
  });
});
