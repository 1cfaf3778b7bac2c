-- A contact channel a person chooses to share with a match once both have accepted
-- (LinkedIn, phone, Teams...). Never shown before that.
ALTER TABLE people
    ADD COLUMN shared_contact text NOT NULL DEFAULT '' CHECK (char_length(shared_contact) <= 200);
