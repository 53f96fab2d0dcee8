-- verify: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength, c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue, CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey, c.collation_name AS collation, cc.definition AS computedDefinition, cc.is_persisted AS isPersisted FROM sys.tables AS t JOIN sys.columns AS c ON c.object_id = t.object_id JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk ON pk.object_id = c.object_id AND pk.column_id = c.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY t.name, c.column_id;

SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName, i.is_unique_constraint AS isUniqueConstraint, ic.is_descending_key AS isDescending, ic.is_included_column AS isIncluded, i.filter_definition AS filterDefinition FROM sys.indexes AS i JOIN sys.tables AS t ON t.object_id = i.object_id JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0 AND i.name IS NOT NULL ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id;

SELECT v.name AS name, m.definition AS definition FROM sys.views AS v JOIN sys.sql_modules AS m ON m.object_id = v.object_id WHERE v.is_ms_shipped = 0 AND v.schema_id = SCHEMA_ID('dbo') ORDER BY v.object_id;

SELECT tr.name AS name, t.name AS tableName, m.definition AS definition, tr.is_disabled AS isDisabled FROM sys.triggers AS tr JOIN sys.tables AS t ON t.object_id = tr.parent_id JOIN sys.sql_modules AS m ON m.object_id = tr.object_id WHERE tr.is_ms_shipped = 0 AND tr.parent_class = 1 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY tr.object_id;

-- params: [2,"%@%",""]
SELECT COUNT_BIG(*) AS n FROM [LOGISTICSELECTRONICADDRESS] WHERE (([TYPE] = @p0) OR ([LOCATOR] LIKE @p1)) AND (([LOCATOR] IS NULL OR [LOCATOR] <> @p2));

SELECT COUNT_BIG(*) AS n FROM [BATCHJOBHISTORY];

SELECT COUNT_BIG(*) AS n FROM [BATCHHISTORY];

SELECT COUNT_BIG(*) AS n FROM [BATCHCONSTRAINTHISTORY];

SELECT COUNT_BIG(*) AS n FROM [SYSEMAILSMTPPASSWORD];

-- params: ["","SMTP","smtp.uat.contoso.test"]
SELECT COUNT_BIG(*) AS n FROM [SYSEMAILPARAMETERS] WHERE (([SMTPRELAYSERVERNAME] IS NULL OR [SMTPRELAYSERVERNAME] <> @p0) OR ([MAILERNONINTERACTIVE] IS NULL OR [MAILERNONINTERACTIVE] <> @p1)) AND NOT ([SMTPRELAYSERVERNAME] = @p2);

SELECT COUNT_BIG(*) AS n FROM [PRINTMGMTSETTINGS];

SELECT COUNT_BIG(*) AS n FROM [PRINTMGMTDOCINSTANCE];

SELECT COUNT_BIG(*) AS n FROM [SYSSERVERCONFIG];

SELECT COUNT_BIG(*) AS n FROM [SYSSERVERSESSIONS];

SELECT COUNT_BIG(*) AS n FROM [SYSCORPNETPRINTERS];

SELECT COUNT_BIG(*) AS n FROM [SYSCLIENTSESSIONS];

-- params: ["Batch:UAT-BATCH-01"]
SELECT COUNT_BIG(*) AS n FROM [BATCHSERVERCONFIG] WHERE NOT ([SERVERID] IN (@p0));

-- params: ["Batch:UAT-BATCH-01"]
SELECT COUNT_BIG(*) AS n FROM [BATCHSERVERGROUP] WHERE NOT ([SERVERID] IN (@p0));

SELECT COUNT_BIG(*) AS n FROM [DOCUVALUE];

-- params: ["Admin",0,0,"alice","alice"]
SELECT COUNT_BIG(*) AS n FROM [USERINFO] WHERE (([ID] IS NULL OR NOT (UPPER([ID]) = UPPER(@p0))) AND ([ISMICROSOFTACCOUNT] = @p1)) AND (([ENABLE] IS NULL OR [ENABLE] <> @p2)) AND NOT (([ID] IN (@p3)) OR ([NETWORKALIAS] IN (@p4)));

-- params: [1,2,5,7,9,0,"Post ledger journals",1]
SELECT COUNT_BIG(*) AS n FROM [BATCHJOB] WHERE ([STATUS] IN (@p0, @p1, @p2, @p3, @p4)) AND (([STATUS] IS NULL OR [STATUS] <> @p5)) AND NOT ((([CAPTION] IN (@p6))) AND ([STATUS] = @p7));

SELECT COUNT_BIG(*) AS n FROM [RETAILHARDWAREPROFILE] WHERE (([SECUREMERCHANTPROPERTIES] IS NOT NULL));

SELECT COUNT_BIG(*) AS n FROM [CREDITCARDACCOUNTSETUP] WHERE (([SECUREMERCHANTPROPERTIES] IS NOT NULL));

SELECT COUNT_BIG(*) AS n FROM [EXCHANGERATEPROVIDERCONFIGURATIONDETAILS] WHERE (([VALUE] IS NOT NULL));

SELECT COUNT_BIG(*) AS n FROM [SYSOAUTHUSERTOKENS] WHERE (([ENCRYPTEDACCESSTOKEN] IS NOT NULL) OR ([ENCRYPTEDREFRESHTOKEN] IS NOT NULL));
