/** Every workflow the dbmove worker runs. The worker bundles this file. */
export { refresh } from './refresh';
export { environmentLease } from './lease';
