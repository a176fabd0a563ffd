// Which drives duplicator mode counts as newly inserted. A drive is known by its id (device, device
// number, size, serial): one seen while present is never new again until it has been missing from
// an enumeration, so a written stick left in its port is not written twice, and the same stick
// removed and inserted again is (the UI says so). Drives of size 0 (a card reader without a card)
// are not present: the card going in makes a new arrival.

export interface PresentDrive {
  readonly id: string;
  readonly sizeBytes: number;
}

/** The drives in `present` not in `seen`, and the set to remember for the next enumeration. */
export function stickArrivals<T extends PresentDrive>(seen: ReadonlySet<string>, present: readonly T[]): { arrived: T[]; seen: Set<string> } {
  const withMedia = present.filter((drive) => drive.sizeBytes > 0);
  return { arrived: withMedia.filter((drive) => !seen.has(drive.id)), seen: new Set(withMedia.map((drive) => drive.id)) };
}
