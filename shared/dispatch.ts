/**
 * Transport-independent call path of the Engine API: look the method up, validate the
 * params, run the handler, wrap the outcome in the response envelope. The Electron IPC
 * binding and the web host both go through here, so they accept and refuse the same
 * things.
 */
import { ApiFailure } from './api.ts';
import type { ApiHandlers, ApiMethod, ApiResponse, ApiResult } from './api.ts';
import { PARAM_SCHEMAS, describeIssues } from './api-schemas.ts';
import { isApiMethod } from './channels.ts';

/** Validate `rawParams` for `method` and call its handler; never throws. */
export async function dispatch<M extends ApiMethod>(
  handlers: ApiHandlers,
  method: M | string,
  rawParams: unknown,
): Promise<ApiResponse<ApiResult<M>>> {
  if (!isApiMethod(method)) {
    return { ok: false, error: { code: 'not-implemented', message: `unknown API method ${JSON.stringify(method)}` } };
  }
  const parsed = PARAM_SCHEMAS[method].safeParse(rawParams);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-params', message: `${method}: ${describeIssues(parsed.error)}` } };
  }
  // The schema map and the handler map are both keyed by method; TypeScript cannot
  // correlate the two indexed accesses, so the call goes through one honest widening.
  const handler = handlers[method] as (params: unknown) => Promise<ApiResult<M>>;
  try {
    return { ok: true, result: await handler(parsed.data) };
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}

function toApiError(err: unknown): { code: ApiFailure['code']; message: string } {
  if (err instanceof ApiFailure) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'failed', message: err.message };
  return { code: 'failed', message: String(err) };
}
