// U-Boot loaders at the places SoC boot ROMs read them from an SD card, before the first partition:
// each family's header at its documented offset, so a found header means "this card boots on the
// board the loader was built for". Offsets from U-Boot's own documentation and Debian's READMEs:
// Allwinner eGON.BT0 at 8 KiB, and 128 KiB on H3 and later (doc/board/allwinner/sunxi.rst); Rockchip
// idbloader at sector 64 (doc/board/rockchip/rockchip.rst); i.MX IVT at 1 KiB (i.MX5/6/7), 32 KiB
// (i.MX8MN/MP) and 33 KiB (i.MX8MQ/MM) (i.MX reference manuals, "Boot from SD"); TI OMAP/AM335x TOC
// "CHSETTINGS" at 0, 128, 256 or 384 KiB (AM335x TRM 26.1.8.5, raw mode); Amlogic "@AML" at sector 1
// (GXBB boot ROM, doc/board/amlogic). A "U-Boot SPL"/"TPL" string at no such place still says U-Boot
// is there, for a board Isotope cannot name.
import type { UBootLoader } from '../../shared/boot.ts';

/** The boot ROMs above read nothing past 1 MiB of raw card bytes (Rockchip's sector 64 loader is the farthest that matters). */
export const rawLoaderAreaBytes = 1024 * 1024;

/** One rule: the family's header in `area` (the card's first bytes before any partition) at one of its offsets. */
type LoaderProbe = (area: Uint8Array) => UBootLoader | null;

/**
 * The U-Boot loader among the first bytes of an image, `area` cut where the first partition starts
 * (a loader inside a partition is file system data, not something a boot ROM reads raw). Null when none.
 */
export function findRawUBootLoader(area: Uint8Array): UBootLoader | null {
  for (const probe of probes) {
    const found = probe(area);
    if (found) return found;
  }
  return findUBootString(area);
}

/**
 * SRAM where the TI boot ROMs load a GP image: OMAP3/OMAP4 from 0x40200000, AM335x from 0x402F0400,
 * all ending at 0x4030FFFF (OMAP35x TRM 25.4.8.1, AM335x TRM 26.1.4.2 "public RAM"). One range holds both.
 */
const tiSramStart = 0x40200000;
const tiSramEnd = 0x4030ffff;

/**
 * TI's MLO file in a FAT partition (AM335x TRM 26.1.8.5.5: the ROM loads "MLO" from the root of the
 * active FAT partition): its first bytes hold the TOC with "CHSETTINGS", or start with the GP header
 * (TRM 26.1.10.1: u32 image size, u32 load address). A file named MLO with neither is no TI loader:
 * the name alone says nothing about the bytes the ROM would run.
 */
export function recogniseMloFile(head: Uint8Array, fileOffsetBytes: number, fileSizeBytes: number, partitionNumber: number): UBootLoader | null {
  const hasToc = asciiAt(head, 0x14, 10) === 'CHSETTINGS';
  if (!hasToc && !hasPlausibleGpHeader(head, fileSizeBytes)) return null;
  return {
    family: 'ti-omap',
    offsetBytes: fileOffsetBytes,
    evidence: `the file MLO in the root of FAT partition ${partitionNumber}, at byte ${fileOffsetBytes}${hasToc ? ', with the CHSETTINGS table of contents' : ', with a GP header loading into SRAM'}`,
    board: null,
    version: findVersion(head, 0),
  };
}

/** GP header: the image size (> 0, within the file) and a load address inside the SoC's SRAM. */
function hasPlausibleGpHeader(head: Uint8Array, fileSizeBytes: number): boolean {
  if (head.byteLength < 8) return false;
  const imageSizeBytes = uint32Le(head, 0);
  const loadAddress = uint32Le(head, 4);
  return imageSizeBytes > 0 && imageSizeBytes <= fileSizeBytes && loadAddress >= tiSramStart && loadAddress <= tiSramEnd;
}

const probes: readonly LoaderProbe[] = [findAllwinner, findRockchip, findImx, findTiRaw, findAmlogic];

