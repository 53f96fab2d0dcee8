-- postconfig: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength, c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue, CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey, c.collation_name AS collation, cc.definition AS computedDefinition, cc.is_persisted AS isPersisted FROM sys.tables AS t JOIN sys.columns AS c ON c.object_id = t.object_id JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk ON pk.object_id = c.object_id AND pk.column_id = c.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY t.name, c.column_id;

SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName, i.is_unique_constraint AS isUniqueConstraint, ic.is_descending_key AS isDescending, ic.is_included_column AS isIncluded, i.filter_definition AS filterDefinition FROM sys.indexes AS i JOIN sys.tables AS t ON t.object_id = i.object_id JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0 AND i.name IS NOT NULL ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id;

SELECT v.name AS name, m.definition AS definition FROM sys.views AS v JOIN sys.sql_modules AS m ON m.object_id = v.object_id WHERE v.is_ms_shipped = 0 AND v.schema_id = SCHEMA_ID('dbo') ORDER BY v.object_id;

SELECT tr.name AS name, t.name AS tableName, m.definition AS definition, tr.is_disabled AS isDisabled FROM sys.triggers AS tr JOIN sys.tables AS t ON t.object_id = tr.parent_id JOIN sys.sql_modules AS m ON m.object_id = tr.object_id WHERE tr.is_ms_shipped = 0 AND tr.parent_class = 1 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY tr.object_id;

-- params: ["Admin"]
SELECT [NETWORKALIAS] AS networkAlias, [NAME] AS name, [NETWORKDOMAIN] AS networkDomain, [IDENTITYPROVIDER] AS identityProvider, [SID] AS sid, [OBJECTID] AS objectId, [ENABLE] AS enable FROM [USERINFO] WHERE UPPER([ID]) = UPPER(@p0);

-- params: ["uat-admin@contoso.test","UAT environment administrator","https://sts.windows.net/","https://sts.windows.net/","S-1-19-1102903589-1537614431-2590952582-3794600396-432603564-727934389-2921243023-3553430099-878010029-1929464067","00000000-0000-0000-0000-000000000001","Admin","uat-admin@contoso.test","UAT environment administrator","https://sts.windows.net/","https://sts.windows.net/","S-1-19-1102903589-1537614431-2590952582-3794600396-432603564-727934389-2921243023-3553430099-878010029-1929464067","00000000-0000-0000-0000-000000000001"]
UPDATE [USERINFO] SET [NETWORKALIAS] = @p0, [NAME] = @p1, [NETWORKDOMAIN] = @p2, [IDENTITYPROVIDER] = @p3, [SID] = @p4, [OBJECTID] = @p5, [ENABLE] = 1, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE UPPER([ID]) = UPPER(@p6) AND (([NETWORKALIAS] IS NULL OR [NETWORKALIAS] <> @p7) OR ([NAME] IS NULL OR [NAME] <> @p8) OR ([NETWORKDOMAIN] IS NULL OR [NETWORKDOMAIN] <> @p9) OR ([IDENTITYPROVIDER] IS NULL OR [IDENTITYPROVIDER] <> @p10) OR ([SID] IS NULL OR [SID] <> @p11) OR ([OBJECTID] IS NULL OR [OBJECTID] <> @p12) OR ([ENABLE] IS NULL OR [ENABLE] <> 1));

-- params: ["Batch:UAT-BATCH-01"]
DELETE FROM [BATCHSERVERCONFIG] WHERE [SERVERID] IN (@p0);

-- params: ["Batch:UAT-BATCH-01"]
DELETE FROM [BATCHSERVERGROUP] WHERE [SERVERID] IN (@p0);

SELECT [GROUP_] AS g FROM [BATCHGROUP];

-- params: ["Batch:UAT-BATCH-01"]
INSERT INTO [BATCHSERVERCONFIG] ([SERVERID], [MAXBATCHSESSIONS]) VALUES (@p0, 8);

-- params: ["DEFAULT","Batch:UAT-BATCH-01"]
INSERT INTO [BATCHSERVERGROUP] ([GROUPID], [SERVERID]) VALUES (@p0, @p1);

-- params: ["FINANCE","Batch:UAT-BATCH-01"]
INSERT INTO [BATCHSERVERGROUP] ([GROUPID], [SERVERID]) VALUES (@p0, @p1);

-- params: ["smtp.uat.contoso.test",587,"",1,"SMTP","smtp.uat.contoso.test",587,"",1,"SMTP"]
UPDATE [SYSEMAILPARAMETERS] SET [SMTPRELAYSERVERNAME] = @p0, [SMTPPORTNUMBER] = @p1, [SMTPUSERNAME] = @p2, [SMTPREQUIRESSL] = @p3, [MAILERNONINTERACTIVE] = @p4, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE ([SMTPRELAYSERVERNAME] IS NULL OR [SMTPRELAYSERVERNAME] <> @p5) OR ([SMTPPORTNUMBER] IS NULL OR [SMTPPORTNUMBER] <> @p6) OR ([SMTPUSERNAME] IS NULL OR [SMTPUSERNAME] <> @p7) OR ([SMTPREQUIRESSL] IS NULL OR [SMTPREQUIRESSL] <> @p8) OR ([MAILERNONINTERACTIVE] IS NULL OR [MAILERNONINTERACTIVE] <> @p9);

-- params: ["CONFIGURATIONMODE"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = 0 WHERE [PARM] = @p0 AND [VALUE] <> 0;

-- params: ["TENANTID"]
SELECT [VALUE] AS value FROM [SYSSERVICECONFIGURATIONSETTING] WHERE [NAME] = @p0;

SELECT [PLANID] AS planId, [PLANCAPABILITY] AS planCapability FROM [PROVISIONINGMESSAGETABLE];

-- params: ["72f988bf-86f1-41af-91ab-2d7cd011db47","TENANTID","72f988bf-86f1-41af-91ab-2d7cd011db47"]
UPDATE [SYSSERVICECONFIGURATIONSETTING] SET [VALUE] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE [NAME] = @p1 AND ([VALUE] IS NULL OR [VALUE] <> @p2);

-- params: ["72f988bf-86f1-41af-91ab-2d7cd011db47","72f988bf-86f1-41af-91ab-2d7cd011db47"]
UPDATE [POWERBICONFIG] SET [TENANTID] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE ([TENANTID] IS NULL OR [TENANTID] <> @p1);

-- params: ["72f988bf-86f1-41af-91ab-2d7cd011db47","plan","FinanceAndOperations","72f988bf-86f1-41af-91ab-2d7cd011db47","plan","FinanceAndOperations"]
UPDATE [PROVISIONINGMESSAGETABLE] SET [TENANTID] = @p0, [PLANID] = @p1, [PLANCAPABILITY] = @p2, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE ([TENANTID] IS NULL OR [TENANTID] <> @p3) OR ([PLANID] IS NULL OR [PLANID] <> @p4) OR ([PLANCAPABILITY] IS NULL OR [PLANCAPABILITY] <> @p5);

-- params: ["alice","alice"]
UPDATE [USERINFO] SET [ENABLE] = 1, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE ([ID] IN (@p0) OR [NETWORKALIAS] IN (@p1)) AND [ENABLE] = 0;

-- params: [1,1,"Post ledger journals"]
UPDATE [BATCHJOB] SET [STATUS] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE [STATUS] <> @p1 AND ([CAPTION] IN (@p2));
