-- scrub-conditions: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
SELECT t.name AS tableName, c.name AS columnName, ty.name AS typeName, c.max_length AS maxLength, c.precision AS numericPrecision, c.scale AS numericScale, c.is_nullable AS isNullable, dc.definition AS defaultValue, CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS isPrimaryKey, c.collation_name AS collation, cc.definition AS computedDefinition, cc.is_persisted AS isPersisted FROM sys.tables AS t JOIN sys.columns AS c ON c.object_id = t.object_id JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id LEFT JOIN sys.default_constraints AS dc ON dc.object_id = c.default_object_id LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id LEFT JOIN (SELECT ic.object_id, ic.column_id FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id WHERE i.is_primary_key = 1) AS pk ON pk.object_id = c.object_id AND pk.column_id = c.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY t.name, c.column_id;

SELECT t.name AS tableName, i.name AS indexName, i.is_unique AS isUnique, c.name AS columnName, i.is_unique_constraint AS isUniqueConstraint, ic.is_descending_key AS isDescending, ic.is_included_column AS isIncluded, i.filter_definition AS filterDefinition FROM sys.indexes AS i JOIN sys.tables AS t ON t.object_id = i.object_id JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE t.is_ms_shipped = 0 AND t.schema_id = SCHEMA_ID('dbo') AND i.is_primary_key = 0 AND i.name IS NOT NULL ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id;

SELECT v.name AS name, m.definition AS definition FROM sys.views AS v JOIN sys.sql_modules AS m ON m.object_id = v.object_id WHERE v.is_ms_shipped = 0 AND v.schema_id = SCHEMA_ID('dbo') ORDER BY v.object_id;

SELECT tr.name AS name, t.name AS tableName, m.definition AS definition, tr.is_disabled AS isDisabled FROM sys.triggers AS tr JOIN sys.tables AS t ON t.object_id = tr.parent_id JOIN sys.sql_modules AS m ON m.object_id = tr.object_id WHERE tr.is_ms_shipped = 0 AND tr.parent_class = 1 AND t.schema_id = SCHEMA_ID('dbo') ORDER BY tr.object_id;

-- params: ["X%","O'Brien; DROP TABLE x --","b"]
DELETE TOP (4000) FROM [DIRPARTYTABLE] WHERE (([PARTYNUMBER] LIKE @p0) AND (NOT ([NAME] IN (@p1, @p2))) AND ([NAME] IS NOT NULL));

-- params: ["X%","O'Brien; DROP TABLE x --","b"]
DELETE TOP (4000) FROM [DIRPARTYTABLE] WHERE (([PARTYNUMBER] LIKE @p0) AND (NOT ([NAME] IN (@p1, @p2))) AND ([NAME] IS NOT NULL));

-- params: ["X%","O'Brien; DROP TABLE x --","b"]
DELETE TOP (4000) FROM [DIRPARTYTABLE] WHERE (([PARTYNUMBER] LIKE @p0) AND (NOT ([NAME] IN (@p1, @p2))) AND ([NAME] IS NOT NULL));

-- params: ["X%","O'Brien; DROP TABLE x --","b"]
DELETE TOP (4000) FROM [DIRPARTYTABLE] WHERE (([PARTYNUMBER] LIKE @p0) AND (NOT ([NAME] IN (@p1, @p2))) AND ([NAME] IS NOT NULL));

-- params: ["P-0","P-0"]
UPDATE [DIRPARTYTABLE] SET [NAME] = CASE WHEN [NAME] IS NULL THEN NULL ELSE concat('masked-', LOWER(CONVERT(varchar(64), HASHBYTES('SHA2_256', CAST([NAME] AS nvarchar(max))), 2))) END, [PARTYNUMBER] = @p0, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([NAME] IS NOT NULL AND [NAME] NOT LIKE 'masked-%') OR ([PARTYNUMBER] IS NULL OR [PARTYNUMBER] <> @p1));

-- params: ["Admin",3,"usmf",""]
UPDATE [USERINFO] SET [NETWORKALIAS] = CASE WHEN [NETWORKALIAS] IS NULL THEN NULL ELSE concat('masked-', substring(LOWER(CONVERT(varchar(64), HASHBYTES('SHA2_256', CAST([NETWORKALIAS] AS nvarchar(max))), 2)), 1, 16), '@example.invalid') END, [SID] = NULL, [COMPANY] = '', [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE (([ID] IS NULL OR [ID] NOT IN (@p0)) OR ([ACCOUNTTYPE] IS NULL OR NOT ([ACCOUNTTYPE] = @p1)) OR (UPPER([COMPANY]) = UPPER(@p2))) AND (([NETWORKALIAS] IS NOT NULL AND [NETWORKALIAS] NOT LIKE 'masked-%') OR ([SID] IS NOT NULL) OR ([COMPANY] IS NULL OR [COMPANY] <> @p3));

-- params: [0,"Z",0,"Z"]
UPDATE [CUSTTABLE] SET [CREDITMAX] = @p0, [CUSTGROUP] = @p1, [RECVERSION] = CASE WHEN [RECVERSION] >= 2147483647 THEN 1 ELSE [RECVERSION] + 1 END WHERE ([CURRENCY] IS NOT NULL) AND (([CREDITMAX] IS NULL OR [CREDITMAX] <> @p2) OR ([CUSTGROUP] IS NULL OR [CUSTGROUP] <> @p3));
