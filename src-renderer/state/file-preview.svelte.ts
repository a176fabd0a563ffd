// The entry chosen in the Contents tab: where its bytes lie and who owns it (`image:stat`), and for
// files a preview of the first KiB (`image:preview`), fetched side by side. A picture's bytes become a
// blob: URL (the CSP allows img-src blob:, nothing broader), shown by an <img> only, revoked when the
// preview changes.
import type { AppError } from '../../shared/errors.ts';
import type { ImageEntry, ImageEntryStat, ImageNamespaceChoice, ImagePreview } from '../../shared/image.ts';
import type { EngineClient } from '../api.ts';

export class FilePreview {
  file = $state<string | null>(null);
  preview = $state.raw<ImagePreview | null>(null);
  stat = $state.raw<ImageEntryStat | null>(null);
  error = $state.raw<AppError | null>(null);
  loading = $state(false);
  /** The picture preview's object URL; null unless the preview is a picture. */
  pictureUrl = $state<string | null>(null);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  clear(): void {
    this.#revokePicture();
    this.file = null;
    this.preview = null;
    this.stat = null;
    this.error = null;
  }

  async show(imagePath: string, entry: ImageEntry, namespace: ImageNamespaceChoice): Promise<void> {
    const file = entry.path;
    if (this.file === file && (this.stat || this.loading)) return;
    this.#revokePicture();
    this.file = file;
    this.preview = null;
    this.stat = null;
    this.error = null;
    this.loading = true;
    const request = { path: imagePath, file, namespace };
    try {
      const [stat, preview] = await Promise.all([
        this.#client.call('image:stat', request),
        entry.type === 'file' ? this.#client.call('image:preview', request) : Promise.resolve(null),
      ]);
      if (this.file !== file) return; // the user moved on
      if (stat.ok) this.stat = stat.value;
      if (preview?.ok) {
        this.preview = preview.value;
        this.pictureUrl = pictureUrlOf(preview.value);
      }
      // The preview's failure is the one to show (reading the content); a stat failure alone also counts.
      const failed = preview && !preview.ok ? preview : !stat.ok ? stat : null;
      this.error = failed && !failed.ok ? failed.error : null;
    } finally {
      if (this.file === file) this.loading = false;
    }
  }

  #revokePicture(): void {
    if (this.pictureUrl !== null) URL.revokeObjectURL(this.pictureUrl);
    this.pictureUrl = null;
  }
}

/** A blob: URL of a picture preview's bytes, typed as the engine's magic-byte check said; null for any other preview. */
export function pictureUrlOf(preview: ImagePreview): string | null {
  if (preview.kind !== 'picture' || preview.base64 === undefined || preview.mimeType === undefined) return null;
  const binary = atob(preview.base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return URL.createObjectURL(new Blob([bytes], { type: preview.mimeType }));
}
