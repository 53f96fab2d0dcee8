/** The fixed workflow id that makes an environment's lease unique. No imports: used by workflow and activity code. */
export const leaseWorkflowId = (environment: string) => `dbmove-lease-${environment}`;
