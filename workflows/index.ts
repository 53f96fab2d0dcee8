/** Every workflow the dbmove worker runs. The worker bundles this file. */
export { refresh } from './operations/refresh';
export { exportDatabase } from './operations/export';
export { importDatabase } from './operations/import';
export { restoreDatabase } from './operations/restore';
export { environmentLease } from './lease';
