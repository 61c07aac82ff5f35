-- Revenue by month: paid transactions, paying customers, revenue, refunds and average order value per calendar month and currency
--
-- A transaction falls in the month of its occurred_at (stored without time zone conversion).
-- Only paid and refunded transactions count; pending and cancelled ones are ignored. A refunded
-- transaction is no longer paid, so revenue is already net of it; refunded_amount shows it apart.
CREATE TABLE {{target}} (
  `month` DATE NOT NULL,
  `year` SMALLINT UNSIGNED NOT NULL,
  month_number TINYINT UNSIGNED NOT NULL,
  currency CHAR(3) NOT NULL,
  paid_transaction_count INT UNSIGNED NOT NULL,
  paying_customers INT UNSIGNED NOT NULL,
  revenue DECIMAL(18,2) NOT NULL,
  refunded_amount DECIMAL(18,2) NOT NULL,
  average_order_value DECIMAL(18,2) NULL,
  PRIMARY KEY (`month`, currency),
  KEY ix_rpt_rbm_currency (currency, `month`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (
  `month`, `year`, month_number, currency, paid_transaction_count, paying_customers,
  revenue, refunded_amount, average_order_value
)
SELECT
  MAKEDATE(m.y, 1) + INTERVAL (m.mo - 1) MONTH,
  m.y,
  m.mo,
  m.currency,
  m.paid_count,
  m.paying_customers,
  m.revenue,
  m.refunded_amount,
  CASE WHEN m.paid_count > 0 THEN ROUND(m.revenue / m.paid_count, 2) END
FROM (
  SELECT
    YEAR(t.occurred_at) AS y,
    MONTH(t.occurred_at) AS mo,
    t.currency,
    SUM(CASE WHEN t.status = 'paid' THEN 1 ELSE 0 END) AS paid_count,
    COUNT(DISTINCT CASE WHEN t.status = 'paid' THEN t.contact_id END) AS paying_customers,
    COALESCE(SUM(CASE WHEN t.status = 'paid' THEN t.total_amount END), 0) AS revenue,
    COALESCE(SUM(CASE WHEN t.status = 'refunded' THEN t.total_amount END), 0) AS refunded_amount
  FROM {{transactions}} AS t
  WHERE t.status IN ('paid', 'refunded')
  GROUP BY YEAR(t.occurred_at), MONTH(t.occurred_at), t.currency
) AS m;

-- Incremental refresh: the (month, currency) groups of the changed transactions, old and new.
-- @key month, currency
-- @changes transactions t: MAKEDATE(YEAR(t.occurred_at), 1) + INTERVAL (MONTH(t.occurred_at) - 1) MONTH, t.currency
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.`month` = k.`month` AND r.currency = k.currency;

INSERT INTO {{target}} (
  `month`, `year`, month_number, currency, paid_transaction_count, paying_customers,
  revenue, refunded_amount, average_order_value
)
SELECT
  m.`month`, YEAR(m.`month`), MONTH(m.`month`), m.currency, m.paid_count, m.paying_customers,
  m.revenue, m.refunded_amount,
  CASE WHEN m.paid_count > 0 THEN ROUND(m.revenue / m.paid_count, 2) END
FROM (
  SELECT
    k.`month`,
    k.currency,
    SUM(CASE WHEN t.status = 'paid' THEN 1 ELSE 0 END) AS paid_count,
    COUNT(DISTINCT CASE WHEN t.status = 'paid' THEN t.contact_id END) AS paying_customers,
    COALESCE(SUM(CASE WHEN t.status = 'paid' THEN t.total_amount END), 0) AS revenue,
    COALESCE(SUM(CASE WHEN t.status = 'refunded' THEN t.total_amount END), 0) AS refunded_amount
  FROM {{keys}} AS k
  INNER JOIN {{transactions}} AS t
    ON t.occurred_at >= k.`month` AND t.occurred_at < k.`month` + INTERVAL 1 MONTH AND t.currency = k.currency
  WHERE t.status IN ('paid', 'refunded')
  GROUP BY k.`month`, k.currency
) AS m;
