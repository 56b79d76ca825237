import { ApiError } from '../http/api-error.js';
import { StoreQueryError } from '../store/store.js';

/** Bad input from the caller (RangeError from parsing, StoreQueryError from the store) is a 400. */
export async function asBadRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RangeError || e instanceof StoreQueryError) throw ApiError.badRequest(e.message);
    throw e;
  }
}
