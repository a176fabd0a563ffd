// Rock Ridge System Use entries of authored directory records (RRIP 1.12, SUSP 1.12). Stub: being written.
import type { AuthoringNode } from '../format/authoring-tree.ts';

export interface SystemUseRequest {
  readonly node: AuthoringNode;
  readonly name: string | null;
  readonly role: 'entry' | 'self' | 'parent';
  readonly isRootSelf: boolean;
  readonly serialNumber: number;
  readonly linkCount: number;
  readonly relocation: 'child-link' | 'parent-link' | 'relocated' | null;
  readonly fixedTimesMs: number | null;
}

export interface PlannedSystemUse {
  readonly inRecordBytes: number;
  readonly continuationBytes: number;
  render(at: { continuationLba: number; continuationOffsetBytes: number; linkedDirectoryLba: number | null }): {
    inRecord: Uint8Array;
    continuation: Uint8Array;
  };
}

export function planSystemUse(request: SystemUseRequest, spaceInRecordBytes: number): PlannedSystemUse {
  void request;
  void spaceInRecordBytes;
  return { inRecordBytes: 0, continuationBytes: 0, render: () => ({ inRecord: new Uint8Array(0), continuation: new Uint8Array(0) }) };
}
