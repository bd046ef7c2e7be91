DROP TABLE indieauth_codes;
