ALTER TABLE login_throttles DROP COLUMN pending;
