// Every user-facing word, keyed by error or reason code, so the UI is consistent and ready for
// translation. Engine messages (with their numbers) are shown as detail, never as the headline.
import type { ErrorCode } from '../shared/errors.ts';

export const errorMessages: Readonly<Record<ErrorCode, string>> = {
  'invalid-request': 'That request was not valid.',
  'unknown-call': 'The engine does not know that request. Is the app up to date?',
  forbidden: 'The engine refused this window. Reopen Isotope from its own link.',
  'not-found': 'There is no file at that path.',
  'not-a-file': 'That path is a folder or a special file, not an image file.',
  'permission-denied': 'Isotope is not allowed to read that file. Check its permissions.',
  unsupported: 'This is not available here.',
  'corrupt-image': 'The image is damaged: it could not be read.',
  cancelled: 'Cancelled.',
  internal: 'Something went wrong inside Isotope. The engine log has the details.',
};

export const text = {
  appName: 'Isotope',
  tagline: 'Flash, verify and explore disk images.',
  openHeading: 'Open an image',
  dropHint: 'Drop an image anywhere in this window, or type its path.',
  pathLabel: 'Image path',
  pathPlaceholder: '/home/you/Downloads/debian-12.iso',
  openButton: 'Open',
  browseButton: 'Browse…',
  opening: 'Opening…',
  dropNoPath: 'The browser did not say where the dropped file lives. Type its path instead.',
  summaryHeading: 'Image',
  fileLabel: 'File',
  sizeLabel: 'Size',
  labelLabel: 'Volume label',
  formatLabel: 'Format',
  isoYes: 'ISO 9660 image',
  isoNo: 'Not an ISO 9660 image',
  noLabel: '(none)',
  volumeSizeLabel: 'Volume size',
} as const;
