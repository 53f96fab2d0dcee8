/** Every workflow the dbmove worker runs. The worker bundles this file. */
export { refresh } from './refresh';
export { exportDatabase } from './export';
export { importDatabase } from './import';
export { restoreDatabase } from './restore';
export { environmentLease } from './lease';
