-- A programme's version counts its edits (name, description, settings, who may join, the next
-- round's date): an organiser's save sends the version it read, and a save made meanwhile by
-- someone else refuses it (409) instead of overwriting their change.
ALTER TABLE programmes ADD COLUMN version integer NOT NULL DEFAULT 1;
