-- scrub-refresh: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength, c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue, CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey, c.collation_name AS collation, cc.definition AS computedDefinition, cc.is_persisted AS isPersisted FROM sys.tables AS t JOIN sys.columns AS c ON c.object_id = t.object_id JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk ON pk.object_id = c.object_id AND pk.column_id = c.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY t.name, c.column_id;

SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName, i.is_unique_constraint AS isUniqueConstraint, ic.is_descending_key AS isDescending, ic.is_included_column AS isIncluded, i.filter_definition AS filterDefinition FROM sys.indexes AS i JOIN sys.tables AS t ON t.object_id = i.object_id JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0 AND i.name IS NOT NULL ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id;

SELECT v.name AS name, m.definition AS definition FROM sys.views AS v JOIN sys.sql_modules AS m ON m.object_id = v.object_id WHERE v.is_ms_shipped = 0 AND v.schema_id = SCHEMA_ID('dbo') ORDER BY v.object_id;

SELECT tr.name AS name, t.name AS tableName, m.definition AS definition, tr.is_disabled AS isDisabled FROM sys.triggers AS tr JOIN sys.tables AS t ON t.object_id = tr.parent_id JOIN sys.sql_modules AS m ON m.object_id = tr.object_id WHERE tr.is_ms_shipped = 0 AND tr.parent_class = 1 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY tr.object_id;

-- params: ["",2,"%@%",""]
UPDATE [LOGISTICSELECTRONICADDRESS] SET [LOCATOR] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([TYPE] = @p1) OR ([LOCATOR] LIKE @p2)) AND (([LOCATOR] IS NULL OR [LOCATOR] <> @p3));

-- params: ["BATCHJOBHISTORY"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

DELETE TOP (4000) FROM [BATCHJOBHISTORY];

-- params: ["BATCHHISTORY"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [BATCHHISTORY];

-- params: ["BATCHCONSTRAINTHISTORY"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [BATCHCONSTRAINTHISTORY];

-- params: ["SYSEMAILSMTPPASSWORD"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [SYSEMAILSMTPPASSWORD];

-- params: ["","SMTP","","SMTP"]
UPDATE [SYSEMAILPARAMETERS] SET [SMTPRELAYSERVERNAME] = @p0, [MAILERNONINTERACTIVE] = @p1, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([SMTPRELAYSERVERNAME] IS NULL OR [SMTPRELAYSERVERNAME] <> @p2) OR ([MAILERNONINTERACTIVE] IS NULL OR [MAILERNONINTERACTIVE] <> @p3));

-- params: ["PRINTMGMTSETTINGS"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [PRINTMGMTSETTINGS];

-- params: ["PRINTMGMTDOCINSTANCE"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [PRINTMGMTDOCINSTANCE];

-- params: ["SYSSERVERCONFIG"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [SYSSERVERCONFIG];

-- params: ["SYSSERVERSESSIONS"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [SYSSERVERSESSIONS];

-- params: ["SYSCORPNETPRINTERS"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [SYSCORPNETPRINTERS];

-- params: ["SYSCLIENTSESSIONS"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [SYSCLIENTSESSIONS];

-- params: ["BATCHSERVERCONFIG"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [BATCHSERVERCONFIG];

-- params: ["BATCHSERVERGROUP"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [BATCHSERVERGROUP];

-- params: ["DOCUVALUE"]
SELECT COUNT(*) AS n FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(@p0, 'U');

TRUNCATE TABLE [DOCUVALUE];

-- params: [0,"Admin",0,0]
UPDATE [USERINFO] SET [ENABLE] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([ID] IS NULL OR NOT (UPPER([ID]) = UPPER(@p1))) AND ([ISMICROSOFTACCOUNT] = @p2)) AND (([ENABLE] IS NULL OR [ENABLE] <> @p3));

-- params: [0,1,2,5,7,9,0]
UPDATE [BATCHJOB] SET [STATUS] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE ([STATUS] IN (@p1, @p2, @p3, @p4, @p5)) AND (([STATUS] IS NULL OR [STATUS] <> @p6));

-- params: [null]
UPDATE [RETAILHARDWAREPROFILE] SET [SECUREMERCHANTPROPERTIES] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([SECUREMERCHANTPROPERTIES] IS NOT NULL));

-- params: [null]
UPDATE [CREDITCARDACCOUNTSETUP] SET [SECUREMERCHANTPROPERTIES] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([SECUREMERCHANTPROPERTIES] IS NOT NULL));

-- params: [null]
UPDATE [EXCHANGERATEPROVIDERCONFIGURATIONDETAILS] SET [VALUE] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([VALUE] IS NOT NULL));

-- params: [null,null]
UPDATE [SYSOAUTHUSERTOKENS] SET [ENCRYPTEDACCESSTOKEN] = @p0, [ENCRYPTEDREFRESHTOKEN] = @p1, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([ENCRYPTEDACCESSTOKEN] IS NOT NULL) OR ([ENCRYPTEDREFRESHTOKEN] IS NOT NULL));
