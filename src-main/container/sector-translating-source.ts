// A ByteSource presenting the data track of a raw disc container as plain 2048-byte logical sectors,
// the bytes an .iso would hold. ECMA-130 14 (sector layout): a 2352-byte Mode 1 sector is 12 bytes
// sync + 4 header, 2048 user data, EDC/ECC; a Mode 2 form 1 sector carries an 8-byte subheader too.
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';

export const logicalSectorBytes = 2048;

export interface DataTrackLayout {
  /** Where the track's first user sector (INDEX 01) starts in the container file. */
  readonly trackOffsetBytes: number;
  readonly sectorCount: number;
  /** Bytes one sector takes in the file: 2048, 2336, 2352 or 2448 (2352 + 96 subchannel). */
  readonly sectorSizeBytes: number;
  /** Where the 2048 user bytes start inside a stored sector: 0, 8 (2336), 16 (Mode 1) or 24 (Mode 2 form 1). */
  readonly userDataOffsetBytes: number;
}

/** Reads of raw sectors are split so one call never asks the file for more than this. */
const maxRawReadBytes = 4 * 1024 * 1024;

export function createSectorTranslatingSource(inner: ByteSource, layout: DataTrackLayout, options: { name: string }): ByteSource {
  const { trackOffsetBytes, sectorCount, sectorSizeBytes, userDataOffsetBytes } = layout;
  const sizeBytes = sectorCount * logicalSectorBytes;
  const name = options.name;
  if (userDataOffsetBytes + logicalSectorBytes > sectorSizeBytes) {
    throw new RangeError(`user data at ${userDataOffsetBytes} does not fit a ${sectorSizeBytes}-byte sector`);
  }

  async function readRaw(offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    const result = new Uint8Array(lengthBytes);
    let filled = 0;
    while (filled < lengthBytes) {
      const at = offsetBytes + filled;
      const firstSector = Math.floor(at / logicalSectorBytes);
      const withinFirst = at - firstSector * logicalSectorBytes;
      const wantedSectors = Math.ceil((withinFirst + lengthBytes - filled) / logicalSectorBytes);
      const sectors = Math.max(1, Math.min(wantedSectors, Math.floor(maxRawReadBytes / sectorSizeBytes)));
      const raw = await inner.read(trackOffsetBytes + firstSector * sectorSizeBytes, sectors * sectorSizeBytes);
      for (let index = 0; index < sectors && filled < lengthBytes; index += 1) {
        const from = index * sectorSizeBytes + userDataOffsetBytes + (index === 0 ? withinFirst : 0);
        const take = Math.min(lengthBytes - filled, logicalSectorBytes - (index === 0 ? withinFirst : 0));
        result.set(raw.subarray(from, from + take), filled);
        filled += take;
      }
    }
    return result;
  }

  return {
    name,
    sizeBytes,
    async read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, sizeBytes, offsetBytes, lengthBytes);
      if (lengthBytes === 0) return new Uint8Array(0);
      // 2048-byte sectors are stored as they are: one read at the track's offset.
      if (sectorSizeBytes === logicalSectorBytes) return inner.read(trackOffsetBytes + offsetBytes, lengthBytes);
      return readRaw(offsetBytes, lengthBytes);
    },
    close() {
      return inner.close();
    },
  };
}
