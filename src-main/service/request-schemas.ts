// Boundary validation: every call's argument is checked here before any engine sees it, whichever
// shell it came through (Electron IPC, the web shell's WebSocket). The table must list every call.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { CallName, CallRequest } from '../../shared/contract.ts';

const noArguments = z.strictObject({});

/** Paths longer than this are refused before touching the file system (Linux PATH_MAX is 4096). */
const maxPathLength = 4096;

const absolutePath = z
  .string()
  .min(1, 'path is empty')
  .max(maxPathLength, `path is longer than ${maxPathLength} characters`)
  .refine((path) => !path.includes('\0'), 'path contains a NUL character')
  .refine((path) => isAbsolute(path), 'path is not absolute');

export const requestSchemas = {
  'app:describe': noArguments,
  'image:pick': noArguments,
  'image:open': z.strictObject({ path: absolutePath }),
} satisfies { readonly [K in CallName]: z.ZodType<CallRequest<K>> };
