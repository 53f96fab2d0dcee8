-- postconfig: T-SQL rendered by dbmove (test/tsql-golden.test.ts). Review changes; UPDATE_GOLDEN=1 rewrites.
-- params: ["uat-admin@contoso.test","UAT environment administrator","https://sts.windows.net/","https://sts.windows.net/","S-1-19-admin-azuat","Admin"]
UPDATE [UserInfo] SET [NETWORKALIAS] = @p0, [NAME] = @p1, [NETWORKDOMAIN] = @p2, [IDENTITYPROVIDER] = @p3, [SID] = @p4, [ENABLE] = 1 WHERE UPPER([ID]) = UPPER(@p5);

-- params: ["Batch:UAT-BATCH-01"]
DELETE FROM [BatchServerConfig] WHERE [SERVERID] IN (@p0);

-- params: ["Batch:UAT-BATCH-01"]
DELETE FROM [BatchServerGroup] WHERE [SERVERID] IN (@p0);

SELECT [GROUP_] AS g FROM [BatchGroup];

-- params: ["Batch:UAT-BATCH-01"]
INSERT INTO [BatchServerConfig] ([SERVERID], [MAXBATCHSESSIONS]) VALUES (@p0, 8);

-- params: ["DEFAULT","Batch:UAT-BATCH-01"]
INSERT INTO [BatchServerGroup] ([GROUPID], [SERVERID]) VALUES (@p0, @p1);

-- params: ["FINANCE","Batch:UAT-BATCH-01"]
INSERT INTO [BatchServerGroup] ([GROUPID], [SERVERID]) VALUES (@p0, @p1);

-- params: ["smtp.uat.contoso.test",587,null,1]
UPDATE [SysEmailParameters] SET [SMTPRELAYSERVERNAME] = @p0, [SMTPPORTNUMBER] = @p1, [SMTPUSERNAME] = @p2, [SMTPREQUIRESSL] = @p3;

-- params: ["alice","alice"]
UPDATE [UserInfo] SET [ENABLE] = 1 WHERE [ID] IN (@p0) OR [NETWORKALIAS] IN (@p1);

-- params: [1,"Post ledger journals"]
UPDATE [BatchJob] SET [STATUS] = @p0 WHERE [CAPTION] IN (@p1);

SELECT [PARM] AS PARM, [VALUE] AS VALUE FROM [SQLSYSTEMVARIABLES];

-- params: ["azuat","DBMOVEENVIRONMENT"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1;

-- params: ["sandbox","DBMOVEENVIRONMENTTYPE"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1;

-- params: ["refresh-golden-0001","DBMOVEOPERATION"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1;

-- params: ["DBMOVEOPERATION","refresh-golden-0001"]
INSERT INTO [SQLSYSTEMVARIABLES] ([PARM], [VALUE]) VALUES (@p0, @p1);

-- params: ["10.0.41","APPLICATIONRELEASE"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1;

-- params: ["65","PLATFORMUPDATE"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1;

-- params: ["10.0.41.20017","MRAPPLICATIONSERVICE"]
UPDATE [SQLSYSTEMVARIABLES] SET [VALUE] = @p0 WHERE [PARM] = @p1;
