import { Client, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../search-attributes';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { sleep } from './daemons';
import type { ClusterLayout } from './layout';

/**
 * dbmove's namespace on the cluster, with its retention and dbmove's four Keyword search
 * attributes (registered by the same code every worker runs at start-up). Done through the
 * frontend's public API with dbmove's own client, exactly as an operator would, so it also
 * proves the profile reaches the cluster.
 */
const NOT_FOUND = 5; // gRPC status codes
const ALREADY_EXISTS = 6;

export async function ensureNamespace(client: Client, layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  const service = client.connection.workflowService;
  const retention = msToTs(`${layout.retentionDays} days`);
  const current = await service.describeNamespace({ namespace: layout.namespace }).catch((err: unknown) => {
    if (isGrpcServiceError(err) && err.code === NOT_FOUND) return undefined;
    throw err;
  });
  if (!current) {
    log(`Registering namespace ${layout.namespace} (retention ${layout.retentionDays} days)`);
    await service
      .registerNamespace({ namespace: layout.namespace, workflowExecutionRetentionPeriod: retention, description: 'dbmove database operations' })
      .catch((err: unknown) => {
        if (!(isGrpcServiceError(err) && err.code === ALREADY_EXISTS)) throw err; // another start raced us
      });
  } else if (Number(current.config?.workflowExecutionRetentionTtl?.seconds ?? 0) !== Number(retention.seconds)) {
    log(`Setting namespace ${layout.namespace}'s retention to ${layout.retentionDays} days`);
    await service.updateNamespace({ namespace: layout.namespace, config: { workflowExecutionRetentionTtl: retention } });
  }
  // Every service caches namespaces (refreshed every few seconds): retry until this one is known.
  const added = await untilAccepted('registering the search attributes', () => ensureSearchAttributes(client.connection.operatorService, layout.namespace));
  if (added.length) log(`Registered search attributes ${added.join(', ')} (Keyword) on ${layout.namespace}`);
  // A visibility query that names them passes only once the frontend maps them to PostgreSQL columns.
  const probe = ALL_SEARCH_ATTRIBUTES.map((key) => `${key.name} = 'probe'`).join(' AND ');
  await untilAccepted('querying visibility by the search attributes', () => client.workflow.count(probe));
}

async function untilAccepted<T>(what: string, attempt: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(
          `The cluster kept refusing ${what} for ${timeoutMs / 1000} s: ${(err as Error).message}. Fix: read the service logs under state/cluster/logs`,
          {
            cause: err,
          },
        );
      await sleep(500);
    }
  }
}
