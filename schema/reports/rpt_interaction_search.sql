-- Interaction search: one row per interaction with its contact and organization names, full-text indexed on subject and body
--
-- FULLTEXT on MyISAM: words shorter than ft_min_word_len (4 by default) and stopwords are not
-- indexed, and in NATURAL LANGUAGE MODE a word found in half the rows or more is ignored.
CREATE TABLE {{target}} (
  interaction_id BIGINT UNSIGNED NOT NULL,
  contact_id BIGINT UNSIGNED NOT NULL,
  contact_name VARCHAR(201) NOT NULL,
  organization_id BIGINT UNSIGNED NULL,
  organization_name VARCHAR(191) NULL,
  user_id BIGINT UNSIGNED NULL,
  channel ENUM('email', 'phone', 'social', 'meeting', 'chat') NOT NULL,
  direction ENUM('inbound', 'outbound') NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  subject VARCHAR(191) NOT NULL,
  body TEXT NULL,
  PRIMARY KEY (interaction_id),
  KEY ix_rpt_is_contact_occurred (contact_id, occurred_at),
  KEY ix_rpt_is_channel_occurred (channel, occurred_at),
  KEY ix_rpt_is_organization (organization_id),
  FULLTEXT KEY ft_rpt_is_subject_body (subject, body)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (
  interaction_id, contact_id, contact_name, organization_id, organization_name, user_id,
  channel, direction, occurred_at, subject, body
)
SELECT
  i.id,
  i.contact_id,
  COALESCE(CONCAT(c.first_name, ' ', c.last_name), ''),
  c.organization_id,
  o.name,
  i.user_id,
  i.channel,
  i.direction,
  i.occurred_at,
  i.subject,
  i.body
FROM {{interactions}} AS i
LEFT JOIN {{contacts}} AS c ON c.id = i.contact_id
LEFT JOIN {{organizations}} AS o ON o.id = c.organization_id;

-- Incremental refresh: the changed interactions, and those of contacts or organizations whose
-- names changed. The FULLTEXT index is updated row by row, not rebuilt.
-- @key interaction_id
-- @changes interactions i: i.id
-- @changes contacts: SELECT i.id FROM {{interactions}} AS i JOIN {{changed}} AS x ON i.contact_id = x.id
-- @changes organizations: SELECT i.id FROM {{interactions}} AS i JOIN {{contacts}} AS c ON c.id = i.contact_id JOIN {{changed}} AS x ON c.organization_id = x.id
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.interaction_id = k.interaction_id;

INSERT INTO {{target}} (
  interaction_id, contact_id, contact_name, organization_id, organization_name, user_id,
  channel, direction, occurred_at, subject, body
)
SELECT
  i.id, i.contact_id, COALESCE(CONCAT(c.first_name, ' ', c.last_name), ''), c.organization_id, o.name,
  i.user_id, i.channel, i.direction, i.occurred_at, i.subject, i.body
FROM {{keys}} AS k
INNER JOIN {{interactions}} AS i ON i.id = k.interaction_id
LEFT JOIN {{contacts}} AS c ON c.id = i.contact_id
LEFT JOIN {{organizations}} AS o ON o.id = c.organization_id;
