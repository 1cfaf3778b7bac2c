-- Events (workshops, seminars, webinars, networking, bootcamps, volunteering, study groups)
-- hosted by an association or a programme's organisers, and people's RSVPs. Imported events
-- keep their iCalendar UID (with the occurrence's start for a recurring series), so importing
-- the same calendar again updates them instead of adding copies.

CREATE TABLE events (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The host: an association, or a programme (its organisers); at least one of them.
    association_id uuid REFERENCES associations (id) ON DELETE CASCADE,
    programme_id   uuid REFERENCES programmes (id) ON DELETE CASCADE,
    title          text NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
    kind           text NOT NULL
                   CHECK (kind IN ('workshop', 'seminar', 'webinar', 'networking', 'bootcamp',
                                   'volunteering', 'study_group')),
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    -- The IANA zone the event is announced in (its local times are read in it).
    timezone       text NOT NULL CHECK (char_length(timezone) BETWEEN 1 AND 64),
    -- Online, or at a venue in a city and country (ISO 3166-1 alpha-2); the venue's
    -- coordinates come from the offline gazetteer, for distances.
    online         boolean NOT NULL DEFAULT false,
    city           text NOT NULL DEFAULT '' CHECK (char_length(city) <= 100),
    country        text CHECK (country ~ '^[A-Z]{2}$'),
    latitude       double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude      double precision CHECK (longitude BETWEEN -180 AND 180),
    -- Taxonomy slugs (custom ones as typed in tag_texts, as for profiles) and ISO 639-1 codes.
    tags           text[] NOT NULL DEFAULT '{}',
    tag_texts      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(tag_texts) = 'object'),
    languages      text[] NOT NULL DEFAULT '{}',
    -- NULL: no limit. rsvp_count is kept by the RSVP statements themselves, so that a place
    -- is taken atomically (UPDATE ... WHERE rsvp_count < capacity).
    capacity       integer CHECK (capacity >= 0),
    rsvp_count     integer NOT NULL DEFAULT 0 CHECK (rsvp_count >= 0),
    url            text NOT NULL DEFAULT '' CHECK (char_length(url) <= 500),
    description    text NOT NULL DEFAULT '' CHECK (char_length(description) <= 8000),
    -- From an iCalendar import: the VEVENT's UID, plus "/" and the occurrence's start (UTC,
    -- ISO 8601) for an occurrence of a recurring series.
    ical_uid       text CHECK (char_length(ical_uid) <= 500),
    status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    is_demo        boolean NOT NULL DEFAULT false,
    created_by     uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    cancelled_at   timestamptz,
    CHECK (association_id IS NOT NULL OR programme_id IS NOT NULL),
    CHECK (ends_at > starts_at),
    CHECK (online OR country IS NOT NULL),
    CHECK (capacity IS NULL OR rsvp_count <= capacity),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    UNIQUE (association_id, ical_uid)
);
CREATE INDEX events_upcoming_idx ON events (starts_at) WHERE status = 'scheduled';
CREATE INDEX events_association_idx ON events (association_id, starts_at);
CREATE INDEX events_programme_idx ON events (programme_id, starts_at);

-- A person going to an event (a cancelled RSVP is deleted, freeing its place).
CREATE TABLE event_rsvps (
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_rsvps_person_idx ON event_rsvps (person_id);
