-- Covering indexes for the two reads a regulator makes over a whole jurisdiction (measured with
-- bench/units on 1,000,000 units): open duties by organisation and due date, and the level /
-- filing-status distribution of units by organisation.
CREATE INDEX duties_open ON duties(org_id, done_at, due_date);
CREATE INDEX units_stats ON units(org_id, status, level, filing_status, cii);
