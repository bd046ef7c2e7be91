-- Password checks under way for a key: reserved before the password is
-- verified, settled as a failure or given back after (see auth::throttle).
ALTER TABLE login_throttles ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
