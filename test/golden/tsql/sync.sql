-- sync: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
CREATE TABLE [ContosoIntegrationLog] ([RECID] bigint NOT NULL, [MESSAGE] nvarchar(255) NOT NULL, [CREATEDDATETIME] datetime NULL, PRIMARY KEY ([RECID]));

ALTER TABLE [CustTable] ADD [CONTOSOLOYALTYTIER] nvarchar(255) NOT NULL DEFAULT 'None';

CREATE INDEX [I_CONTOSOVENDNAMEIDX] ON [VendTable] ([NAME]);
