-- verify: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength, c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue, CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey, c.collation_name AS collation, cc.definition AS computedDefinition, cc.is_persisted AS isPersisted FROM sys.tables AS t JOIN sys.columns AS c ON c.object_id = t.object_id JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk ON pk.object_id = c.object_id AND pk.column_id = c.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY t.name, c.column_id;

SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName, i.is_unique_constraint AS isUniqueConstraint, ic.is_descending_key AS isDescending, ic.is_included_column AS isIncluded, i.filter_definition AS filterDefinition FROM sys.indexes AS i JOIN sys.tables AS t ON t.object_id = i.object_id JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0 AND i.name IS NOT NULL ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id;

SELECT v.name AS name, m.definition AS definition FROM sys.views AS v JOIN sys.sql_modules AS m ON m.object_id = v.object_id WHERE v.is_ms_shipped = 0 AND v.schema_id = SCHEMA_ID('dbo') ORDER BY v.object_id;

SELECT tr.name AS name, t.name AS tableName, m.definition AS definition, tr.is_disabled AS isDisabled FROM sys.triggers AS tr JOIN sys.tables AS t ON t.object_id = tr.parent_id JOIN sys.sql_modules AS m ON m.object_id = tr.object_id WHERE tr.is_ms_shipped = 0 AND tr.parent_class = 1 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY tr.object_id;

-- params: [2,"%@%",""]
SELECT COUNT_BIG(*) AS n FROM [LogisticsElectronicAddress] WHERE (([TYPE] = @p0) OR ([LOCATOR] LIKE @p1)) AND (([LOCATOR] IS NULL OR [LOCATOR] <> @p2));

SELECT COUNT_BIG(*) AS n FROM [BatchJobHistory];

SELECT COUNT_BIG(*) AS n FROM [BatchHistory];

SELECT COUNT_BIG(*) AS n FROM [BatchConstraintHistory];

SELECT COUNT_BIG(*) AS n FROM [SysEmailSMTPPassword];

-- params: ["","smtp.uat.contoso.test"]
SELECT COUNT_BIG(*) AS n FROM [SysEmailParameters] WHERE (([SMTPRELAYSERVERNAME] IS NULL OR [SMTPRELAYSERVERNAME] <> @p0)) AND NOT ([SMTPRELAYSERVERNAME] = @p1);

SELECT COUNT_BIG(*) AS n FROM [PrintMgmtSettings];

SELECT COUNT_BIG(*) AS n FROM [PrintMgmtDocInstance];

SELECT COUNT_BIG(*) AS n FROM [SysServerConfig];

SELECT COUNT_BIG(*) AS n FROM [SysServerSessions];

SELECT COUNT_BIG(*) AS n FROM [SysCorpNetPrinters];

SELECT COUNT_BIG(*) AS n FROM [SysClientSessions];

-- params: ["Batch:UAT-BATCH-01"]
SELECT COUNT_BIG(*) AS n FROM [BatchServerConfig] WHERE NOT ([SERVERID] IN (@p0));

-- params: ["Batch:UAT-BATCH-01"]
SELECT COUNT_BIG(*) AS n FROM [BatchServerGroup] WHERE NOT ([SERVERID] IN (@p0));

SELECT COUNT_BIG(*) AS n FROM [DocuValue];

-- params: ["Admin",0,"alice","alice"]
SELECT COUNT_BIG(*) AS n FROM [UserInfo] WHERE ([ID] IS NULL OR NOT (UPPER([ID]) = UPPER(@p0))) AND (([ENABLE] IS NULL OR [ENABLE] <> @p1)) AND NOT (([ID] IN (@p2)) OR ([NETWORKALIAS] IN (@p3)));

-- params: [0,"Post ledger journals",1]
SELECT COUNT_BIG(*) AS n FROM [BatchJob] WHERE (([STATUS] IS NULL OR [STATUS] <> @p0)) AND NOT ((([CAPTION] IN (@p1))) AND ([STATUS] = @p2));
