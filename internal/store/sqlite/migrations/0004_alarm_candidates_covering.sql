-- 0004: the alarm candidates query (AlarmCandidates, FindAlarmCandidates) reads
-- certificates by a range of not_after and needs only a few small columns of
-- each; with them in the index it never reads a certificate row (PEMs, sealed
-- keys). The index keeps its name and still serves every range query on
-- not_after.
DROP INDEX certificates_not_after;
CREATE INDEX certificates_not_after ON certificates (not_after, ignore_notifications, status, project, id);
