-- SPDX-License-Identifier: GPL-2.0-or-later
-- replyguard's limits table (modparam db_table), PostgreSQL.
--   psql -U kamailio kamailio < replyguard_limits-postgres.sql
-- The version table is Kamailio's own (kamdbctl creates it); it is made
-- here too for a database that has none yet.
CREATE TABLE IF NOT EXISTS version (
    id SERIAL PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
CREATE TABLE replyguard_limits (
    id SERIAL PRIMARY KEY NOT NULL,
    dst VARCHAR(255) NOT NULL,
    cps DOUBLE PRECISION DEFAULT NULL,
    burst INTEGER DEFAULT NULL,
    max_concurrent INTEGER DEFAULT NULL,
    CONSTRAINT replyguard_limits_dst_idx UNIQUE (dst)
);
INSERT INTO version (table_name, table_version) VALUES ('replyguard_limits', 1);
