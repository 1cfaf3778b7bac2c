-- Publishing commits a round's pending mentorships; a job then queues their introductions,
-- finding them by round (and the minute's follow-up finds any a lost job left behind).
CREATE INDEX mentorships_round_idx ON mentorships (round_id) WHERE round_id IS NOT NULL;
