-- Answers to the feedback survey sent a while after both sides accepted an introduction.
CREATE TABLE introduction_feedback (
    mentorship_id uuid NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    person_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    rating        smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 2000),
    still_meeting boolean NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mentorship_id, person_id)
);
