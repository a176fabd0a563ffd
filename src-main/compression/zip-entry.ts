// The first image entry of a .zip, streamed (yauzl reads the central directory, then inflates one
// entry without temporary files). "Image" is judged by extension; without one, the first file entry.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { FlashFailure } from '../flash-error.ts';

const imageExtensions = /\.(iso|img|raw|bin|dd|hddimg|wic|sdcard)$/i;
/** Central directories of real image archives list a handful of entries; a huge one is not an image zip. */
const maxEntries = 10_000;

export async function openFirstZipImage(path: string): Promise<{ stream: Readable; sizeBytes: number | null }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, file) =>
      error ? reject(corrupt(path, error)) : resolve(file),
    ),
  );
  try {
    const entries = await readEntries(zip, path);
    const files = entries.filter((entry) => !entry.fileName.endsWith('/'));
    const entry = files.find((candidate) => imageExtensions.test(candidate.fileName)) ?? files[0];
    if (!entry) throw new FlashFailure('corrupt-archive', `${path}: the zip archive holds no file`);
    const stream = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (error, readable) => (error ? reject(corrupt(path, error)) : resolve(readable))),
    );
    stream.once('close', () => zip.close());
    return { stream, sizeBytes: entry.uncompressedSize };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function readEntries(zip: yauzl.ZipFile, path: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) reject(new FlashFailure('corrupt-archive', `${path}: more than ${maxEntries} zip entries`));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => reject(corrupt(path, error)));
    zip.readEntry();
  });
}

function corrupt(path: string, error: Error): FlashFailure {
  return new FlashFailure('corrupt-archive', `${path}: ${error.message}`);
}
