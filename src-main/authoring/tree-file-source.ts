// A source file's content, opened lazily and checked for change (issue 15).
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';

/** A file's content opened lazily at its first read and closed after its last byte is read. */
export function treeFileSource(path: string, expected: { sizeBytes: number; modifiedMs: number }): ByteSource {
  return {
    sizeBytes: expected.sizeBytes,
    name: path,
    read: async () => {
      throw new CodedError('unsupported', 'treeFileSource is not built yet');
    },
    close: async () => {},
  };
}
