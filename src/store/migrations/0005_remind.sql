-- Reminders (issue 4). Each row of reminders_sent keeps the organisation, title and due date of
-- its duty as they were when it was sent, so the log stays scoped and readable after the duty
-- changes or goes. A claim in progress has status 'sending' (src/duty/remind.c).
ALTER TABLE reminders_sent ADD COLUMN org_id BIGINT;
ALTER TABLE reminders_sent ADD COLUMN title TEXT;
ALTER TABLE reminders_sent ADD COLUMN due_date TEXT;
CREATE INDEX reminders_sent_org ON reminders_sent(org_id, updated_at);

-- One channel per organisation, kind and target.
CREATE UNIQUE INDEX reminder_channels_target ON reminder_channels(org_id, kind, target);
