// From an iso:create request to the composer's options (issue 15).
import type { IsoCreateRequest } from '../../shared/authoring.ts';
import { CodedError } from '../jobs/errors.ts';
import type { IsoAuthoringOptions } from './iso-authoring.ts';

export async function createAuthoringOptions(request: IsoCreateRequest, signal?: AbortSignal): Promise<IsoAuthoringOptions> {
  void request;
  void signal;
  throw new CodedError('unsupported', 'createAuthoringOptions is not built yet');
}
