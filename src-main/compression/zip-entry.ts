// The image entry of a .zip: the first entry whose name ends like an image (.iso .img .raw ...), else the
// first file entry. yauzl reads and checks the central directory; the entry's data starts after its local
// header (APPNOTE 4.3.7), which is read here and checked against the file: a stored entry is then a plain
// window of the file (random access), a deflated one is inflated by yauzl as a stream.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';

const imageExtensions = /\.(iso|img|raw|bin|dd|hddimg|wic|sdcard)$/i;
/** Central directories of real image archives list a handful of entries; a huge one is not an image zip. */
const maxEntries = 10_000;
const localHeaderBytes = 30; // APPNOTE 4.3.7: the fixed part of a local file header
const localHeaderSignature = 0x04034b50;

export interface ZipImageEntry {
  readonly entryName: string;
  /** APPNOTE 4.4.5: 0 stored, 8 deflated. */
  readonly method: number;
  readonly dataOffsetBytes: number;
  readonly compressedSizeBytes: number;
  readonly decodedSizeBytes: number;
}

/** The image entry of the zip at `path` and where its data lies in `file` (the same file, opened). */
export async function findZipImageEntry(path: string, file: ByteSource): Promise<ZipImageEntry> {
  const zip = await openZip(path);
  try {
    const entry = await pickImageEntry(zip, path);
    if (entry.generalPurposeBitFlag & 1) throw new CorruptImageError(`${path}: the zip entry ${entry.fileName} is encrypted`, { file: path });
    const dataOffsetBytes = await dataOffsetOf(file, entry);
    return {
      entryName: entry.fileName,
      method: entry.compressionMethod,
      dataOffsetBytes,
      compressedSizeBytes: entry.compressedSize,
      decodedSizeBytes: entry.uncompressedSize,
    };
  } finally {
    zip.close();
  }
}

/** The image entry's decoded bytes as a stream (yauzl inflates a deflated entry and checks its size). */
export async function openZipImageStream(path: string): Promise<{ stream: Readable; sizeBytes: number; compressedSizeBytes: number; entryName: string }> {
  const zip = await openZip(path);
  try {
    const entry = await pickImageEntry(zip, path);
    const stream = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (error, readable) => (error ? reject(corrupt(path, error)) : resolve(readable))),
    );
    stream.once('close', () => zip.close());
    return { stream, sizeBytes: entry.uncompressedSize, compressedSizeBytes: entry.compressedSize, entryName: entry.fileName };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, file) =>
      error ? reject(corrupt(path, error)) : resolve(file),
    ),
  );
}

async function pickImageEntry(zip: yauzl.ZipFile, path: string): Promise<yauzl.Entry> {
  const entries = await readEntries(zip, path);
  const files = entries.filter((entry) => !entry.fileName.endsWith('/'));
  const entry = files.find((candidate) => imageExtensions.test(candidate.fileName)) ?? files[0];
  if (!entry) throw new CorruptImageError(`${path}: the zip archive holds no file`, { file: path });
  return entry;
}

/** APPNOTE 4.3.7: signature, ..., file name length at 26, extra field length at 28, then the data. */
async function dataOffsetOf(file: ByteSource, entry: yauzl.Entry): Promise<number> {
  const headerOffset = entry.relativeOffsetOfLocalHeader;
  const outside = (what: string): CorruptImageError =>
    new CorruptImageError(`${file.name}: the local header of ${entry.fileName} (file offset ${headerOffset}) ${what}`, {
      file: file.name,
      offsetBytes: headerOffset,
    });
  if (headerOffset + localHeaderBytes > file.sizeBytes) throw outside(`lies outside the ${file.sizeBytes}-byte file`);
  const header = await file.read(headerOffset, localHeaderBytes);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint32(0, true) !== localHeaderSignature) throw outside('has no local file header signature');
  const dataOffsetBytes = headerOffset + localHeaderBytes + view.getUint16(26, true) + view.getUint16(28, true);
  if (dataOffsetBytes + entry.compressedSize > file.sizeBytes) {
    throw outside(`puts ${entry.compressedSize} bytes of data at byte ${dataOffsetBytes}, past the end of the ${file.sizeBytes}-byte file`);
  }
  return dataOffsetBytes;
}

function readEntries(zip: yauzl.ZipFile, path: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) reject(new CorruptImageError(`${path}: more than ${maxEntries} zip entries`, { file: path }));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => reject(corrupt(path, error)));
    zip.readEntry();
  });
}

/** yauzl's complaints about the archive are damage; a file system error (ENOENT, EACCES, EIO) stays what it is. */
function corrupt(path: string, error: Error): Error {
  if ('code' in error && typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code)) return error;
  return new CorruptImageError(`${path}: ${error.message}`, { file: path });
}
