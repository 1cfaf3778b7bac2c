-- A done round's charts, rendered once to SVG (service/rounds/charts): a round's figures never
-- change once it is a draft, and a re-run is a new round, so nothing here is ever invalidated.
CREATE TABLE round_charts (
    round_id   uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    name       text NOT NULL,
    svg        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, name)
);
