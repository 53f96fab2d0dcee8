import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Canaries for the no-residue tests: unique byte strings planted in a source database, in
 * every element the seeds say is not copied (and, as a positive control, in business data that
 * must arrive), then searched for in every byte of every file an operation leaves behind.
 *
 * The values are hostile on purpose: very long strings (their payload spills onto overflow
 * pages), binary attachments, unicode (multi-byte UTF-8, emoji, right-to-left text, an embedded
 * NUL), and integers. Where a value is longer than a page, its marker repeats every few hundred
 * bytes, so that the page boundaries of an overflow chain cannot hide every copy of it from a
 * byte search. Values the scrub only changes (a user disabled, a batch job withheld) are found
 * by the bytes of the whole row as SQLite stores it before the change (its record format).
 */

export interface Canary {
  /** The scrub policy element (or `kept:<table>` for the positive control). */
  element: string;
  /** Where it was planted, for messages. */
  where: string;
  needle: Buffer;
}

export interface PlantedCanaries {
  scrubbed: Canary[];
  kept: Canary[];
}

/** Bytes of a row as SQLite's record format stores it (https://sqlite.org/fileformat2.html#record_format). */
export function sqliteRecord(values: readonly (null | number | bigint | string | Buffer)[]): Buffer {
  const types: number[] = [];
  const bodies: Buffer[] = [];
  for (const value of values) {
    if (value === null) {
      types.push(0);
      bodies.push(Buffer.alloc(0));
    } else if (typeof value === 'number' && !Number.isInteger(value)) {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(value);
      types.push(7);
      bodies.push(b);
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      const n = BigInt(value);
      if (n === 0n || n === 1n) {
        types.push(n === 0n ? 8 : 9);
        bodies.push(Buffer.alloc(0));
        continue;
      }
      const sizes: [number, number][] = [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 6],
        [6, 8],
      ];
      const [type, bytes] = sizes.find(([, size]) => n >= -(1n << BigInt(8 * size - 1)) && n < 1n << BigInt(8 * size - 1))!;
      const b = Buffer.alloc(bytes);
      let v = BigInt.asUintN(8 * bytes, n);
      for (let i = bytes - 1; i >= 0; i--) {
        b[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      types.push(type);
      bodies.push(b);
    } else if (typeof value === 'string') {
      const b = Buffer.from(value, 'utf8');
      types.push(13 + 2 * b.length);
      bodies.push(b);
    } else {
      types.push(12 + 2 * value.length);
      bodies.push(value);
    }
  }
  const typeBytes = Buffer.concat(types.map(varint));
  let headerSize = typeBytes.length + 1;
  if (varint(headerSize).length > 1) headerSize = typeBytes.length + varint(typeBytes.length + 2).length;
  return Buffer.concat([varint(headerSize), typeBytes, ...bodies]);
}

function varint(value: number): Buffer {
  // SQLite's big-endian varint (values here stay far below 2^56).
  const out: number[] = [value & 0x7f];
  let v = Math.floor(value / 128);
  while (v > 0) {
    out.unshift((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  return Buffer.from(out);
}

/** A string of `length` characters in which `marker` recurs every `every` characters. */
function longText(marker: string, length: number, every = 300): string {
  let text = '';
  while (text.length < length) text += `${marker}${'·'.repeat(Math.max(1, every - marker.length))}`;
  return text;
}

/** Random bytes in which `marker` recurs every `every` bytes (a binary attachment). */
function binaryWithMarker(marker: Buffer, length: number, every = 700): Buffer {
  const blob = crypto.randomBytes(length);
  for (let at = 0; at + marker.length <= length; at += every) marker.copy(blob, at);
  return blob;
}

/**
 * The bytes SQLite stores for one row of `table` (its record: every column in table order, the
 * INTEGER PRIMARY KEY stored as NULL because it is the rowid), read back from the database so
 * that the needle follows the table's real definition.
 */
function storedRecord(db: Database.Database, table: string, recid: number): Buffer {
  const columns = db.prepare('SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string; type: string; pk: number }[];
  const rowidAlias = columns.filter((c) => c.pk > 0).length === 1 ? columns.find((c) => c.pk > 0 && c.type.toUpperCase() === 'INTEGER')?.name : undefined;
  const row = db.prepare(`SELECT * FROM "${table}" WHERE RECID = ?`).safeIntegers(true).get(recid) as Record<string, null | bigint | number | string | Buffer>;
  return sqliteRecord(columns.map((c) => (c.name === rowidAlias ? null : row[c.name])));
}

/**
 * Plants canaries in `file` (the source of the operation under test), the way a real production
 * database holds them: as live rows in every element of the shipped policy (the seeds' list and
 * the encrypted fields Microsoft names; the tables the demo lacks are created, as a customer's
 * database would have them), and as what production itself freed long ago (a rotated SMTP
 * password, a changed e-mail address, batch history its cleanup job deleted), which a copy of its
 * file carries in free space.
 */
export function plantCanaries(file: string): PlantedCanaries {
  const run = crypto.randomBytes(6).toString('hex');
  const token = (what: string) => `CANARY-${run}-${what}`;
  const scrubbed: Canary[] = [];
  const kept: Canary[] = [];
  const text = (list: Canary[], element: string, where: string, value: string) => list.push({ element, where, needle: Buffer.from(value, 'utf8') });

  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const run1 = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
    db.transaction(() => {
      // email-addresses: short, unicode, and one longer than a page (overflow pages).
      const email = `${token('email')}@canary.example.com`;
      const unicodeEmail = `jürgen.ﬁ.🔐.עברית.${token('email-unicode')}@例え.jp`;
      const longEmail = `${longText(token('email-long'), 40_000)}@canary.example.com`;
      for (const [i, locator] of [email, unicodeEmail, longEmail].entries())
        run1('INSERT INTO LOGISTICSELECTRONICADDRESS (RECID, LOCATION, TYPE, LOCATOR, DESCRIPTION) VALUES (?, 1, 2, ?, ?)', 9_000_001 + i, locator, 'Email');
      text(scrubbed, 'email-addresses', 'LOGISTICSELECTRONICADDRESS.LOCATOR', email);
      text(scrubbed, 'email-addresses', 'LOGISTICSELECTRONICADDRESS.LOCATOR (unicode)', unicodeEmail);
      text(scrubbed, 'email-addresses', 'LOGISTICSELECTRONICADDRESS.LOCATOR (40,000 characters)', token('email-long'));

      // batch-job-history: text, a long INFO, and an integer-only row (BATCHCONSTRAINTHISTORY).
      run1(
        'INSERT INTO BATCHJOBHISTORY (RECID, BATCHJOBID, CAPTION, STATUS, STARTDATETIME, ENDDATETIME, SERVERID) VALUES (9000001, 1, ?, 4, ?, ?, ?)',
        token('job-history-caption'),
        '2026-10-01T02:00:00Z',
        '2026-10-01T02:05:00Z',
        `Batch:${token('job-history-server')}`,
      );
      run1(
        'INSERT INTO BATCHHISTORY (RECID, BATCHJOBHISTORYID, BATCHID, STATUS, INFO) VALUES (9000001, 9000001, 1, 4, ?)',
        longText(token('history-info'), 12_000),
      );
      const integerCanary = 0x5ca1ab1e0ddba11n;
      run1('INSERT INTO BATCHCONSTRAINTHISTORY (RECID, BATCHHISTORYID, DEPENDSONBATCHID, EXPECTEDSTATUS) VALUES (9000001, 9000001, ?, 4)', integerCanary);
      text(scrubbed, 'batch-job-history', 'BATCHJOBHISTORY.CAPTION', token('job-history-caption'));
      text(scrubbed, 'batch-job-history', 'BATCHJOBHISTORY.SERVERID', token('job-history-server'));
      text(scrubbed, 'batch-job-history', 'BATCHHISTORY.INFO (12,000 characters)', token('history-info'));
      scrubbed.push({
        element: 'batch-job-history',
        where: 'BATCHCONSTRAINTHISTORY row (integers only)',
        needle: storedRecord(db, 'BATCHCONSTRAINTHISTORY', 9000001),
      });

      // smtp-password: F&O keeps it encrypted, as binary; this one carries a marker and an embedded NUL.
      const password = Buffer.concat([Buffer.from('\u0000\u0001enc:'), Buffer.from(`pässwörd🔑${token('smtp-password')}`, 'utf8'), crypto.randomBytes(32)]);
      run1('UPDATE SYSEMAILSMTPPASSWORD SET PASSWORD = ?', password);
      scrubbed.push({ element: 'smtp-password', where: 'SYSEMAILSMTPPASSWORD.PASSWORD (binary)', needle: password });

      // smtp-relay-server
      const relay = `smtp.${token('relay')}.contoso.com`;
      run1('UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = ?', relay);
      text(scrubbed, 'smtp-relay-server', 'SYSEMAILPARAMETERS.SMTPRELAYSERVERNAME', relay);

      // print-management
      run1(
        'INSERT INTO PRINTMGMTSETTINGS (RECID, PARENTID, DESCRIPTION, PRINTJOBSETTINGS) VALUES (9000001, 1, ?, ?)',
        token('print-description'),
        Buffer.from(longText(token('print-settings'), 9_000), 'utf8'),
      );
      run1('INSERT INTO PRINTMGMTDOCINSTANCE (RECID, DOCUMENTTYPE, NAME) VALUES (9000001, 1, ?)', `Facture ✉ ${token('print-doc')}`);
      text(scrubbed, 'print-management', 'PRINTMGMTSETTINGS.DESCRIPTION', token('print-description'));
      text(scrubbed, 'print-management', 'PRINTMGMTSETTINGS.PRINTJOBSETTINGS (9,000 bytes)', token('print-settings'));
      text(scrubbed, 'print-management', 'PRINTMGMTDOCINSTANCE.NAME', `Facture ✉ ${token('print-doc')}`);

      // environment-specific-records: one per table.
      const server = (what: string) => `01@${token(what)}`;
      run1('INSERT INTO SYSSERVERCONFIG (RECID, SERVERID, ENABLEBATCH) VALUES (9000001, ?, 1)', server('server-config'));
      run1(
        "INSERT INTO SYSSERVERSESSIONS (RECID, SERVERID, AOSID, STATUS, LASTUPDATEDATETIME) VALUES (9000001, ?, ?, 1, '2026-11-22T08:00:00Z')",
        server('session'),
        token('aos'),
      );
      run1(
        "INSERT INTO SYSCLIENTSESSIONS (RECID, SESSIONID, USERID, SERVERID, STATUS, LOGINDATETIME) VALUES (9000001, 1, ?, 'x', 1, '2026-11-22T09:00:00Z')",
        token('client-user'),
      );
      run1('INSERT INTO SYSCORPNETPRINTERS (RECID, PRINTERNAME, DESCRIPTION) VALUES (9000001, ?, ?)', `\\\\${token('printer')}\\floor9`, 'Étage 9 🖨');
      run1('INSERT INTO BATCHSERVERCONFIG (RECID, SERVERID, MAXBATCHSESSIONS) VALUES (9000001, ?, 8)', `Batch:${token('batch-server')}`);
      run1("INSERT INTO BATCHSERVERGROUP (RECID, GROUPID, SERVERID) VALUES (9000001, 'FIN', ?)", `Batch:${token('batch-group-server')}`);
      for (const [where, what] of [
        ['SYSSERVERCONFIG.SERVERID', 'server-config'],
        ['SYSSERVERSESSIONS.SERVERID', 'session'],
        ['SYSSERVERSESSIONS.AOSID', 'aos'],
        ['SYSCLIENTSESSIONS.USERID', 'client-user'],
        ['SYSCORPNETPRINTERS.PRINTERNAME', 'printer'],
        ['BATCHSERVERCONFIG.SERVERID', 'batch-server'],
        ['BATCHSERVERGROUP.SERVERID', 'batch-group-server'],
      ])
        text(scrubbed, 'environment-specific-records', where, token(what));

      // document-attachments: a binary file of 200 KB (overflow pages), its name and its access information.
      const marker = crypto.randomBytes(24);
      run1(
        'INSERT INTO DOCUVALUE (RECID, FILENAME, FILETYPE, STORAGEPROVIDERID, ACCESSINFORMATION, FILE) VALUES (9000001, ?, ?, 1, ?, ?)',
        `contrat-${token('docu-name')}.pdf`,
        'pdf',
        `https://proddocs.blob.core.windows.net/attachments/${token('docu-access')}?sig=secret`,
        binaryWithMarker(marker, 200_000),
      );
      scrubbed.push({ element: 'document-attachments', where: 'DOCUVALUE.FILE (200 KB of binary)', needle: marker });
      text(scrubbed, 'document-attachments', 'DOCUVALUE.FILENAME', token('docu-name'));
      text(scrubbed, 'document-attachments', 'DOCUVALUE.ACCESSINFORMATION', token('docu-access'));

      // disable-users and withhold-batch-jobs change values rather than remove rows: the row as
      // it was (enabled, executing) must not survive anywhere.
      run1(
        'INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKALIAS, SID, IDENTITYPROVIDER, COMPANY) VALUES (9000001, ?, ?, 1, ?, ?, ?, ?)',
        'canaryuser',
        `Ωmega ${token('user')}`,
        `canary.${run}@contoso.com`,
        `S-1-19-${run}`,
        'https://sts.windows.net/',
        'usmf',
      );
      scrubbed.push({ element: 'disable-users', where: 'USERINFO row of canaryuser while enabled', needle: storedRecord(db, 'USERINFO', 9000001) });
      run1(
        "INSERT INTO BATCHJOB (RECID, CAPTION, STATUS, COMPANY, ORIGSTARTDATETIME) VALUES (9000001, ?, 2, 'usmf', '2026-11-01T02:00:00Z')",
        `Canary job ${token('job')}`,
      );
      scrubbed.push({ element: 'withhold-batch-jobs', where: 'BATCHJOB row of the canary job while Executing', needle: storedRecord(db, 'BATCHJOB', 9000001) });

      // The encrypted fields Microsoft's export procedure names: binary values of the source's key.
      const secret = (what: string) => Buffer.concat([crypto.randomBytes(8), Buffer.from(token(what)), crypto.randomBytes(8)]);
      const encrypted: [string, string, string, string][] = [
        [
          'retail-merchant-properties',
          'RETAILHARDWAREPROFILE',
          'SECUREMERCHANTPROPERTIES',
          "INSERT INTO RETAILHARDWAREPROFILE (RECID, PROFILEID, SECUREMERCHANTPROPERTIES) VALUES (9000001, 'HW01', ?)",
        ],
        [
          'payment-service-merchant-properties',
          'CREDITCARDACCOUNTSETUP',
          'SECUREMERCHANTPROPERTIES',
          "INSERT INTO CREDITCARDACCOUNTSETUP (RECID, NAME, SECUREMERCHANTPROPERTIES) VALUES (9000001, 'Adyen', ?)",
        ],
        [
          'exchange-rate-provider-values',
          'EXCHANGERATEPROVIDERCONFIGURATIONDETAILS',
          'VALUE',
          "INSERT INTO EXCHANGERATEPROVIDERCONFIGURATIONDETAILS (RECID, NAME, VALUE) VALUES (9000001, 'ApiKey', ?)",
        ],
        [
          'oauth-user-tokens',
          'SYSOAUTHUSERTOKENS',
          'ENCRYPTEDACCESSTOKEN',
          "INSERT INTO SYSOAUTHUSERTOKENS (RECID, USERID, ENCRYPTEDACCESSTOKEN) VALUES (9000001, 'alice', ?)",
        ],
        [
          'oauth-user-tokens',
          'SYSOAUTHUSERTOKENS',
          'ENCRYPTEDREFRESHTOKEN',
          "INSERT INTO SYSOAUTHUSERTOKENS (RECID, USERID, ENCRYPTEDREFRESHTOKEN) VALUES (9000002, 'bob', ?)",
        ],
      ];
      // ...and those the demo schema lacks, as a customer's database has them (Brazil, HR).
      for (const ddl of [
        'CREATE TABLE FISCALESTABLISHMENT_BR (CONSUMEREFDOCCSC TEXT, RECVERSION INTEGER NOT NULL DEFAULT 1, RECID INTEGER PRIMARY KEY)',
        'CREATE TABLE FISCALESTABLISHMENTSTAGING (CSC TEXT, RECVERSION INTEGER NOT NULL DEFAULT 1, RECID INTEGER PRIMARY KEY)',
        'CREATE TABLE HCMPERSONIDENTIFICATIONNUMBER (PERSONIDENTIFICATIONNUMBER TEXT, RECVERSION INTEGER NOT NULL DEFAULT 1, RECID INTEGER PRIMARY KEY)',
        'CREATE TABLE HCMWORKERACTIONHIRE (PERSONIDENTIFICATIONNUMBER TEXT, RECVERSION INTEGER NOT NULL DEFAULT 1, RECID INTEGER PRIMARY KEY)',
      ])
        db.exec(ddl);
      encrypted.push(
        [
          'fiscal-establishment-csc',
          'FISCALESTABLISHMENT_BR',
          'CONSUMEREFDOCCSC',
          'INSERT INTO FISCALESTABLISHMENT_BR (RECID, CONSUMEREFDOCCSC) VALUES (9000001, ?)',
        ],
        ['fiscal-establishment-staging-csc', 'FISCALESTABLISHMENTSTAGING', 'CSC', 'INSERT INTO FISCALESTABLISHMENTSTAGING (RECID, CSC) VALUES (9000001, ?)'],
        [
          'person-identification-numbers',
          'HCMPERSONIDENTIFICATIONNUMBER',
          'PERSONIDENTIFICATIONNUMBER',
          'INSERT INTO HCMPERSONIDENTIFICATIONNUMBER (RECID, PERSONIDENTIFICATIONNUMBER) VALUES (9000001, ?)',
        ],
        [
          'person-identification-numbers',
          'HCMWORKERACTIONHIRE',
          'PERSONIDENTIFICATIONNUMBER',
          'INSERT INTO HCMWORKERACTIONHIRE (RECID, PERSONIDENTIFICATIONNUMBER) VALUES (9000001, ?)',
        ],
      );
      for (const [element, table, column, insert] of encrypted) {
        const value = secret(`${table}-${column}`);
        run1(insert, value);
        scrubbed.push({ element, where: `${table}.${column} (encrypted)`, needle: value });
      }
    })();

    // Production's own past, in transactions of their own as it happened: an address changed
    // (to a shorter one, which SQLite writes into the tail of the old row's space), an SMTP
    // password record replaced by a new one, and batch history its cleanup job deleted. Each
    // leaves the old bytes in the file's free space, where a copy of the file carries them.
    const oldEmail = `${token('email-old')}.${'long-address'.repeat(8)}@canary.example.com`;
    run1('UPDATE LOGISTICSELECTRONICADDRESS SET LOCATOR = ? WHERE RECID = (SELECT MIN(RECID) + 50 FROM LOGISTICSELECTRONICADDRESS)', oldEmail);
    run1('UPDATE LOGISTICSELECTRONICADDRESS SET LOCATOR = ? WHERE LOCATOR = ?', `${token('email-new')}@x.io`, oldEmail);
    text(scrubbed, 'email-addresses', 'LOGISTICSELECTRONICADDRESS.LOCATOR (changed by production)', token('email-old'));
    text(scrubbed, 'email-addresses', 'LOGISTICSELECTRONICADDRESS.LOCATOR (current)', token('email-new'));
    const oldPassword = Buffer.from(`rotated-${token('smtp-password-old')}`);
    run1('INSERT INTO SYSEMAILSMTPPASSWORD (RECID, PASSWORD) VALUES (9000001, ?)', oldPassword);
    run1('INSERT INTO SYSEMAILSMTPPASSWORD (RECID, PASSWORD) VALUES (9000002, ?)', Buffer.from(`current-${token('smtp-password-current')}`));
    run1('DELETE FROM SYSEMAILSMTPPASSWORD WHERE RECID = 9000001');
    scrubbed.push({ element: 'smtp-password', where: 'SYSEMAILSMTPPASSWORD.PASSWORD (rotated away by production)', needle: oldPassword });
    text(scrubbed, 'smtp-password', 'SYSEMAILSMTPPASSWORD.PASSWORD (current record)', token('smtp-password-current'));
    db.transaction(() => {
      for (let i = 0; i < 200; i++)
        run1(
          "INSERT INTO BATCHJOBHISTORY (RECID, BATCHJOBID, CAPTION, STATUS, STARTDATETIME, ENDDATETIME, SERVERID) VALUES (?, 1, ?, 4, '2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', 'Batch:X')",
          9_100_000 + i,
          `${token('deleted-history')} run ${i}`,
        );
    })();
    run1('DELETE FROM BATCHJOBHISTORY WHERE RECID >= 9100000');
    text(scrubbed, 'batch-job-history', 'BATCHJOBHISTORY rows deleted by production', token('deleted-history'));

    // Positive control: business data that must arrive, including a row over a page long.
    run1('INSERT INTO DIRPARTYTABLE (RECID, PARTYNUMBER, NAME) VALUES (9000001, ?, ?)', `P${run}`, `Société Générale ✓ ${token('kept-party')}`);
    kept.push({ element: 'kept:DIRPARTYTABLE', where: 'DIRPARTYTABLE row (record bytes)', needle: storedRecord(db, 'DIRPARTYTABLE', 9000001) });
    text(kept, 'kept:DIRPARTYTABLE', 'DIRPARTYTABLE.NAME', `Société Générale ✓ ${token('kept-party')}`);
    run1(
      "INSERT INTO GENERALJOURNALACCOUNTENTRY (RECID, GENERALJOURNALENTRY, LEDGERACCOUNT, TRANSACTIONCURRENCYCODE, TRANSACTIONCURRENCYAMOUNT, ACCOUNTINGCURRENCYAMOUNT, POSTINGTYPE, ISCREDIT, TEXT) VALUES (9000001, 1, '110110', 'USD', 1.5, 1.5, 14, 0, ?)",
      longText(token('kept-ledger'), 20_000),
    );
    text(kept, 'kept:GENERALJOURNALACCOUNTENTRY', 'GENERALJOURNALACCOUNTENTRY.TEXT (20,000 characters)', token('kept-ledger'));
    // Production checkpoints as it runs: most of the planted bytes are in its database file.
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
  }
  return { scrubbed, kept };
}

/** Every regular file under `root`, recursively. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

export interface Finding {
  file: string;
  canary: Canary;
}

/** Which canaries occur, byte for byte, in which files. */
export function scanFiles(files: readonly string[], canaries: readonly Canary[]): Finding[] {
  const found: Finding[] = [];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    for (const canary of canaries) if (bytes.includes(canary.needle)) found.push({ file, canary });
  }
  return found;
}

export function describeFindings(findings: readonly Finding[], root: string): string {
  return findings.map((f) => `${f.canary.element} (${f.canary.where}) in ${path.relative(root, f.file)}`).join('\n');
}
