// Sizes for people: binary units (what file managers and `ls -lh` show for images), with the exact
// byte count kept alongside wherever it matters.

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export function formatBytes(sizeBytes: number): string {
  if (!Number.isFinite(sizeBytes) || sizeBytes < 0) return '?';
  let value = sizeBytes;
  let unit = 0;
  while (value >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${binaryUnits[unit]}`;
}

/** A part of a whole in the whole's unit: "95.4 of 210 MiB" (a download cut short, a partial write). */
export function formatBytesOfTotal(partBytes: number, totalBytes: number): string {
  if (!Number.isFinite(partBytes) || !Number.isFinite(totalBytes) || partBytes < 0 || totalBytes < 0) return '?';
  let unit = 0;
  let divisor = 1;
  while (totalBytes / divisor >= 1024 && unit < binaryUnits.length - 1) {
    divisor *= 1024;
    unit += 1;
  }
  const shown = (value: number): string => value.toFixed(unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2);
  return `${shown(partBytes / divisor)} of ${shown(totalBytes / divisor)} ${binaryUnits[unit]}`;
}
