-- 0002: the loop breaker counts a sender's recent mail (SPEC §5).
CREATE INDEX messages_from ON messages (from_addr, at) WHERE direction = 'in';
CREATE INDEX quarantine_from ON quarantine (mail_from, at);
