-- The login lineofsight reads the demo finance database as: a member of db_datareader and no
-- more, denied every write. sqlcmd is given the password as a variable, never in this file:
--   sqlcmd -S mssql -C -U sa -v READER_PASSWORD="$LINEOFSIGHT_FINANCE_PASSWORD" -b -i reader.sql
-- Safe to run again: an existing login has its password set anew. The password must meet SQL
-- Server's policy and hold no single quote.
IF SUSER_ID(N'lineofsight_reader') IS NULL
  CREATE LOGIN lineofsight_reader WITH PASSWORD = N'$(READER_PASSWORD)', DEFAULT_DATABASE = lineofsight_demo_finance;
ELSE
  ALTER LOGIN lineofsight_reader WITH PASSWORD = N'$(READER_PASSWORD)';
GO
USE lineofsight_demo_finance;
GO
IF USER_ID(N'lineofsight_reader') IS NULL
  CREATE USER lineofsight_reader FOR LOGIN lineofsight_reader;
ALTER ROLE db_datareader ADD MEMBER lineofsight_reader;
DENY INSERT, UPDATE, DELETE, ALTER, EXECUTE, CREATE TABLE, CREATE VIEW, CREATE PROCEDURE TO lineofsight_reader;
GO
