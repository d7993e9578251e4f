-- The read-only role Grafana's "lineofsight store" data source connects as: SELECT on the tables
-- and the view the dashboards' store panels read, nothing else. Run it as the store's owner, in
-- the store's database, after `lineofsight migrate` (the tables must exist), and again whenever a
-- release says its dashboards read something new. It is safe to run twice.
--
--   psql "$LINEOFSIGHT_STORE_URL" -v ON_ERROR_STOP=1 \
--        -v password="$LINEOFSIGHT_GRAFANA_DB_PASSWORD" -f dashboards/postgres/grafana-reader.sql
--
-- The password comes from the environment, never from this file.

SELECT 'CREATE ROLE lineofsight_grafana LOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lineofsight_grafana') \gexec

ALTER ROLE lineofsight_grafana WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'password';
-- A session starts read-only and cannot hold the store for long; a user who writes BEGIN READ WRITE
-- still has no privilege to write with, once PUBLIC's are gone (below).
ALTER ROLE lineofsight_grafana SET default_transaction_read_only = on;
ALTER ROLE lineofsight_grafana SET statement_timeout = '30s';

-- Every role holds what PUBLIC holds, so what PUBLIC may do in the store's database is taken back:
-- temporary tables, and (before PostgreSQL 15) creating in schema public. The service's own role
-- owns its tables and needs neither; this database should hold the store alone.
SELECT format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()) \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

SELECT format('GRANT CONNECT ON DATABASE %I TO lineofsight_grafana', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO lineofsight_grafana;

-- What the panels read (dashboards/src/*.ts; the project's tests fail when this list and theirs differ).
GRANT SELECT ON
  indicator_values,    -- indicator detail: history against target, each period's judgement
  failed_check_log,    -- data quality: the failed-check log (a view: its columns are a contract)
  risk_matrix_cells,   -- risk: the matrix and its tolerance line
  risk_positions,      -- risk: each risk's cell, moves of position
  risk_register,       -- risk: which risks the register holds now
  runs                 -- pipeline health: outcomes, durations, rows read, malformed rows, awaiting periods
TO lineofsight_grafana;
