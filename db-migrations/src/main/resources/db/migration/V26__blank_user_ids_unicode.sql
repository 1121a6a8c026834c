-- V25 took a user id for blank only when it was made of ASCII spaces. Versions that did not check
-- user ids also stored tabs, line breaks, no-break and other Unicode spaces, zero-width and
-- direction marks, byte-order marks and the letters that show as nothing (Hangul fillers, the blank
-- Braille pattern): each such id was one user sharing its sessions' facts, and one the API (which
-- refuses such ids) cannot name to forget. They become no user too, and the checks refuse them all.
-- PostgreSQL's regular expressions read \uXXXX escapes themselves; \s is any ASCII space.
UPDATE sessions SET user_id = NULL
    WHERE user_id ~ '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\u115f\u1160\u3164\uffa0\u2800]*$';
UPDATE episodic_facts SET user_id = NULL
    WHERE user_id ~ '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\u115f\u1160\u3164\uffa0\u2800]*$';
UPDATE semantic_facts SET user_id = NULL
    WHERE user_id ~ '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\u115f\u1160\u3164\uffa0\u2800]*$';

-- The rows were just cleaned: NOT VALID skips re-reading each table under its exclusive lock, and
-- every row written from now on is checked all the same.
ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_not_blank;
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_not_blank
    CHECK (user_id !~ '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\u115f\u1160\u3164\uffa0\u2800]*$') NOT VALID;
ALTER TABLE episodic_facts DROP CONSTRAINT episodic_facts_user_id_not_blank;
ALTER TABLE episodic_facts ADD CONSTRAINT episodic_facts_user_id_not_blank
    CHECK (user_id !~ '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\u115f\u1160\u3164\uffa0\u2800]*$') NOT VALID;
ALTER TABLE semantic_facts DROP CONSTRAINT semantic_facts_user_id_not_blank;
ALTER TABLE semantic_facts ADD CONSTRAINT semantic_facts_user_id_not_blank
    CHECK (user_id !~ '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\u115f\u1160\u3164\uffa0\u2800]*$') NOT VALID;
