// The Authenticode PE image hash and the signatures a PE image carries (Microsoft, "Windows Authenticode
// Portable Executable Signature Format", section "Calculating the PE Image Hash"; PE Format, "The Attribute
// Certificate Table"). The hash is what UEFI firmware compares with db and dbx entries, so it is computed
// exactly as the spec (and EDK2's DxeImageVerificationLib) does. Each byte of the file is read at most once.
import { createHash, type Hash } from 'node:crypto';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import type { PeImage } from './pe-image.ts';

const HASH_CHUNK_BYTES = 1 << 20;
const CHECKSUM_SIZE_BYTES = 4;
const DATA_DIRECTORY_ENTRY_SIZE_BYTES = 8;
/** WIN_CERTIFICATE: dwLength (4), wRevision (2), wCertificateType (2), then bCertificate. */
const WIN_CERTIFICATE_HEADER_BYTES = 8;
const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;
/** Real loaders carry a few signatures of a few KiB; a larger table is refused rather than held in memory. */
export const MAX_CERTIFICATE_TABLE_BYTES = 1 << 24;

async function hashRange(hash: Hash, source: ByteSource, offsetBytes: number, endBytes: number): Promise<void> {
  for (let at = offsetBytes; at < endBytes; at += HASH_CHUNK_BYTES) {
    hash.update(await source.read(at, Math.min(HASH_CHUNK_BYTES, endBytes - at)));
  }
}

/**
 * The Authenticode SHA-256 of a PE image, lower-case hex: the headers without the CheckSum and the
 * Certificate Table entry, then each section's raw data in file order (sorted by PointerToRawData), then
 * the data after SUM_OF_BYTES_HASHED up to the file's end less the certificate table's size.
 */
export async function authenticodeSha256(source: ByteSource, image: PeImage): Promise<string> {
  const hash = createHash('sha256');
  await hashRange(hash, source, 0, image.checksumOffsetBytes);
  if (image.certificateEntryOffsetBytes === null) {
    // No Certificate Table entry (NumberOfRvaAndSizes <= 4): the rest of the headers, whole.
    await hashRange(hash, source, image.checksumOffsetBytes + CHECKSUM_SIZE_BYTES, image.headersSizeBytes);
  } else {
    await hashRange(hash, source, image.checksumOffsetBytes + CHECKSUM_SIZE_BYTES, image.certificateEntryOffsetBytes);
    await hashRange(hash, source, image.certificateEntryOffsetBytes + DATA_DIRECTORY_ENTRY_SIZE_BYTES, image.headersSizeBytes);
  }
  let sumOfBytesHashed = image.headersSizeBytes;
  const sections = image.sections.filter((section) => section.rawSizeBytes > 0).sort((a, b) => a.rawOffsetBytes - b.rawOffsetBytes);
  for (const section of sections) {
    await hashRange(hash, source, section.rawOffsetBytes, section.rawOffsetBytes + section.rawSizeBytes);
    sumOfBytesHashed += section.rawSizeBytes;
  }
  // "Extra data": FileSize - (CertDirectory.Size + SUM_OF_BYTES_HASHED) bytes from SUM_OF_BYTES_HASHED.
  const certificateSizeBytes = image.certificateTable?.sizeBytes ?? 0;
  const extraEndBytes = source.sizeBytes - certificateSizeBytes;
  if (extraEndBytes > sumOfBytesHashed) await hashRange(hash, source, sumOfBytesHashed, extraEndBytes);
  return hash.digest('hex');
}

/** The length of the DER element at the start of `bytes` (ITU-T X.690 8.1.3, definite form), or null when it does not fit. */
function derElementLengthBytes(bytes: Uint8Array): number | null {
  if (bytes.length < 2) return null;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const lengthOctets = first & 0x7f;
  if (lengthOctets === 0 || lengthOctets > 4 || bytes.length < 2 + lengthOctets) return null;
  let contentBytes = 0;
  for (let index = 0; index < lengthOctets; index++) contentBytes = contentBytes * 256 + bytes[2 + index]!;
  return 2 + lengthOctets + contentBytes;
}

/**
 * The DER PKCS#7 SignedData blobs of the image's WIN_CERTIFICATE entries of type PKCS_SIGNED_DATA, in
 * order. Entries are 8-byte aligned (PE Format: "quadword aligned"); each must fit in the table, and its
 * DER element must fit in the entry (the padding after it is dropped). Other entry types are skipped.
 */
export async function readSignatures(source: ByteSource, image: PeImage): Promise<readonly Uint8Array[]> {
  const certificateTable = image.certificateTable;
  if (certificateTable === null) return [];
  if (certificateTable.sizeBytes > MAX_CERTIFICATE_TABLE_BYTES) {
    throw new CorruptImageError(
      `${source.name}: certificate table of ${certificateTable.sizeBytes} bytes at offset ${certificateTable.offsetBytes} exceeds the ${MAX_CERTIFICATE_TABLE_BYTES}-byte limit`,
      { offsetBytes: certificateTable.offsetBytes },
    );
  }
  const table = await source.read(certificateTable.offsetBytes, certificateTable.sizeBytes);
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const signatures: Uint8Array[] = [];
  let at = 0;
  while (at + WIN_CERTIFICATE_HEADER_BYTES <= table.byteLength) {
    const lengthBytes = view.getUint32(at, true);
    const type = view.getUint16(at + 6, true);
    const fileOffsetBytes = certificateTable.offsetBytes + at;
    if (lengthBytes < WIN_CERTIFICATE_HEADER_BYTES || at + lengthBytes > table.byteLength) {
      throw new CorruptImageError(
        `${source.name}: WIN_CERTIFICATE dwLength ${lengthBytes} at offset ${fileOffsetBytes} does not fit the ${certificateTable.sizeBytes}-byte certificate table`,
        { offsetBytes: fileOffsetBytes },
      );
    }
    if (type === WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      const content = table.subarray(at + WIN_CERTIFICATE_HEADER_BYTES, at + lengthBytes);
      const derLengthBytes = derElementLengthBytes(content);
      if (derLengthBytes === null || derLengthBytes > content.byteLength) {
        throw new CorruptImageError(
          `${source.name}: PKCS#7 signature at offset ${fileOffsetBytes + WIN_CERTIFICATE_HEADER_BYTES} claims ${derLengthBytes ?? 'an unreadable number of'} bytes, more than its ${content.byteLength}-byte WIN_CERTIFICATE`,
          { offsetBytes: fileOffsetBytes + WIN_CERTIFICATE_HEADER_BYTES },
        );
      }
      signatures.push(content.slice(0, derLengthBytes));
    }
    at += Math.ceil(lengthBytes / 8) * 8;
  }
  return signatures;
}
