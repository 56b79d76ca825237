/** The capture domain's repository on a store (its tables are created on first use). */
import type { Store } from '../store/store.js';
import { CAPTURE_MIGRATIONS, CaptureRepository } from './capture-repository.js';

export function captureRepositoryFor(store: Store): CaptureRepository {
  return new CaptureRepository(store.sql, () => store.migrateDomain('capture', CAPTURE_MIGRATIONS));
}
