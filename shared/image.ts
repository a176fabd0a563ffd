// What the engine says about an image file it has opened. Sizes in bytes, times in epoch ms.

export type ImageFormat = 'iso9660' | 'unknown';

export interface ImageSummary {
  /** Absolute path of the image on the engine's machine. */
  readonly path: string;
  /** Final path component, for display. */
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** 'iso9660' when sector 16 holds a primary volume descriptor (ECMA-119 8.4). */
  readonly format: ImageFormat;
  /** Volume identifier of the primary volume descriptor, trailing spaces removed; null when absent or not an ISO. */
  readonly volumeLabel: string | null;
  /** Volume space size from the primary volume descriptor, in bytes (logical block size x block count). */
  readonly volumeSizeBytes: number | null;
}
