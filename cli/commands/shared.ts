import { Command, InvalidArgumentError } from 'commander';
import type { EnvironmentConfig } from '../../config/catalog';
import { CliContext } from '../context';
import { UsageError } from '../../common/errors';

export type Register = (program: Command, ctx: CliContext) => void;

/** Commander argument parser for positive integers within bounds. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.replace(/_/g, ''))) throw new InvalidArgumentError(`expected a whole number, got "${value.slice(0, 40)}"`);
    const n = Number(value.replace(/_/g, ''));
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}`);
    return n;
  };
}

export function oneOf<T extends string>(...values: T[]) {
  return (value: string): T => {
    if (!(values as string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return value as T;
  };
}

/**
 * Checks, before anything is started, that a name is a well-formed environment name, that the
 * catalog has it, and that the scrub policy files it adds load (their tables and columns are
 * strict identifiers): bad input is exit 2 here rather than a refusal later.
 */
export async function requireEnvironment(ctx: CliContext, name: string, role: string): Promise<EnvironmentConfig> {
  const { checkEnvironment } = await import('../../client/environments');
  try {
    return checkEnvironment(ctx.catalog(), name);
  } catch (err) {
    if ((err as Error).name === 'UnknownEnvironment' || (err as Error).name === 'InvalidName') throw new UsageError(`--${role}: ${(err as Error).message}`);
    throw err;
  }
}

/** The reason inside an update refusal or a workflow failure. */
export function reason(err: unknown): string {
  let cause: unknown = err;
  while ((cause as Error)?.name === 'WorkflowUpdateFailedError' || (cause as Error)?.name === 'WorkflowFailedError')
    cause = (cause as { cause?: unknown }).cause ?? new Error(String(cause));
  let message = (cause as Error)?.message ?? String(cause);
  for (let inner = (cause as { cause?: unknown })?.cause; inner; inner = (inner as { cause?: unknown }).cause) message = (inner as Error).message ?? message;
  return message;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
