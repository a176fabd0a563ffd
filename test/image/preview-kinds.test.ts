// Previews (issue 17): pictures by their magic bytes (PNG, JPEG, GIF, SVG), never by their names,
// as the whole file's bytes; UTF-16 text with or without a byte order mark; everything else as before.
// Against an ISO built by xorriso (test/fixtures/preview-images.ts).
import { describe, expect, it } from 'vitest';
import { previewImageFile } from '../../src-main/image/image-operations.ts';
import { decodeText, pictureMimeType } from '../../src-main/image/preview-kinds.ts';
import { dotGif, drawingSvg, gradientPng, grayJpeg, linesText, previewIsoPath, scriptedSvg, utf16Text } from '../fixtures/preview-images.ts';
import { testService } from '../helpers/in-process-cli.ts';

const preview = (file: string) => previewImageFile({ path: previewIsoPath(), file });

describe('image:preview of pictures', () => {
  it.each([
    ['/pictures/gradient.png', 'image/png', gradientPng()],
    ['/pictures/dot.gif', 'image/gif', dotGif],
    ['/pictures/gray.jpg', 'image/jpeg', grayJpeg()],
    ['/pictures/drawing.svg', 'image/svg+xml', Buffer.from(drawingSvg)],
    ['/pictures/scripted.svg', 'image/svg+xml', Buffer.from(scriptedSvg)],
  ] as const)('shows %s as a picture of type %s, with every byte of the file', async (file, mimeType, bytes) => {
    const answer = await preview(file);
    expect(answer).toMatchObject({ kind: 'picture', mimeType, sizeBytes: bytes.byteLength, previewBytes: bytes.byteLength, content: '' });
    expect(Buffer.from(answer.base64 ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('decides by the bytes, not the name: a PNG named .txt is a picture, text named .png is text', async () => {
    expect(await preview('/misnamed/png-named.txt')).toMatchObject({ kind: 'picture', mimeType: 'image/png' });
    expect(await preview('/misnamed/text-named.png')).toMatchObject({ kind: 'text', content: 'This is text, whatever its name says.\n' });
  });

  it('previews a picture over 8 MiB as its first KiB of bytes', async () => {
    const answer = await preview('/big/huge.png');
    expect(answer).toMatchObject({ kind: 'binary', previewBytes: 1024 });
    expect(answer.base64).toBeUndefined();
    expect(answer.content.split('\n')[0]).toBe('00000000  89 50 4e 47 0d 0a 1a 0a 07 07 07 07 07 07 07 07  |.PNG............|');
  });

  it('does not call an XML document without an svg root a picture', () => {
    expect(pictureMimeType(Buffer.from('<?xml version="1.0"?><html><svg/></html>'))).toBeNull();
    expect(pictureMimeType(Buffer.from('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg>'))).toBe('image/svg+xml');
    expect(pictureMimeType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull(); // a cut PNG signature
  });
});

describe('image:preview of text', () => {
  it.each([
    ['/text/utf16le-bom.txt', 'utf-16le'],
    ['/text/utf16le-nobom.inf', 'utf-16le'],
    ['/text/utf16be-bom.txt', 'utf-16be'],
  ] as const)('decodes %s as %s text', async (file, encoding) => {
    expect(await preview(file)).toMatchObject({ kind: 'text', encoding, content: utf16Text });
  });

  it('keeps UTF-8 text as it was, saying so', async () => {
    expect(await preview('/text/lines.txt')).toMatchObject({ kind: 'text', encoding: 'utf-8', content: linesText });
  });

  it('drops a surrogate pair cut at the preview end instead of calling the text binary', () => {
    const units = Buffer.from('ab😀', 'utf16le');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), units.subarray(0, units.byteLength - 2)]))).toEqual({ text: 'ab', encoding: 'utf-16le' });
  });

  it('does not take binary with scattered NULs for UTF-16', () => {
    expect(decodeText(Buffer.from([0, 1, 2, 0, 0, 5, 6, 0, 9, 0, 0, 0]))).toBeNull();
  });

  it('answers through the service as the renderer asks', async () => {
    const answer = await testService().call('image:preview', { path: previewIsoPath(), file: '/pictures/dot.gif' });
    expect(answer).toMatchObject({ ok: true, value: { kind: 'picture', mimeType: 'image/gif', base64: dotGif.toString('base64') } });
  });
});
