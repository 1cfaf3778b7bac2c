-- Everyone is accounted for: the programme members a round did not enter, one row per member
-- and role, with why (code), the reason as the member reads it, and details for organisers.
-- Written with the round's matches, in the same transaction that replaces them, so a finished
-- round's figures never change and a job run twice stores them once.
CREATE TABLE round_not_entered (
    round_id  uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN ('mentee', 'mentor')),
    code      text NOT NULL,
    reason    text NOT NULL,
    details   jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (round_id, person_id, role)
);
-- "My matches" reads a person's outcome of their programmes' last rounds.
CREATE INDEX round_not_entered_person_idx ON round_not_entered (person_id);
CREATE INDEX round_unmatched_mentee_idx ON round_unmatched (mentee_id);
