// Finds a tree's boot files (ISOLINUX, GRUB, an EFI FAT image or EFI/BOOT/) and turns the request's
// boot options into the composer's BootImageSpec list and HybridSpec.
import type { IsoBootOptions } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { CodedError } from '../jobs/errors.ts';
import type { BootImageSpec, HybridSpec } from './iso-authoring.ts';

export interface DetectedTreeBoot {
  readonly bios: { readonly path: string; readonly bootInfoTable: boolean; readonly loader: 'isolinux' | 'grub' | 'other' } | null;
  readonly efi: { readonly path: string } | { readonly generateFrom: string } | null;
  /** Words for IsoLayoutSummary.boot.detected. */
  readonly notes: readonly string[];
}

export function detectTreeBoot(root: AuthoringNode): DetectedTreeBoot {
  return { bios: null, efi: null, notes: [`${root.origin}: boot detection not written yet`] };
}

/** Builds the BootImageSpec list + HybridSpec from the request's IsoBootOptions and the tree (explicit paths win over detection; 'generate' builds the FAT image with planFatImage). */
export async function resolveBoot(
  root: AuthoringNode,
  options: IsoBootOptions,
  identitySeed: string,
): Promise<{ entries: BootImageSpec[]; hybrid: HybridSpec | null; detected: string[] }> {
  if (options.detect === false && !options.biosImagePath && !options.efiImagePath) return { entries: [], hybrid: null, detected: [] };
  throw new CodedError('unsupported', `boot of ${root.origin} (seed ${identitySeed}): not written yet`);
}
