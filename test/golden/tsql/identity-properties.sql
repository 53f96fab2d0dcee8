-- identity-properties: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
-- params: ["dbmove.environment","sqluat"]
IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = @p0) BEGIN EXEC sys.sp_updateextendedproperty @name = @p0, @value = @p1 END ELSE BEGIN EXEC sys.sp_addextendedproperty @name = @p0, @value = @p1 END;

-- params: ["dbmove.environmentType","sandbox"]
IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = @p0) BEGIN EXEC sys.sp_updateextendedproperty @name = @p0, @value = @p1 END ELSE BEGIN EXEC sys.sp_addextendedproperty @name = @p0, @value = @p1 END;

-- params: ["dbmove.operation","refresh-sqluat-1"]
IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = @p0) BEGIN EXEC sys.sp_updateextendedproperty @name = @p0, @value = @p1 END ELSE BEGIN EXEC sys.sp_addextendedproperty @name = @p0, @value = @p1 END;

-- params: ["dbmove.stampedAt","2026-01-01T00:00:00.000Z"]
IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = @p0) BEGIN EXEC sys.sp_updateextendedproperty @name = @p0, @value = @p1 END ELSE BEGIN EXEC sys.sp_addextendedproperty @name = @p0, @value = @p1 END;

-- params: ["dbmove.environment","dbmove.environmentType","dbmove.operation","dbmove.stampedAt"]
SELECT CAST(name AS nvarchar(128)) AS name, CAST(value AS nvarchar(4000)) AS value FROM sys.extended_properties WHERE class = 0 AND name IN (@p0, @p1, @p2, @p3);
