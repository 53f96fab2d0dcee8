import { expect } from 'chai';
import Long from 'long';
import { temporal } from '@temporalio/proto';
import { ALL_MESSAGES } from '../client/wire/messages';
import { decode, encode } from '../client/wire/protobuf';
import * as messages from '../client/wire/messages';
import { Payload } from '../client/wire/messages';

/**
 * The fast read path (client/wire) names Temporal API fields by number. Every number and type
 * it uses must be the Temporal API's own, as @temporalio/proto's descriptor has them: a field
 * renumbered or retyped here would silently read the wrong thing.
 */
describe('client/wire: the Temporal API messages of the fast read path', () => {
  type ReflectedType = {
    fields: Record<string, { id: number; type: string; repeated: boolean; map?: boolean }>;
    lookupEnum(name: string): { values: Record<string, number> };
  };
  // The package's export is the protobufjs Root of the whole Temporal API.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = require('@temporalio/proto') as { lookupType(name: string): ReflectedType };
  const lookup = (name: string) => root.lookupType(name);

  for (const schema of ALL_MESSAGES) {
    it(`${schema.name}: every field's number and type`, () => {
      const real = lookup(schema.name);
      for (const [name, field] of Object.entries(schema.fields)) {
        const actual = real.fields[name];
        expect(actual, `${schema.name}.${name} exists`).to.not.equal(undefined);
        expect(actual.id, `${schema.name}.${name} number`).to.equal(field.id);
        expect(Boolean(actual.repeated), `${schema.name}.${name} repeated`).to.equal(Boolean(field.repeated));
        expect(Boolean(actual.map), `${schema.name}.${name} map`).to.equal(Boolean(field.map));
        if (typeof field.type === 'object')
          expect(actual.type.replace(/^\./, ''), `${schema.name}.${name} type`).to.match(new RegExp(`${field.type.name.split('.').pop()}$`));
        else if (field.type === 'enum') expect(real.lookupEnum(actual.type).values, `${schema.name}.${name} is an enum`).to.be.an('object');
        else expect(actual.type, `${schema.name}.${name} type`).to.equal(field.type);
      }
    });
  }

  it('decodes what the real encoder wrote, skipping fields it does not name', () => {
    const bytes = temporal.api.common.v1.Payload.encode({
      metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') },
      data: Buffer.from('"uat"'),
      externalPayloads: [{}],
    }).finish();
    const decoded = decode(Payload, Buffer.from(bytes));
    expect(Buffer.from(decoded.data as Uint8Array).toString()).to.equal('"uat"');
    expect(Buffer.from((decoded.metadata as Record<string, Uint8Array>).encoding).toString()).to.equal('json/plain');
    const roundTrip = temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.decode(
      encode(
        ALL_MESSAGES.find((m) => m.name.endsWith('ListWorkflowExecutionsRequest'))!,
        { namespace: 'default', pageSize: 300, query: "DbmoveTarget = 'uat'" },
      ),
    );
    expect(roundTrip).to.include({ namespace: 'default', pageSize: 300, query: "DbmoveTarget = 'uat'" });
  });

  it('reads 64-bit times, enums, repeated messages and maps of a real DescribeWorkflowExecutionResponse', () => {
    const bytes = temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode({
      workflowExecutionInfo: {
        execution: { workflowId: 'refresh-uat-20261130t112029z-3f50', runId: 'r1' },
        type: { name: 'refresh' },
        startTime: { seconds: Long.fromNumber(1795492998), nanos: 149232827 },
        status: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
        searchAttributes: { indexedFields: { DbmovePhase: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"COPY"') } } },
      },
      pendingActivities: [
        { activityId: '7', activityType: { name: 'copyToStaging' }, attempt: 3, lastHeartbeatTime: { seconds: Long.fromNumber(1795493000), nanos: 5 } },
        { activityId: '8', activityType: { name: 'notifyUsers' }, attempt: 1 },
      ],
    }).finish();
    const decoded = decode(messages.DescribeWorkflowExecutionResponse, bytes);
    const info = decoded.workflowExecutionInfo as Record<string, any>;
    expect(info.execution).to.deep.equal({ workflowId: 'refresh-uat-20261130t112029z-3f50', runId: 'r1' });
    expect(info.startTime).to.deep.equal({ seconds: 1795492998, nanos: 149232827 });
    expect(info.status).to.equal(1);
    expect(Buffer.from(info.searchAttributes.indexedFields.DbmovePhase.data).toString()).to.equal('"COPY"');
    const pending = decoded.pendingActivities as Record<string, any>[];
    expect(pending.map((p) => [p.activityType.name, p.attempt])).to.deep.equal([
      ['copyToStaging', 3],
      ['notifyUsers', 1],
    ]);
    expect(pending[0].lastHeartbeatTime).to.deep.equal({ seconds: 1795493000, nanos: 5 });
  });
});
