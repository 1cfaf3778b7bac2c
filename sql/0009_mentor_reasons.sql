-- Match reasons as the mentor reads them ("you hold PMP, which they are aiming for", overlap
-- in the mentor's own time). `reasons` stays the mentee's (and organisers') wording. Rounds
-- computed before this migration have none for the mentor: NULL, shown as no reasons rather
-- than the mentee's wording addressed to the wrong person.
ALTER TABLE round_matches ADD COLUMN reasons_for_mentor jsonb;
