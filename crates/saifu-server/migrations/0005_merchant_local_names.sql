-- A shop's name and city in its own language and script, as its codes carry them (EMV tag
-- 64): the app shows them to people who read that language.
ALTER TABLE merchants ADD COLUMN local_language TEXT;
ALTER TABLE merchants ADD COLUMN local_name TEXT;
ALTER TABLE merchants ADD COLUMN local_city TEXT;
