// File systems Isotope names by their signature only. Stub: filled next.
import type { FilesystemInfo } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';

export function identifyFilesystemSignature(_source: ByteSource): Promise<FilesystemInfo | null> {
  return Promise.resolve(null);
}
