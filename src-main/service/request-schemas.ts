// Boundary validation: every call's argument is checked here before any engine sees it, whichever
// shell it came through (Electron IPC, the web shell's WebSocket). The table must list every call.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { CallName, CallRequest } from '../../shared/contract.ts';
import { hashAlgorithms } from '../../shared/checksum.ts';

const noArguments = z.strictObject({});

/** Paths longer than this are refused before touching the file system (Linux PATH_MAX is 4096). */
const maxPathLength = 4096;

const absolutePath = z
  .string()
  .min(1, 'path is empty')
  .max(maxPathLength, `path is longer than ${maxPathLength} characters`)
  .refine((path) => !path.includes('\0'), 'path contains a NUL character')
  .refine((path) => isAbsolute(path), 'path is not absolute');

/** A path inside an image ("/docs/a.txt"); resolved against the image root, never the host. */
const imageEntryPath = z
  .string()
  .max(maxPathLength, `path is longer than ${maxPathLength} characters`)
  .refine((path) => !path.includes('\0'), 'path contains a NUL character');
const imageNamespace = z.enum(['auto', 'iso9660', 'joliet', 'rockridge', 'udf']).optional();
const extractionId = z.string().min(1).max(200);

export const requestSchemas = {
  'app:describe': noArguments,
  'image:pick': noArguments,
  'image:open': z.strictObject({ path: absolutePath }),
  'image:list': z.strictObject({ path: absolutePath, directory: imageEntryPath, namespace: imageNamespace, recursive: z.boolean().optional() }),
  'image:preview': z.strictObject({ path: absolutePath, file: imageEntryPath, namespace: imageNamespace }),
  'image:stat': z.strictObject({ path: absolutePath, file: imageEntryPath, namespace: imageNamespace }),
  'image:extract': z.strictObject({
    path: absolutePath,
    entries: z.array(imageEntryPath).max(100_000).optional(),
    destination: absolutePath,
    namespace: imageNamespace,
    extractionId,
  }),
  'image:extract-cancel': z.strictObject({ extractionId }),
  'image:boot': z.strictObject({ path: absolutePath }),
  ...checksumSchemas(),
  ...flashSchemas(),
} satisfies { readonly [K in CallName]: z.ZodType<CallRequest<K>> };

/** `checksum:*` and `keys:*`: paths absolute, algorithms from the known list, job ids short. */
function checksumSchemas() {
  const jobId = z.string().min(1).max(200);
  const pastedDigest = z.string().min(1).max(1024);
  return {
    'checksum:hash': z.strictObject({
      path: absolutePath,
      algorithms: z.array(z.enum(hashAlgorithms)).min(1).max(hashAlgorithms.length).exactOptional(),
      jobId: jobId.exactOptional(),
    }),
    'checksum:compare': z.strictObject({ path: absolutePath, expected: pastedDigest, jobId: jobId.exactOptional() }),
    'checksum:verify': z.strictObject({
      path: absolutePath,
      expected: pastedDigest.exactOptional(),
      sumsPath: absolutePath.exactOptional(),
      signaturePath: absolutePath.exactOptional(),
      keyringPaths: z.array(absolutePath).max(64).exactOptional(),
      jobId: jobId.exactOptional(),
    }),
    'checksum:cancel': z.strictObject({ jobId }),
    'keys:list': noArguments,
    'keys:import': z.strictObject({ path: absolutePath }),
    'keys:remove': z.strictObject({ fingerprint: z.string().min(1).max(200) }),
  } as const;
}

/** `drives:*` and `flash:*`: paths absolute, ids short; the engine re-checks every target anyway. */
function flashSchemas() {
  const id = z.string().min(1).max(512);
  const targets = z.array(id).max(16);
  return {
    'drives:list': z.strictObject({ includeAll: z.boolean().exactOptional(), imagePath: absolutePath.exactOptional() }),
    'drives:eject': z.strictObject({ driveId: z.string().min(1).max(512) }),
    'flash:start': z.strictObject({
      imagePath: absolutePath,
      driveIds: targets,
      targetPaths: z.array(absolutePath).max(16).exactOptional(),
      verify: z.boolean().exactOptional(),
      includeAll: z.boolean().exactOptional(),
      eject: z.boolean().exactOptional(),
    }),
    'flash:cancel': z.strictObject({ jobId: id }),
    'flash:verify': z.strictObject({ imagePath: absolutePath, driveId: id.exactOptional(), targetPath: absolutePath.exactOptional() }),
  } as const;
}
