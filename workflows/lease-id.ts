/**
 * The fixed workflow id that makes an environment's lease unique. Environment names are
 * unique within a catalog, and a catalog is served by one task queue, so the pair names an
 * environment. No imports: used by workflow and activity code.
 */
export const leaseWorkflowId = (environment: string, taskQueue: string) => `dbmove-lease-${environment}@${taskQueue}`;
