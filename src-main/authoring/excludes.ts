// What `--exclude GLOB` leaves out of a new image: each glob is a .gitignore line (the syntax people
// already write: `*.tmp` anywhere, `build/` folders only, `/top` anchored at the source, `**/.git`,
// `!keep.tmp` to take one back), matched by the `ignore` package (the matcher ESLint uses) against the
// path relative to each source. A folder left out is not walked at all.
import ignore from 'ignore';

export interface ExcludeMatcher {
  /** Whether `relativePath` ('boot/grub/grub.cfg', '/'-separated, no leading '/') is left out. */
  excludes(relativePath: string, isDirectory: boolean): boolean;
}

/** A matcher for the globs; with none, nothing is excluded and no path is tested. */
export function excludeMatcher(globs: readonly string[]): ExcludeMatcher {
  if (globs.length === 0) return { excludes: () => false };
  // allowRelativePaths: a name made only of dots ('...') is a real file name; without it the package
  // refuses such a path as "not relative".
  const rules = ignore({ allowRelativePaths: true }).add([...globs]);
  // A trailing '/' is how .gitignore tells a folder: `build/` excludes folders named build, not files.
  return { excludes: (relativePath, isDirectory) => rules.ignores(isDirectory ? `${relativePath}/` : relativePath) };
}
