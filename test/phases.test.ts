import { expect } from 'chai';
import { ERROR_TYPES, errorClassOf, NON_RETRYABLE_HOUSEKEEPING_ERRORS, NON_RETRYABLE_STEP_ERRORS, USAGE_ERRORS } from '../common/errors';
import { decisionRefusal, mayMove, PHASES, RESTING_PHASES } from '../workflows/phases';
import { exportRecipe } from '../workflows/operations/export';
import { importRecipe } from '../workflows/operations/import';
import { stepNames } from '../workflows/operations/recipe';
import { refreshRecipe } from '../workflows/operations/refresh';
import { restoreRecipe } from '../workflows/operations/restore';
import type { DecisionKind, Phase } from '../workflows/types';

/**
 * The state machine's table (workflows/phases.ts) and the recipes read as data: what a reader
 * of those files believes is what the code enforces.
 */
describe('the state machine (workflows/phases.ts) and the recipes', () => {
  it("derives every operation's steps from its recipe, PRECHECK first, SWAP last for those that replace a target", () => {
    expect(stepNames(refreshRecipe)).to.deep.equal(['PRECHECK', 'MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP']);
    expect(stepNames(importRecipe)).to.deep.equal(['PRECHECK', 'MARKER', 'RESTORE', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP']);
    expect(stepNames(restoreRecipe)).to.deep.equal(['PRECHECK', 'MARKER', 'RESTORE', 'NOTIFY', 'SWAP']);
    expect(stepNames(exportRecipe)).to.deep.equal(['PRECHECK', 'COPY', 'SCRUB', 'VERIFY', 'PACKAGE']);
    for (const recipe of [refreshRecipe, importRecipe, restoreRecipe]) expect(recipe.effect.kind).to.equal('replace');
    expect(exportRecipe.effect.kind).to.equal('backup');
  });

  it('lets a step go only to the next step, FAILED or CANCELLED; PRECHECK also to REFUSED; SWAP never to CANCELLED', () => {
    expect(mayMove('COPY', 'SCRUB', { next: 'SCRUB' })).to.equal(true);
    expect(mayMove('COPY', 'SYNC', { next: 'SCRUB' }), 'a skipped step').to.equal(false);
    expect(mayMove('COPY', 'AWAITING_SIGNOFF', { next: 'SCRUB' }), 'sign-off before the last step').to.equal(false);
    expect(mayMove('SWAP', 'AWAITING_SIGNOFF', { next: 'AWAITING_SIGNOFF' })).to.equal(true);
    expect(mayMove('SWAP', 'CANCELLED', { next: 'AWAITING_SIGNOFF' })).to.equal(false);
    expect(mayMove('PRECHECK', 'REFUSED', { next: 'MARKER' })).to.equal(true);
    expect(mayMove('MARKER', 'REFUSED', { next: 'COPY' })).to.equal(false);
    expect(mayMove('FAILED', 'SYNC', { failedStep: 'SYNC' }), 'retry returns to the failed step').to.equal(true);
    expect(mayMove('FAILED', 'COPY', { failedStep: 'SYNC' }), 'retry never jumps elsewhere').to.equal(false);
    expect(mayMove('AWAITING_SIGNOFF', 'COMPLETED', {})).to.equal(true);
    expect(mayMove('COMPLETED', 'ROLLING_BACK', {})).to.equal(false);
    expect(mayMove('ROLLBACK_FAILED', 'ROLLING_BACK', {})).to.equal(true);
  });

  it('accepts each decision only where the table lists it, and says what to do instead elsewhere', () => {
    const accepted: Record<DecisionKind, Phase[]> = {
      'sign-off': ['AWAITING_SIGNOFF', 'ROLLED_BACK'],
      rollback: ['FAILED', 'AWAITING_SIGNOFF'],
      retry: ['FAILED', 'ROLLBACK_FAILED'],
    };
    for (const kind of Object.keys(accepted) as DecisionKind[]) {
      for (const phase of Object.keys(PHASES) as Phase[]) {
        const refusal = decisionRefusal(kind, phase, { operationId: 'refresh-uat-x', failedStep: 'SYNC' });
        if (accepted[kind].includes(phase)) expect(refusal, `${kind} in ${phase}`).to.equal(undefined);
        else expect(refusal, `${kind} in ${phase}`).to.be.a('string').and.not.equal('');
      }
    }
    expect(decisionRefusal('sign-off', 'FAILED', { operationId: 'refresh-uat-x', failedStep: 'SYNC' })).to.include('dbmove retry refresh-uat-x');
  });

  it('rests where a person decides or where the operation has ended', () => {
    expect([...RESTING_PHASES].sort()).to.deep.equal(['AWAITING_SIGNOFF', 'CANCELLED', 'COMPLETED', 'FAILED', 'REFUSED', 'ROLLBACK_FAILED', 'ROLLED_BACK']);
  });
});

describe('the error registry (common/errors.ts)', () => {
  it('derives the retry policies and the exit codes from one table', () => {
    expect(NON_RETRYABLE_STEP_ERRORS).to.include.members(['NoRestoreChain', 'SafetyCheckFailed', 'InvalidBackup', 'ConfigError']);
    expect(NON_RETRYABLE_STEP_ERRORS).not.to.include('AzureRequestError');
    expect(NON_RETRYABLE_HOUSEKEEPING_ERRORS).to.deep.equal(USAGE_ERRORS);
    expect(NON_RETRYABLE_HOUSEKEEPING_ERRORS).not.to.include('InjectedFault');
    expect(USAGE_ERRORS).to.include.members(['UsageError', 'UnknownEnvironment', 'InvalidName', 'InvalidBackup']);
    expect(errorClassOf('SomethingUnknown')).to.equal(undefined);
    for (const type of Object.keys(ERROR_TYPES)) expect(errorClassOf(type)).to.be.oneOf(['input', 'permanent', 'transient']);
  });
});
