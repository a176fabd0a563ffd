// A call's answer about the open image (src-renderer/state/image-answer.svelte.ts, what the boot
// report and the pre-flight assessment are kept in), over the real engine: an answer that comes back
// after another image was asked about is dropped, and a failed call is kept as its error.
import { describe, expect, it } from 'vitest';
import { ImageAnswer } from '../../src-renderer/state/image-answer.svelte.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { inProcessEngine } from './in-process-engine.ts';

describe('ImageAnswer', () => {
  it("keeps the answer for the image asked about last, dropping the earlier image's that came back after it", async () => {
    const { client } = inProcessEngine();
    const [first, second] = [nonhybridGrubIsoPath(), bootFixturePath('hybridGpt')];
    let releaseFirst = (): void => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const answer = new ImageAnswer((path) =>
      client.call('image:boot', { path }).then(async (result) => {
        if (path === first) await firstHeld; // the first image's answer comes back last
        return result;
      }),
    );
    const firstLoad = answer.load(first);
    await answer.load(second);
    const secondReport = answer.value;
    expect(secondReport?.verdict.usb).toBe('yes'); // the hybrid image's
    releaseFirst();
    await firstLoad;
    expect(answer.value).toBe(secondReport);
    expect(answer.error).toBeNull();
    expect(answer.loading).toBe(false);
    // The first image's own answer differs: keeping it would have shown the wrong image's report.
    await answer.load(first);
    expect(answer.value?.verdict.usb).not.toBe('yes');
  });

  it('keeps a failed call as its error, with no answer', async () => {
    const { client } = inProcessEngine();
    const answer = new ImageAnswer((path) => client.call('image:boot', { path }));
    await answer.load('/nonexistent/isotope-image-answer.iso');
    expect(answer.value).toBeNull();
    expect(answer.error?.code).toBe('not-found');
    expect(answer.loading).toBe(false);
  });
});
