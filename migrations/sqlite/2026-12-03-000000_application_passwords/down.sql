DROP TABLE application_passwords;
