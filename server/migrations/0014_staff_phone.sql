-- A staff member's own phone number, given by themself: the desk calls a shop's named admins
-- on it (Second Level Support).
ALTER TABLE users ADD COLUMN phone TEXT;
