-- A session started with userId "" (accepted until request labels were checked) was one user named
-- "": its facts were recalled in every other such session of its tenant, and its promoted facts
-- too. A blank user id names nobody: such sessions become anonymous, their facts their session's
-- own (episodic facts carry their session), and their promoted facts nobody's, as an anonymous
-- session's are never promoted since. The checks keep a blank id from being stored again.
UPDATE sessions SET user_id = NULL WHERE btrim(user_id) = '';
UPDATE episodic_facts SET user_id = NULL WHERE btrim(user_id) = '';
UPDATE semantic_facts SET user_id = NULL WHERE btrim(user_id) = '';

ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_not_blank CHECK (btrim(user_id) <> '');
ALTER TABLE episodic_facts
    ADD CONSTRAINT episodic_facts_user_id_not_blank CHECK (btrim(user_id) <> '');
ALTER TABLE semantic_facts
    ADD CONSTRAINT semantic_facts_user_id_not_blank CHECK (btrim(user_id) <> '');
