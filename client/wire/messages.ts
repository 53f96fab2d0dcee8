import { message } from './protobuf';

/**
 * The Temporal API messages the fast read path uses, with only the fields dbmove reads.
 * Numbers and types are the Temporal API's (temporal/api/*.proto); test/wire.test.ts holds
 * every one of them against @temporalio/proto's descriptor.
 */
export const Timestamp = message('google.protobuf.Timestamp', { seconds: { id: 1, type: 'int64' }, nanos: { id: 2, type: 'int32' } });

export const Payload = message('temporal.api.common.v1.Payload', {
  metadata: { id: 1, type: 'bytes', map: true },
  data: { id: 2, type: 'bytes' },
});

export const Payloads = message('temporal.api.common.v1.Payloads', { payloads: { id: 1, type: Payload, repeated: true } });

export const WorkflowExecution = message('temporal.api.common.v1.WorkflowExecution', {
  workflowId: { id: 1, type: 'string' },
  runId: { id: 2, type: 'string' },
});

const WorkflowType = message('temporal.api.common.v1.WorkflowType', { name: { id: 1, type: 'string' } });
const ActivityType = message('temporal.api.common.v1.ActivityType', { name: { id: 1, type: 'string' } });
const SearchAttributes = message('temporal.api.common.v1.SearchAttributes', { indexedFields: { id: 1, type: Payload, map: true } });
const Memo = message('temporal.api.common.v1.Memo', { fields: { id: 1, type: Payload, map: true } });
const Failure = message('temporal.api.failure.v1.Failure', { message: { id: 1, type: 'string' } });

export const WorkflowExecutionInfo = message('temporal.api.workflow.v1.WorkflowExecutionInfo', {
  execution: { id: 1, type: WorkflowExecution },
  type: { id: 2, type: WorkflowType },
  startTime: { id: 3, type: Timestamp },
  closeTime: { id: 4, type: Timestamp },
  status: { id: 5, type: 'enum' },
  parentExecution: { id: 8, type: WorkflowExecution },
  memo: { id: 10, type: Memo },
  searchAttributes: { id: 11, type: SearchAttributes },
  taskQueue: { id: 13, type: 'string' },
});

export const PendingActivityInfo = message('temporal.api.workflow.v1.PendingActivityInfo', {
  activityId: { id: 1, type: 'string' },
  activityType: { id: 2, type: ActivityType },
  state: { id: 3, type: 'enum' },
  heartbeatDetails: { id: 4, type: Payloads },
  lastHeartbeatTime: { id: 5, type: Timestamp },
  lastStartedTime: { id: 6, type: Timestamp },
  attempt: { id: 7, type: 'int32' },
  scheduledTime: { id: 9, type: Timestamp },
  lastFailure: { id: 11, type: Failure },
});

export const DescribeWorkflowExecutionRequest = message('temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest', {
  namespace: { id: 1, type: 'string' },
  execution: { id: 2, type: WorkflowExecution },
});

export const DescribeWorkflowExecutionResponse = message('temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse', {
  workflowExecutionInfo: { id: 2, type: WorkflowExecutionInfo },
  pendingActivities: { id: 3, type: PendingActivityInfo, repeated: true },
});

const WorkflowQuery = message('temporal.api.query.v1.WorkflowQuery', { queryType: { id: 1, type: 'string' } });
const QueryRejected = message('temporal.api.query.v1.QueryRejected', { status: { id: 1, type: 'enum' } });

export const QueryWorkflowRequest = message('temporal.api.workflowservice.v1.QueryWorkflowRequest', {
  namespace: { id: 1, type: 'string' },
  execution: { id: 2, type: WorkflowExecution },
  query: { id: 3, type: WorkflowQuery },
});

export const QueryWorkflowResponse = message('temporal.api.workflowservice.v1.QueryWorkflowResponse', {
  queryResult: { id: 1, type: Payloads },
  queryRejected: { id: 2, type: QueryRejected },
});

export const ListWorkflowExecutionsRequest = message('temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest', {
  namespace: { id: 1, type: 'string' },
  pageSize: { id: 2, type: 'int32' },
  nextPageToken: { id: 3, type: 'bytes' },
  query: { id: 4, type: 'string' },
});

export const ListWorkflowExecutionsResponse = message('temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse', {
  executions: { id: 1, type: WorkflowExecutionInfo, repeated: true },
  nextPageToken: { id: 2, type: 'bytes' },
});

/** Every schema above, for the descriptor test. */
export const ALL_MESSAGES = [
  Timestamp,
  Payload,
  Payloads,
  WorkflowExecution,
  WorkflowType,
  ActivityType,
  SearchAttributes,
  Memo,
  Failure,
  WorkflowExecutionInfo,
  PendingActivityInfo,
  DescribeWorkflowExecutionRequest,
  DescribeWorkflowExecutionResponse,
  WorkflowQuery,
  QueryRejected,
  QueryWorkflowRequest,
  QueryWorkflowResponse,
  ListWorkflowExecutionsRequest,
  ListWorkflowExecutionsResponse,
];
