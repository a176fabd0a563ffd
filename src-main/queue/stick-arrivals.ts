// Which drives duplicator mode counts as newly inserted. A drive is known by its device path while it
// is present: one seen present is never new again until an enumeration finds it missing, so a
// written stick left in its port is not written twice, and the same stick pulled out and inserted
// again is (the UI says so). Not by its id: a loop device's id changes while it settles (its backing
// identity appears a moment after its node), and two ids for one device would start two writes on it.
// Drives of size 0 (a card reader without a card) are not present: the card going in is an arrival.

export interface PresentDrive {
  readonly device: string;
  readonly sizeBytes: number;
}

/** The drives in `present` not in `seen` (device paths), and the set to remember for the next enumeration. */
export function stickArrivals<T extends PresentDrive>(seen: ReadonlySet<string>, present: readonly T[]): { arrived: T[]; seen: Set<string> } {
  const withMedia = present.filter((drive) => drive.sizeBytes > 0);
  return { arrived: withMedia.filter((drive) => !seen.has(drive.device)), seen: new Set(withMedia.map((drive) => drive.device)) };
}
