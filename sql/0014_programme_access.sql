-- Who may join a programme: anyone ('open': listed to every logged-in person) or only people
-- holding its invitation code ('invitation': listed to its members and organisers). Every
-- programme has a code (open ones can be shared by link too); organisers replace it, after
-- which the old one no longer works. The code is 16 random bytes (gen_random_uuid's 122 random
-- bits) in URL-safe base64 without padding: 22 characters, the column default being the one
-- place codes are made, for new programmes and regenerated codes alike (SET ... = DEFAULT).
ALTER TABLE programmes
    ADD COLUMN access text NOT NULL DEFAULT 'open' CHECK (access IN ('open', 'invitation')),
    ADD COLUMN invitation_code text NOT NULL
        DEFAULT rtrim(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '=')
        CHECK (invitation_code ~ '^[A-Za-z0-9_-]{22}$'),
    -- When organisers plan the next matching round, so members know when to expect it.
    ADD COLUMN next_round_on date;

CREATE UNIQUE INDEX programmes_invitation_code_key ON programmes (invitation_code);
