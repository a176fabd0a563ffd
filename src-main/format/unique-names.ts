// Duplicate names in one directory (a hostile image, or several ";N" versions of a file): the first
// keeps its name, as in the Linux kernel's lookup; later ones are listed as "name~2", "name~3", ...
// so none is silently lost. Shared by the ISO 9660 and UDF trees.

/** The names given out in one directory listing. */
export class UniqueNames {
  private readonly taken = new Set<string>();
  /** Per name, the suffix to try next: every smaller one is taken already. */
  private readonly nextSuffix = new Map<string, number>();

  /**
   * `name` if it is free, else the first free "name~N". Linear over a listing: each name's counter
   * only moves forward, and a taken candidate stops one counter once (issue 12 §5: 20,000 entries
   * named alike probed "~2" .. "~N" from the start each time, 200 million probes).
   */
  claim(name: string): string {
    let unique = name;
    if (this.taken.has(name)) {
      let suffix = this.nextSuffix.get(name) ?? 2;
      while (this.taken.has(`${name}~${suffix}`)) suffix += 1;
      unique = `${name}~${suffix}`;
      this.nextSuffix.set(name, suffix + 1);
    }
    this.taken.add(unique);
    return unique;
  }
}
