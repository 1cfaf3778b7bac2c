-- Custom tags as the person typed them ("Kanban Coaching for NGOs"), by the slug their tag
-- lists hold (kanban-coaching-for-ngos): matching compares slugs; their profile, edit form and
-- the API show these words. Only slugs of custom tags the person has are kept.
ALTER TABLE people
    ADD COLUMN tag_texts jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(tag_texts) = 'object');
