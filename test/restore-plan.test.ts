import { expect } from 'chai';
import { planRestore } from '../common/restore-plan';
import { exactRanges, type Observation } from '../engines/local/timeline';
import type { RestoreWindow } from '../engines/port';

/**
 * The two rules behind "restore tells the truth", without any database: which times a restore
 * point restores exactly (a run of observations with its checksum, never across a swap or an
 * observation of unknown content), and what a restore of a time gives back or why it refuses.
 */

const t = (minute: number) => new Date(Date.UTC(2026, 10, 24, 10, minute)).toISOString();
const obs = (minute: number, sha256: string | undefined, event: Observation['event']): Observation => ({ at: t(minute), sha256, operationId: 'op', event });

describe('exact restore ranges (engines/local/timeline.ts)', () => {
  it('a restore point alone is exact for its own moment only', () => {
    expect(exactRanges([{ at: t(0), sha256: 'a' }], [])).to.deep.equal([{ exactFrom: t(0), exactUntil: t(0) }]);
  });

  it('a later observation of the same checksum extends it; one of another checksum does not', () => {
    expect(exactRanges([{ at: t(0), sha256: 'a' }], [obs(10, 'a', 'unchanged'), obs(20, 'b', 'unchanged')])).to.deep.equal([
      { exactFrom: t(0), exactUntil: t(10) },
    ]);
  });

  it('a swap that installed this content starts the range; nothing before the swap belongs to it', () => {
    const ranges = exactRanges(
      [
        { at: t(0), sha256: 'a' },
        { at: t(30), sha256: 's' },
      ],
      [obs(0, 'a', 'restore-point'), obs(5, 's', 'swap'), obs(30, 's', 'restore-point')],
    );
    expect(ranges).to.deep.equal([
      { exactFrom: t(0), exactUntil: t(0) },
      { exactFrom: t(5), exactUntil: t(30) },
    ]);
  });

  it('a swap of unknown content, or of the same content, ends a run', () => {
    expect(exactRanges([{ at: t(0), sha256: 'a' }], [obs(5, undefined, 'swap'), obs(10, 'a', 'unchanged')])).to.deep.equal([
      { exactFrom: t(0), exactUntil: t(0) },
    ]);
    expect(exactRanges([{ at: t(0), sha256: 'a' }], [obs(5, 'a', 'rollback'), obs(10, 'a', 'unchanged')])).to.deep.equal([
      { exactFrom: t(0), exactUntil: t(0) },
    ]);
    expect(exactRanges([{ at: t(10), sha256: 'a' }], [obs(5, 'a', 'rollback')])).to.deep.equal([{ exactFrom: t(5), exactUntil: t(10) }]);
  });

  it('a point without a checksum is exact for its moment only', () => {
    expect(exactRanges([{ at: t(0) }], [obs(10, undefined, 'unchanged')])).to.deep.equal([{ exactFrom: t(0), exactUntil: t(0) }]);
  });
});

describe('what a restore gives back (common/restore-plan.ts)', () => {
  const now = new Date(Date.UTC(2026, 10, 25));
  const discrete: RestoreWindow = {
    environment: 'uat',
    continuous: false,
    points: [
      { at: t(0), id: 'p0', exactFrom: t(0), exactUntil: t(0) },
      { at: t(30), id: 'p30', exactFrom: t(5), exactUntil: t(30) },
    ],
  };

  it('a time inside a proven range: exactly that time, from that point', () => {
    expect(planRestore('uat', { to: t(12) }, discrete, now)).to.deep.include({ ok: true, plan: { stateAt: t(12), exact: true, point: discrete.points[1] } });
  });

  it('a time between ranges: refused, naming every restorable span, a point id and --nearest', () => {
    const decision = planRestore('uat', { to: t(40) }, discrete, now);
    expect(decision.ok).to.equal(false);
    if (decision.ok) return;
    expect(decision.message).to.equal(
      `uat cannot be restored to exactly ${t(40)}: nothing proves what it held then (the latest state before it that can be restored exactly is ${t(30)}, and uat may have changed after it). It can be restored exactly to: ${t(0)} (p0); ${t(5)} to ${t(30)} (p30)`,
    );
    expect(decision.fix).to.equal('give one of those times, name a restore point (--to p30), or accept the nearest earlier state with --nearest');
  });

  it('--nearest: the latest state before it that can be restored exactly, named as not the time asked', () => {
    expect(planRestore('uat', { to: t(40), nearest: true }, discrete, now)).to.deep.include({
      ok: true,
      plan: { stateAt: t(30), exact: false, point: discrete.points[1] },
    });
    expect(planRestore('uat', { to: t(3), nearest: true }, discrete, now)).to.deep.include({
      ok: true,
      plan: { stateAt: t(0), exact: false, point: discrete.points[0] },
    });
  });

  it('before everything kept, in the future, or not a time: refused even with --nearest', () => {
    expect(planRestore('uat', { to: '2026-01-01T00:00:00Z', nearest: true }, discrete, now).ok).to.equal(false);
    expect(planRestore('uat', { to: '2999-01-01T00:00:00Z' }, discrete, now)).to.deep.include({ ok: false });
    expect(planRestore('uat', { to: 'yesterday' }, discrete, now)).to.deep.include({ ok: false, message: '"yesterday" is not a time' });
  });

  it('a named restore point: exactly its own time; one no longer kept: refused', () => {
    expect(planRestore('uat', { to: t(30), point: 'p30' }, discrete, now)).to.deep.include({
      ok: true,
      plan: { stateAt: t(30), exact: true, point: discrete.points[1] },
    });
    expect(planRestore('uat', { to: t(30), point: 'gone' }, discrete, now)).to.deep.include({ ok: false, message: 'uat keeps no restore point gone' });
  });

  it('a continuous window (Azure SQL, SQL Server): any time inside it exactly, none outside', () => {
    const continuous: RestoreWindow = { environment: 'azuat', continuous: true, earliest: t(0), latest: t(50), points: [] };
    expect(planRestore('azuat', { to: t(40) }, continuous, now)).to.deep.include({ ok: true, plan: { stateAt: t(40), exact: true } });
    expect(planRestore('azuat', { to: t(55) }, continuous, now).ok, 'after the latest log backup').to.equal(false);
  });
});