/** sunxi: "eGON.BT0" at byte 4 of the SPL; U-Boot's SPL header ("SPL", version >= 2) names the device tree at the u32 offset at 0x20. */
function findAllwinner(area: Uint8Array): UBootLoader | null {
  for (const offsetBytes of [8 * 1024, 128 * 1024]) {
    if (asciiAt(area, offsetBytes + 4, 8) !== 'eGON.BT0') continue;
    const hasSplHeader = asciiAt(area, offsetBytes + 0x14, 3) === 'SPL' && (area[offsetBytes + 0x17] ?? 0) >= 2;
    const nameOffset = hasSplHeader ? uint32Le(area, offsetBytes + 0x20) : 0;
    const board = nameOffset > 0 && nameOffset < 32 * 1024 ? cString(area, offsetBytes + nameOffset, 64) : null;
    const damaged = checkEgonSum(area, offsetBytes);
    return {
      family: 'allwinner',
      offsetBytes,
      evidence: `the Allwinner boot ROM's eGON.BT0 header at byte ${offsetBytes + 4}${board ? `, SPL built for the device tree ${board}` : ''}`,
      board,
      version: findVersion(area, offsetBytes),
      ...(damaged ? { damaged } : {}),
    };
  }
  return null;
}

/** U-Boot tools/sunxi_egon.c: the check sum is computed with this stamp in its own field. */
const egonStamp = 0x5f0a6c39;

/**
 * The boot ROM loads an eGON image only when its u32 check sum (byte 12) equals the sum of the image's
 * u32 words over its length (byte 16), the check sum field counted as the stamp (sunxi_egon.c,
 * egon_set_header). A reason the ROM refuses it, or null when it checks out. One pass over at most the area.
 */
function checkEgonSum(area: Uint8Array, offsetBytes: number): string | null {
  const lengthBytes = uint32Le(area, offsetBytes + 16);
  if (lengthBytes < 32 || lengthBytes % 4 !== 0 || offsetBytes + lengthBytes > area.byteLength) {
    return `the eGON header at byte ${offsetBytes} declares a length of ${lengthBytes} bytes, not a multiple of 4 within the ${area.byteLength - offsetBytes} bytes before the first partition`;
  }
  const view = new DataView(area.buffer, area.byteOffset + offsetBytes, lengthBytes);
  const storedSum = view.getUint32(12, true);
  let sum = 0;
  for (let at = 0; at < lengthBytes; at += 4) sum = (sum + (at === 12 ? egonStamp : view.getUint32(at, true))) >>> 0;
  return sum === storedSum
    ? null
    : `the eGON check sum at byte ${offsetBytes + 12} is 0x${storedSum.toString(16)}, but the ${lengthBytes} bytes sum to 0x${sum.toString(16)}`;
}

/** U-Boot tools/rkcommon.c: header0 at sector 64, RC4-encrypted with this fixed key, magic 0x0FF0AA55; the SPL follows 4 sectors on. */
const rockchipRc4Key = [124, 78, 3, 4, 85, 5, 9, 7, 45, 44, 123, 56, 23, 13, 23, 17];
const rockchipHeaderMagic = 0x0ff0aa55;

function findRockchip(area: Uint8Array): UBootLoader | null {
  const offsetBytes = 64 * 512;
  if (area.byteLength < offsetBytes + 2048 + 4) return null;
  // Newer SoCs (RK3568, RK3588) write an unencrypted "RKNS" header instead (rkcommon.c, header v2).
  const isV2 = asciiAt(area, offsetBytes, 4) === 'RKNS';
  const header = rc4(rockchipRc4Key, area.subarray(offsetBytes, offsetBytes + 16));
  if (!isV2 && uint32Le(header, 0) !== rockchipHeaderMagic) return null;
  // The SPL header rkcommon.c writes at the start of the init code: "RK30".."RK33" (the SoC's boot ROM generation).
  const splMagic = isV2 ? null : asciiAt(area, offsetBytes + 2048, 4);
  const board = splMagic !== null && /^RK[0-9A-Z]{2}$/.test(splMagic) ? splMagic : null;
  return {
    family: 'rockchip',
    offsetBytes,
    evidence: isV2
      ? `a Rockchip RKNS boot header at sector 64 (byte ${offsetBytes})`
      : `a Rockchip idbloader at sector 64 (byte ${offsetBytes}): its RC4-encoded header decodes to magic 0x0FF0AA55${board ? `, init code marked ${board}` : ''}`,
    board,
    version: findVersion(area, offsetBytes),
  };
}

