-- SPDX-License-Identifier: GPL-2.0-or-later
-- replyguard's limits table (modparam db_table), MySQL / MariaDB.
--   mysql -u kamailio -p kamailio < replyguard_limits-mysql.sql
-- The version table is Kamailio's own (kamdbctl creates it); it is made
-- here too for a database that has none yet.
CREATE TABLE IF NOT EXISTS `version` (
    `id` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    `table_name` VARCHAR(32) NOT NULL,
    `table_version` INT UNSIGNED DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (`table_name`)
);
CREATE TABLE `replyguard_limits` (
    `id` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    `dst` VARCHAR(255) NOT NULL,
    `cps` DOUBLE DEFAULT NULL,
    `burst` INT DEFAULT NULL,
    `max_concurrent` INT DEFAULT NULL,
    CONSTRAINT replyguard_limits_dst_idx UNIQUE (`dst`)
);
INSERT INTO `version` (`table_name`, `table_version`) VALUES ('replyguard_limits', 1);
