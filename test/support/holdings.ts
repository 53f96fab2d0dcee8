import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestEstate } from './estate';

/**
 * What an operation left on disk beside an environment's database, read from the files
 * themselves (not from the status the workflow reports), by folder of the local engine's
 * work directory: staging/, restore-points/, operations/, history/.
 */
export function filesOnDisk(
  estate: TestEstate,
  environment: string,
  operationId: string,
): Record<'staging' | 'restorePoints' | 'journal' | 'history', string[]> {
  const workDir = path.join(path.dirname(estate.database(environment)), '.dbmove', environment);
  const list = (dir: string) => {
    try {
      return fs
        .readdirSync(path.join(workDir, dir))
        .filter((name) => name.includes(operationId))
        .sort();
    } catch {
      return [];
    }
  };
  return { staging: list('staging'), restorePoints: list('restore-points'), journal: list('operations'), history: list('history') };
}
