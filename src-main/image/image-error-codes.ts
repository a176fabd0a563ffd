// The contract error code for each expected failure of the image engine (the service maps them; the
// CLI turns them into exit codes: not-found / unsupported -> 1, corrupt-image -> 3).
import type { ErrorCode } from '../../shared/errors.ts';
import { EntryNotFoundError, ExtractionConflictError, NoSpaceError, SharedExtentsError } from './extract-entries.ts';
import { NotADirectoryInImageError } from './image-operations.ts';
import { NamespaceUnavailableError } from '../iso/iso-tree.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import { UnsupportedZisofsAlgorithmError } from '../iso/zisofs.ts';

export function imageErrorCode(error: unknown): ErrorCode | null {
  if (error instanceof EntryNotFoundError || error instanceof NotADirectoryInImageError) return 'not-found';
  if (error instanceof NotAnImageError) return 'not-an-image';
  if (error instanceof NamespaceUnavailableError || error instanceof UnsupportedZisofsAlgorithmError) return 'unsupported';
  if (error instanceof ExtractionConflictError) return 'permission-denied';
  if (error instanceof NoSpaceError) return 'no-space';
  // Files sharing extents are written only with the caller's explicit allowSharedExtents.
  if (error instanceof SharedExtentsError) return 'shared-extents';
  return null;
}
