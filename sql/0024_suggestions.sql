-- Each person's suggested events and associations, precomputed by the worker (best first) and
-- read as they are by the API, the pages and the weekly digest; more than a page is kept, so
-- that what became full, past or already chosen since can be left out when read.

CREATE TABLE person_suggestions (
    person_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    rank           smallint NOT NULL CHECK (rank >= 1),
    kind           text NOT NULL CHECK (kind IN ('event', 'association')),
    event_id       uuid REFERENCES events (id) ON DELETE CASCADE,
    association_id uuid REFERENCES associations (id) ON DELETE CASCADE,
    score          real NOT NULL,
    -- Why, in words, best reason first: a JSON array of sentences.
    reasons        jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(reasons) = 'array'),
    -- Each component's share of the score (content, network, ...), for the organisers' view.
    components     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(components) = 'object'),
    computed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, rank),
    CHECK ((kind = 'event') = (event_id IS NOT NULL)),
    CHECK ((kind = 'association') = (association_id IS NOT NULL))
);
CREATE INDEX person_suggestions_event_idx ON person_suggestions (event_id)
    WHERE event_id IS NOT NULL;
CREATE INDEX person_suggestions_association_idx ON person_suggestions (association_id)
    WHERE association_id IS NOT NULL;
