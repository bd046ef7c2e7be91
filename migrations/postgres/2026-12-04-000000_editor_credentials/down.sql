DELETE FROM application_passwords WHERE kind <> 'application_password';
ALTER TABLE application_passwords DROP COLUMN scopes;
ALTER TABLE application_passwords DROP COLUMN sealed_secret;
ALTER TABLE application_passwords DROP COLUMN kind;
