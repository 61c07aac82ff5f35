-- Pipeline by stage and owner: opportunity count, amount and probability-weighted amount per (pipeline stage, owner)
--
-- One row per combination that has at least one opportunity. Opportunities without an owner are
-- grouped under owner_key 0 (owner_user_id and owner_name NULL), so that (stage_id, owner_key) can
-- be the primary key. Closed stages are included: filter on is_closed / is_won.
CREATE TABLE {{target}} (
  stage_id BIGINT UNSIGNED NOT NULL,
  stage_name VARCHAR(100) NOT NULL,
  stage_position INT NOT NULL,
  probability DECIMAL(5,4) NOT NULL,
  -- TINYINT, not TINYINT(1): MySQL 9 warns that integer display widths are deprecated, even (1).
  is_closed TINYINT NOT NULL,
  is_won TINYINT NOT NULL,
  owner_key BIGINT UNSIGNED NOT NULL,
  owner_user_id BIGINT UNSIGNED NULL,
  owner_name VARCHAR(191) NULL,
  opportunity_count INT UNSIGNED NOT NULL,
  amount_total DECIMAL(18,2) NOT NULL,
  weighted_amount DECIMAL(18,2) NOT NULL,
  PRIMARY KEY (stage_id, owner_key),
  KEY ix_rpt_pso_owner (owner_key),
  KEY ix_rpt_pso_position (stage_position)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (
  stage_id, stage_name, stage_position, probability, is_closed, is_won,
  owner_key, owner_user_id, owner_name, opportunity_count, amount_total, weighted_amount
)
SELECT
  s.id,
  s.name,
  s.position,
  s.probability,
  s.is_closed,
  s.is_won,
  a.owner_key,
  NULLIF(a.owner_key, 0),
  u.full_name,
  a.opportunity_count,
  a.amount_total,
  ROUND(a.amount_total * s.probability, 2)
FROM (
  SELECT
    p.stage_id,
    COALESCE(p.owner_user_id, 0) AS owner_key,
    COUNT(*) AS opportunity_count,
    SUM(p.amount) AS amount_total
  FROM {{opportunities}} AS p
  GROUP BY p.stage_id, COALESCE(p.owner_user_id, 0)
) AS a
INNER JOIN {{pipeline_stages}} AS s ON s.id = a.stage_id
LEFT JOIN {{users}} AS u ON u.id = a.owner_key;

-- Incremental refresh: the (stage, owner) groups that gained or lost an opportunity, and the
-- groups of stages or owners whose names or probabilities changed.
-- @key stage_id, owner_key
-- @changes opportunities p: p.stage_id, COALESCE(p.owner_user_id, 0)
-- @changes pipeline_stages: SELECT r.stage_id, r.owner_key FROM {{target}} AS r JOIN {{changed}} AS x ON r.stage_id = x.id
-- @changes users: SELECT r.stage_id, r.owner_key FROM {{target}} AS r JOIN {{changed}} AS x ON r.owner_key = x.id
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.stage_id = k.stage_id AND r.owner_key = k.owner_key;

INSERT INTO {{target}} (
  stage_id, stage_name, stage_position, probability, is_closed, is_won,
  owner_key, owner_user_id, owner_name, opportunity_count, amount_total, weighted_amount
)
SELECT
  s.id, s.name, s.position, s.probability, s.is_closed, s.is_won,
  a.owner_key, NULLIF(a.owner_key, 0), u.full_name, a.opportunity_count, a.amount_total,
  ROUND(a.amount_total * s.probability, 2)
FROM (
  SELECT p.stage_id, COALESCE(p.owner_user_id, 0) AS owner_key, COUNT(*) AS opportunity_count, SUM(p.amount) AS amount_total
  FROM {{keys}} AS k
  INNER JOIN {{opportunities}} AS p ON p.stage_id = k.stage_id AND COALESCE(p.owner_user_id, 0) = k.owner_key
  GROUP BY p.stage_id, COALESCE(p.owner_user_id, 0)
) AS a
INNER JOIN {{pipeline_stages}} AS s ON s.id = a.stage_id
LEFT JOIN {{users}} AS u ON u.id = a.owner_key;
