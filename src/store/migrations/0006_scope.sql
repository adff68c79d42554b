-- What each regulator organisation sees, materialised: the organisations whose province and kind
-- match a row of its jurisdiction, and itself. Kept in step by org_scope_refresh() whenever an
-- organisation or a jurisdiction changes, so a regulator's scoped query is an index lookup.
CREATE TABLE regulator_scope (
    regulator_id BIGINT NOT NULL REFERENCES orgs(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (regulator_id, org_id)
);
CREATE INDEX regulator_scope_org ON regulator_scope(org_id);

INSERT INTO regulator_scope (regulator_id, org_id)
SELECT DISTINCT sj.regulator_id, so.id FROM jurisdictions sj JOIN orgs so
  ON (sj.province = so.province OR sj.province = '*') AND (sj.kind = so.kind OR sj.kind = '*');
INSERT INTO regulator_scope (regulator_id, org_id)
SELECT o.id, o.id FROM orgs o WHERE o.kind LIKE 'regulator%'
  AND NOT EXISTS (SELECT 1 FROM regulator_scope r WHERE r.regulator_id = o.id AND r.org_id = o.id);

CREATE INDEX units_org_filing ON units(org_id, filing_status);
