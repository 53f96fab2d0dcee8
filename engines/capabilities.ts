import { UnsupportedByEngine } from '../common/errors';
import type { EngineKind } from '../config/catalog';
import type { EngineCapabilities } from './port';

/**
 * What each engine can do, declared once and readable without loading any engine (the Azure
 * SDK and the SQL Server driver load only when a catalog names them). Each engine exposes its
 * own entry as `capabilities`; the command line reads the whole table to say which engine
 * supports what when it refuses a request.
 */
export const ENGINE_CAPABILITIES: { readonly [K in EngineKind]: EngineCapabilities } = {
  local: {
    pointInTime: 'discrete',
    backupDestination: 'local-file',
    localFiles: true,
    backupImport: { reads: 'a backup file written by `dbmove export` from a local environment (format, checksums and manifest checked first)' },
  },
  'azure-sql': {
    pointInTime: 'continuous',
    backupDestination: 'blob',
    localFiles: false,
    backupImport: {
      refused:
        'a bacpac in blob storage carries no dbmove manifest (source environment, F&O versions) and dbmove does not read blob storage, so the file cannot be checked before it replaces the sandbox',
    },
  },
  sqlserver: {
    pointInTime: 'continuous',
    backupDestination: 'server-file',
    localFiles: false,
    backupImport: {
      refused:
        "a native .bak names its source only in 255-character header fields (RESTORE HEADERONLY), too small for dbmove's manifest (source environment, F&O versions), so the file cannot be checked before it replaces the sandbox",
    },
  },
};

/** The engines that import, and what they read: for refusals that say where import works. */
export function importSupport(): string {
  const readers = (Object.keys(ENGINE_CAPABILITIES) as EngineKind[]).flatMap((kind) => {
    const support = ENGINE_CAPABILITIES[kind].backupImport;
    return 'reads' in support ? [`${kind} (${support.reads})`] : [];
  });
  return readers.join('; ');
}

/** An engine that cannot import: `problem` and `instead` separately, for PRECHECK's check result. */
class ImportRefused extends UnsupportedByEngine {
  readonly problem: string;
  constructor(
    kind: EngineKind,
    what: string,
    readonly instead: string,
  ) {
    super(kind, what, instead);
    this.problem = `The ${kind} engine cannot ${what}`;
  }
}

/** Why an import into `target` is refused and what to do instead; undefined when its engine imports. */
export function importRefusalReason(kind: EngineKind, target: string): { problem: string; instead: string } | undefined {
  const error = importRefusal(kind, target);
  return error && { problem: error.problem, instead: error.instead };
}

/** The same refusal as an error (the command line turns it into bad usage: nothing was started). */
export function importRefusal(kind: EngineKind, target: string): ImportRefused | undefined {
  const support = ENGINE_CAPABILITIES[kind].backupImport;
  if ('reads' in support) return undefined;
  return new ImportRefused(
    kind,
    `import a backup into ${target}: ${support.refused}`,
    `dbmove import works on ${importSupport()}. To bring data into a ${kind} environment, refresh it from another ${kind} environment of the catalog (a database restored or imported with the platform's own tools can be such a source).`,
  );
}