/** i.MX image vector table: tag 0xD1, length 0x0020 big-endian, HAB version 0x40-0x43 (i.MX6 RM 8.7.1.1). */
function findImx(area: Uint8Array): UBootLoader | null {
  for (const offsetBytes of [1024, 32 * 1024, 33 * 1024]) {
    if (area.byteLength < offsetBytes + 32) continue;
    const version = area[offsetBytes + 3] ?? 0;
    if (area[offsetBytes] !== 0xd1 || area[offsetBytes + 1] !== 0x00 || area[offsetBytes + 2] !== 0x20 || version < 0x40 || version > 0x43) continue;
    return {
      family: 'nxp-imx',
      offsetBytes,
      evidence: `an i.MX image vector table (tag 0xD1, HAB version 0x${version.toString(16)}) at byte ${offsetBytes}`,
      board: null,
      version: findVersion(area, offsetBytes),
    };
  }
  return null;
}

/** TI raw mode: a TOC item named "CHSETTINGS" at byte 0x14 of the sector the ROM tries (0, 128, 256, 384 KiB). */
function findTiRaw(area: Uint8Array): UBootLoader | null {
  for (const offsetBytes of [0, 128 * 1024, 256 * 1024, 384 * 1024]) {
    if (asciiAt(area, offsetBytes + 0x14, 10) !== 'CHSETTINGS') continue;
    return {
      family: 'ti-omap',
      offsetBytes,
      evidence: `a TI boot ROM table of contents (CHSETTINGS) at byte ${offsetBytes}, where the OMAP/AM335x ROM reads an MLO in raw mode`,
      board: null,
      version: findVersion(area, offsetBytes),
    };
  }
  return null;
}

/** Amlogic GXBB and later: the boot ROM reads sector 1; the BL2 image carries "@AML" at byte 0x10. */
function findAmlogic(area: Uint8Array): UBootLoader | null {
  const offsetBytes = 512;
  if (asciiAt(area, offsetBytes + 0x10, 4) !== '@AML') return null;
  return {
    family: 'amlogic',
    offsetBytes,
    evidence: `an Amlogic boot image (@AML) at byte ${offsetBytes + 0x10}, in sector 1 where the boot ROM reads it`,
    board: null,
    version: findVersion(area, offsetBytes),
  };
}

const splMarker = /U-Boot (?:SPL|TPL) /;

function findUBootString(area: Uint8Array): UBootLoader | null {
  const text = latin1(area);
  const match = splMarker.exec(text);
  if (!match) return null;
  return {
    family: 'unknown',
    offsetBytes: match.index,
    evidence: `the string "${match[0].trim()}" at byte ${match.index}, at no offset a boot ROM Isotope knows reads`,
    board: null,
    version: findVersion(area, match.index),
  };
}

/** "U-Boot SPL 2023.01+dfsg-2 (Jun 22 2026 - 08:38:07 +0000)": the version banner the loader prints, searched from `fromBytes` on. */
function findVersion(area: Uint8Array, fromBytes: number): string | null {
  const match = /U-Boot(?: SPL| TPL)? \d{4}\.\d{2}[\x20-\x7e]{0,96}/.exec(latin1(area.subarray(fromBytes)));
  return match ? match[0] : null;
}

function rc4(key: readonly number[], data: Uint8Array): Uint8Array {
  const state = Array.from({ length: 256 }, (_, index) => index);
  let j = 0;
  for (let i = 0; i < 256; i += 1) {
    j = (j + (state[i] ?? 0) + (key[i % key.length] ?? 0)) % 256;
    [state[i], state[j]] = [state[j] ?? 0, state[i] ?? 0];
  }
  const out = new Uint8Array(data.byteLength);
  let i = 0;
  j = 0;
  for (let at = 0; at < data.byteLength; at += 1) {
    i = (i + 1) % 256;
    j = (j + (state[i] ?? 0)) % 256;
    [state[i], state[j]] = [state[j] ?? 0, state[i] ?? 0];
    out[at] = (data[at] ?? 0) ^ (state[((state[i] ?? 0) + (state[j] ?? 0)) % 256] ?? 0);
  }
  return out;
}

function asciiAt(bytes: Uint8Array, at: number, length: number): string {
  if (at < 0 || at + length > bytes.byteLength) return '';
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function uint32Le(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.byteLength) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
}

/** A NUL-terminated printable string of at most `maxLength` bytes; null when empty or not printable. */
function cString(bytes: Uint8Array, at: number, maxLength: number): string | null {
  let text = '';
  for (let index = at; index < Math.min(bytes.byteLength, at + maxLength); index += 1) {
    const byte = bytes[index] ?? 0;
    if (byte === 0) break;
    if (byte < 0x20 || byte > 0x7e) return null;
    text += String.fromCharCode(byte);
  }
  return text.length > 0 ? text : null;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
