import * as fs from 'node:fs';
import * as path from 'node:path';
import { unreadableFileReason } from '../../config/files';
import { z } from 'zod';
import { ConfigError, configErrorFromIssues } from '../../config/config-error';
import { SQL_IDENTIFIER, describePattern } from '../../config/names';
import { packageRoot } from '../../config/package-root';

/**
 * The scrub policy: the data elements that must not travel, as data rather than code, so that
 * the seeds' list ships as a file (policies/refresh-scrub.json) and users extend it with
 * their own files (more tables, column masking) listed in the catalog's `scrubPolicies`.
 *
 * Conditions are structured, never raw SQL: the same policy renders to SQLite and T-SQL with
 * every value bound as a parameter, and VERIFY derives its checks from the same rules.
 */

const identifier = z.string().regex(SQL_IDENTIFIER, `must be ${describePattern(SQL_IDENTIFIER)}`);
const scalar = z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalar>;

export type Condition =
  | { column: string; equals: Scalar; ignoreCase?: boolean }
  | { column: string; notEquals: Scalar; ignoreCase?: boolean }
  | { column: string; in: Scalar[] }
  | { column: string; notIn: Scalar[] }
  | { column: string; like: string }
  | { column: string; isNull: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ column: identifier, equals: scalar, ignoreCase: z.boolean().optional() }),
    z.strictObject({ column: identifier, notEquals: scalar, ignoreCase: z.boolean().optional() }),
    z.strictObject({ column: identifier, in: z.array(scalar).min(1).max(1000) }),
    z.strictObject({ column: identifier, notIn: z.array(scalar).min(1).max(1000) }),
    z.strictObject({ column: identifier, like: z.string().max(400) }),
    z.strictObject({ column: identifier, isNull: z.boolean() }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

export const maskRuleSchema = z.union([z.enum(['null', 'empty', 'hash', 'email']), z.strictObject({ fixed: scalar })]);
export type MaskRule = z.infer<typeof maskRuleSchema>;

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lowercase letters, digits and "-"'),
  description: z.string().min(1).max(500),
  tables: z.array(identifier).min(1),
  /**
   * What an administrator must re-enter in the client after this element is scrubbed (an
   * encrypted field only the environment that wrote it can read): it goes onto the sign-off
   * checklist whenever a scrubbed table holds rows.
   */
  reenter: z.string().min(1).max(500).optional(),
};

export const scrubElementSchema = z.discriminatedUnion(
  'action',
  [
    z.strictObject({ ...common, action: z.literal('clear') }),
    z.strictObject({ ...common, action: z.literal('delete'), where: conditionSchema }),
    z.strictObject({
      ...common,
      action: z.literal('update'),
      set: z.record(identifier, scalar).refine((s) => Object.keys(s).length > 0, 'must set at least one column'),
      where: conditionSchema.optional(),
    }),
    z.strictObject({
      ...common,
      action: z.literal('mask'),
      columns: z.record(identifier, maskRuleSchema).refine((s) => Object.keys(s).length > 0, 'must mask at least one column'),
      where: conditionSchema.optional(),
    }),
  ],
  { error: 'action must be "clear", "delete", "update" or "mask"' },
);

export type ScrubElement = z.infer<typeof scrubElementSchema>;

export const scrubPolicyFileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(100),
  description: z.string().max(1000).optional(),
  /** Other policy files (relative to this one) whose elements come first. */
  includes: z.array(z.string().min(1)).default([]),
  /** A table the policy names but the database lacks: skip it (and say so) or fail. */
  missingTables: z.enum(['skip', 'fail']).default('skip'),
  elements: z.array(scrubElementSchema),
});

export interface ScrubPolicy {
  /** Names of the files the policy was assembled from, in order. */
  sources: string[];
  missingTables: 'skip' | 'fail';
  elements: ScrubElement[];
}

export const REFRESH_POLICY = 'refresh-scrub.json';
export const EXPORT_POLICY = 'export-scrub.json';

export function shippedPolicyFile(name: string): string {
  return path.join(packageRoot(), 'policies', name);
}

/**
 * Loads a policy and everything it includes, then the environment's extensions. An
 * extension adds elements; it can never replace or weaken a shipped one (a repeated id is an
 * error), so the seeds' list always applies in full.
 */
export function loadScrubPolicy(files: string[]): ScrubPolicy {
  const policy: ScrubPolicy = { sources: [], missingTables: 'skip', elements: [] };
  const seen = new Map<string, string>();
  const visit = (file: string, stack: string[]) => {
    const absolute = path.resolve(file);
    if (stack.includes(absolute))
      throw new ConfigError(absolute, 'includes', 'includes itself (directly or through another file)', 'remove the circular include');
    if (policy.sources.includes(absolute)) return;
    const unusable = unreadableFileReason(absolute);
    if (unusable && !unusable.startsWith('does not exist'))
      throw new ConfigError(absolute, '', `the scrub policy file ${unusable}`, "give the path of a policy file in the catalog's scrubPolicies");
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(absolute, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(
        absolute,
        '',
        code === 'ENOENT' ? 'the scrub policy file does not exist' : `cannot be read as JSON (${(err as Error).message})`,
        code === 'ENOENT' ? "correct the path in the catalog's scrubPolicies (relative paths are relative to the catalog)" : 'fix the JSON syntax',
      );
    }
    const parsed = scrubPolicyFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw configErrorFromIssues(
        absolute,
        parsed.error.issues,
        () => 'correct the element; schemas/scrub-policy.schema.json describes every action and condition',
      );
    }
    for (const include of parsed.data.includes) visit(path.resolve(path.dirname(absolute), include), [...stack, absolute]);
    policy.sources.push(absolute);
    if (parsed.data.missingTables === 'fail') policy.missingTables = 'fail';
    parsed.data.elements.forEach((element, i) => {
      const earlier = seen.get(element.id);
      if (earlier) {
        throw new ConfigError(
          absolute,
          `elements[${i}].id`,
          `"${element.id}" is already defined in ${earlier}`,
          'give the element a new id; extensions add to the shipped policy and never replace it',
        );
      }
      seen.set(element.id, absolute);
      policy.elements.push(element);
    });
  };
  for (const file of files) visit(file, []);
  return policy;
}

/** Whole-table elements do not visit rows; row-level ones do. The bench reports them apart. */
export function elementKind(element: ScrubElement): 'whole-table' | 'row-level' {
  return element.action === 'clear' ? 'whole-table' : 'row-level';
}
