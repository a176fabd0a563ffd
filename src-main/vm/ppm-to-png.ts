// QEMU's screendump writes a binary PPM (Netpbm P6: "P6 WIDTH HEIGHT MAXVAL" then RGB bytes); people
// and browsers want PNG. The PPM comes from a process we started, but it is still parsed with bounds:
// its header must be complete, its sizes small enough and its pixel data exactly as long as they say.
// PNG (RFC 2083 / ISO 15948): signature, IHDR, one zlib IDAT of filter-0 scanlines, IEND; each chunk
// with its CRC-32 over type and data.
import { crc32, deflateSync } from 'node:zlib';
import { CodedError } from '../jobs/errors.ts';

export interface RgbImage {
  readonly widthPixels: number;
  readonly heightPixels: number;
  /** width × height × 3 bytes, rows top to bottom, 8 bits per channel. */
  readonly rgb: Uint8Array;
}

/** Far above any screen QEMU draws (its std VGA tops out at 2560×1600), so a bad header cannot ask for gigabytes. */
const maxSidePixels = 16_384;
const maxHeaderBytes = 256;

/** Parses a binary PPM (P6, maxval 255) as QEMU's screendump writes it. */
export function parsePpm(bytes: Uint8Array): RgbImage {
  const fields: string[] = [];
  let offset = 0;
  // Four whitespace-separated fields (magic, width, height, maxval), '#' comments to end of line, then one whitespace byte.
  while (fields.length < 4) {
    if (offset >= Math.min(bytes.length, maxHeaderBytes))
      throw new CodedError('corrupt-image', `PPM header incomplete after ${offset} bytes (found ${fields.length} of 4 fields)`);
    const char = String.fromCharCode(bytes[offset]!);
    if (char === '#') {
      while (offset < bytes.length && bytes[offset] !== 0x0a) offset += 1;
    } else if (/\s/.test(char)) {
      offset += 1;
    } else {
      let end = offset;
      while (end < bytes.length && !/\s/.test(String.fromCharCode(bytes[end]!))) end += 1;
      fields.push(Buffer.from(bytes.subarray(offset, end)).toString('latin1'));
      offset = end;
    }
  }
  offset += 1; // the single whitespace byte after maxval
  const [magic, widthText, heightText, maxvalText] = fields as [string, string, string, string];
  const widthPixels = Number(widthText);
  const heightPixels = Number(heightText);
  if (magic !== 'P6' || maxvalText !== '255')
    throw new CodedError('corrupt-image', `PPM is ${magic} with maxval ${maxvalText}; only P6 with maxval 255 is read`);
  for (const side of [widthPixels, heightPixels]) {
    if (!Number.isInteger(side) || side < 1 || side > maxSidePixels)
      throw new CodedError('corrupt-image', `PPM size ${widthText}×${heightText} is outside 1..${maxSidePixels} pixels`);
  }
  const pixelBytes = widthPixels * heightPixels * 3;
  if (bytes.length - offset !== pixelBytes)
    throw new CodedError(
      'corrupt-image',
      `PPM of ${widthPixels}×${heightPixels} needs ${pixelBytes} pixel bytes at offset ${offset}, the file has ${bytes.length - offset}`,
    );
  return { widthPixels, heightPixels, rgb: bytes.subarray(offset) };
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit truecolour PNG of `image` (colour type 2, no interlace). */
export function encodePng(image: RgbImage): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.widthPixels, 0);
  header.writeUInt32BE(image.heightPixels, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
  const rowBytes = image.widthPixels * 3;
  const scanlines = Buffer.alloc((rowBytes + 1) * image.heightPixels);
  for (let row = 0; row < image.heightPixels; row += 1) {
    // Each scanline starts with its filter type: 0 (None).
    scanlines.set(image.rgb.subarray(row * rowBytes, (row + 1) * rowBytes), row * (rowBytes + 1) + 1);
  }
  return Buffer.concat([pngSignature, chunk('IHDR', header), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', new Uint8Array(0))]);
}

/** QEMU's screendump PPM as a PNG. */
export function ppmToPng(ppm: Uint8Array): Buffer {
  return encodePng(parsePpm(ppm));
}
