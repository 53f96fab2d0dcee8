import { DbmoveError } from '../common/errors';
/**
 * A configuration problem always says where (file and key), what is wrong and how to fix it,
 * because the person reading it is usually not the person who wrote the file.
 */
export class ConfigError extends DbmoveError {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super('ConfigError', `${file}: ${key ? `${key}: ` : ''}${problem}. Fix: ${fix}`);
  }
}

/** Turns zod issues into one ConfigError that names the first offending key. */
export function configErrorFromIssues(
  file: string,
  rawIssues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }>,
  fixFor: (key: string) => string,
): ConfigError {
  // zod reports an unknown key against its parent object; name the key itself instead.
  const issues = rawIssues.map((i) =>
    i.code === 'unrecognized_keys' && i.keys?.length ? { ...i, path: [...i.path, i.keys[0]], message: 'is not a known setting' } : i,
  );
  const [first, ...rest] = issues;
  const key = formatPath(first.path);
  const more = rest.length
    ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''}: ${rest
        .slice(0, 3)
        .map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`)
        .join('; ')})`
    : '';
  return new ConfigError(file, key, `${first.message}${more}`, fixFor(key));
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
