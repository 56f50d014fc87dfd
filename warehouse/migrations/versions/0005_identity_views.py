"""The identity views: both sides of every identity (勾稽关系) per report and scope (``identity_<check>``,
``identities_<subject>``, ``identity_assessable``), and ``identity_sides``, the snapshot of the subject
views a run takes and the Great Expectations suites validate.

The views are frozen here as 0005 made them (0007 replaced the identity views; 0006 the overview): the
views of 0004 from its file, then the identity views below.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

# ruff: noqa: E501  (the frozen SQL keeps its lines as views.py wrote them)

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.db import migration_module

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The identity, subject and assessable views as 0005 made them, frozen (warehouse/views.py of 0005, expanded):
#: 0007 replaces them; its downgrade restores these.
_IDENTITY_VIEW_NAMES_0005 = (
    "identity_request_balance",
    "identity_outcome_sum",
    "identity_applicant_sum",
    "identity_complete",
    "identity_review_sum",
    "identity_outdated_form",
    "identity_narrative_match",
    "identity_carry_continuity",
    "identity_documents_agree",
    "identities_requests",
    "identities_reviews",
    "identities_report",
    "identities_history",
    "identities_copies",
    "identity_assessable",
)
_IDENTITY_VIEWS_0005 = (
    """CREATE VIEW identity_request_balance AS
SELECT 'request_balance' AS check_key, s.report_id AS report_id, s.scope AS scope,
  CASE WHEN SUM(CASE WHEN s.side = 1 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 1 THEN 1 ELSE 0 END) >= 2 THEN SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) END AS left_value,
  CASE WHEN SUM(CASE WHEN s.side = 2 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 2 THEN 1 ELSE 0 END) >= 2 THEN SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) END AS right_value,
  SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) AS left_readable,
  SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) AS right_readable,
  SUM(CASE WHEN s.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  (2) + (2) - COUNT(DISTINCT s.member) AS n_missing,
  SUM(CASE WHEN s.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN s.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  'requests[' || s.scope || ']: new_requests + carried_over = total_processed + carried_forward' AS operands
FROM (
  SELECT c.report_id AS report_id, c.column_key AS scope, c.row_key AS member, c.value AS value, c.kind AS kind,
    c.row_key AS row_key, CASE WHEN c.row_key IN ('new_requests', 'carried_over') THEN 1 ELSE 2 END AS side
  FROM cells c JOIN reports r ON r.id = c.report_id
  WHERE r.status = 'parsed' AND c.tbl = 'requests' AND c.row_key IN ('new_requests', 'carried_over', 'total_processed', 'carried_forward')
) s
GROUP BY s.report_id, s.scope""",
    """CREATE VIEW identity_outcome_sum AS
SELECT 'outcome_sum' AS check_key, s.report_id AS report_id, s.scope AS scope,
  CASE WHEN SUM(CASE WHEN s.side = 1 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 1 THEN 1 ELSE 0 END) >= 1 THEN SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) END AS left_value,
  CASE WHEN SUM(CASE WHEN s.side = 2 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 2 THEN 1 ELSE 0 END) >= (CASE WHEN MAX(CASE WHEN s.row_key IN ('other_no_correction', 'other_unpaid_fee', 'other_misc') THEN 1 ELSE 0 END) = 1 THEN 21 ELSE 19 END) THEN SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) END AS right_value,
  SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) AS left_readable,
  SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) AS right_readable,
  SUM(CASE WHEN s.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  (1) + ((CASE WHEN MAX(CASE WHEN s.row_key IN ('other_no_correction', 'other_unpaid_fee', 'other_misc') THEN 1 ELSE 0 END) = 1 THEN 21 ELSE 19 END)) - COUNT(DISTINCT s.member) AS n_missing,
  SUM(CASE WHEN s.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN s.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  'requests[' || s.scope || ']: total_processed = granted + … + other_*' AS operands
FROM (
  SELECT c.report_id AS report_id, c.column_key AS scope, c.row_key AS member, c.value AS value, c.kind AS kind,
    c.row_key AS row_key, CASE WHEN c.row_key IN ('total_processed') THEN 1 ELSE 2 END AS side
  FROM cells c JOIN reports r ON r.id = c.report_id
  WHERE r.status = 'parsed' AND c.tbl = 'requests' AND c.row_key IN ('total_processed', 'granted', 'partially_granted', 'denied_state_secret', 'denied_prohibited_by_law', 'denied_security_stability', 'denied_third_party_rights', 'denied_internal_affairs', 'denied_process_info', 'denied_enforcement_file', 'denied_inquiry_matter', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear', 'rejected_complaint', 'rejected_duplicate', 'rejected_publication', 'rejected_excessive', 'rejected_confirmation', 'other_handling', 'other_no_correction', 'other_unpaid_fee', 'other_misc')
) s
GROUP BY s.report_id, s.scope""",
    """CREATE VIEW identity_applicant_sum AS
SELECT 'applicant_sum' AS check_key, s.report_id AS report_id, s.scope AS scope,
  CASE WHEN SUM(CASE WHEN s.side = 1 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 1 THEN 1 ELSE 0 END) >= 1 THEN SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) END AS left_value,
  CASE WHEN SUM(CASE WHEN s.side = 2 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 2 THEN 1 ELSE 0 END) >= 6 THEN SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) END AS right_value,
  SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) AS left_readable,
  SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) AS right_readable,
  SUM(CASE WHEN s.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  (1) + (6) - COUNT(DISTINCT s.member) AS n_missing,
  SUM(CASE WHEN s.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN s.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  'requests[' || s.scope || ']: total = natural_person + commercial_enterprise + research_institution + social_welfare_org + legal_service_agency + other_org' AS operands
FROM (
  SELECT c.report_id AS report_id, c.row_key AS scope, c.column_key AS member, c.value AS value, c.kind AS kind,
    c.row_key AS row_key, CASE WHEN c.column_key IN ('total') THEN 1 ELSE 2 END AS side
  FROM cells c JOIN reports r ON r.id = c.report_id
  WHERE r.status = 'parsed' AND c.tbl = 'requests' AND c.column_key IN ('total', 'natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_agency', 'other_org')
) s
GROUP BY s.report_id, s.scope""",
    """CREATE VIEW identity_complete AS
SELECT 'complete' AS check_key, c.report_id AS report_id, NULL AS scope,
  SUM(CASE WHEN c.value IS NOT NULL AND ((c.tbl = 'proactive' AND (c.value >= 0 OR c.column_key IN ('items_change')) AND (CAST(c.value AS INTEGER) = c.value OR c.column_key IN ('amount', 'fee_amount'))) OR (c.tbl <> 'proactive' AND c.value >= 0 AND CAST(c.value AS INTEGER) = c.value)) THEN 1 ELSE 0 END) AS left_value,
  (CASE WHEN MAX(CASE WHEN c.row_key IN ('other_no_correction', 'other_unpaid_fee', 'other_misc') THEN 1 ELSE 0 END) = 1 THEN 25 ELSE 23 END) * 7 + 15 + (CASE WHEN r.form = '2021' THEN 10 ELSE 22 END) AS right_value,
  SUM(CASE WHEN c.value IS NOT NULL AND ((c.tbl = 'proactive' AND (c.value >= 0 OR c.column_key IN ('items_change')) AND (CAST(c.value AS INTEGER) = c.value OR c.column_key IN ('amount', 'fee_amount'))) OR (c.tbl <> 'proactive' AND c.value >= 0 AND CAST(c.value AS INTEGER) = c.value)) THEN 1 ELSE 0 END) AS left_readable,
  (CASE WHEN MAX(CASE WHEN c.row_key IN ('other_no_correction', 'other_unpaid_fee', 'other_misc') THEN 1 ELSE 0 END) = 1 THEN 25 ELSE 23 END) * 7 + 15 + (CASE WHEN r.form = '2021' THEN 10 ELSE 22 END) AS right_readable,
  SUM(CASE WHEN c.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  0 AS n_missing, SUM(CASE WHEN c.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN c.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  'proactive, requests, reviews: valid numbers = cells the form has' AS operands
FROM cells c JOIN reports r ON r.id = c.report_id
WHERE r.status = 'parsed' AND (
  (c.tbl = 'requests' AND c.row_key IN ('new_requests', 'carried_over', 'granted', 'partially_granted', 'denied_state_secret', 'denied_prohibited_by_law', 'denied_security_stability', 'denied_third_party_rights', 'denied_internal_affairs', 'denied_process_info', 'denied_enforcement_file', 'denied_inquiry_matter', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear', 'rejected_complaint', 'rejected_duplicate', 'rejected_publication', 'rejected_excessive', 'rejected_confirmation', 'other_handling', 'other_no_correction', 'other_unpaid_fee', 'other_misc', 'total_processed', 'carried_forward') AND c.column_key IN ('natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_agency', 'other_org', 'total'))
  OR (c.tbl = 'reviews' AND c.row_key IN ('review_upheld', 'review_corrected', 'review_other', 'review_pending', 'review_total', 'suit_direct_upheld', 'suit_direct_corrected', 'suit_direct_other', 'suit_direct_pending', 'suit_direct_total', 'suit_after_review_upheld', 'suit_after_review_corrected', 'suit_after_review_other', 'suit_after_review_pending', 'suit_after_review_total'))
  OR (c.tbl = 'proactive' AND ((r.form = '2021' AND (c.row_key || '.' || c.column_key) IN ('rules.issued', 'rules.repealed', 'rules.in_force', 'normative_documents.issued', 'normative_documents.repealed', 'normative_documents.in_force', 'licensing.decisions', 'penalty.decisions', 'coercion.decisions', 'fees.fee_amount')) OR (r.form <> '2021' AND (c.row_key || '.' || c.column_key) IN ('rules.made', 'rules.published', 'rules.total_published', 'normative_documents.made', 'normative_documents.published', 'normative_documents.total_published', 'licensing.items_last_year', 'licensing.items_change', 'licensing.decisions', 'other_services.items_last_year', 'other_services.items_change', 'other_services.decisions', 'penalty.items_last_year', 'penalty.items_change', 'penalty.decisions', 'coercion.items_last_year', 'coercion.items_change', 'coercion.decisions', 'fees.items_last_year', 'fees.items_change', 'procurement.items', 'procurement.amount')))))
GROUP BY c.report_id, r.form""",
    """CREATE VIEW identity_review_sum AS
SELECT 'review_sum' AS check_key, s.report_id AS report_id, s.scope AS scope,
  CASE WHEN SUM(CASE WHEN s.side = 1 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 1 THEN 1 ELSE 0 END) >= 1 THEN SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) END AS left_value,
  CASE WHEN SUM(CASE WHEN s.side = 2 AND s.value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN s.side = 2 THEN 1 ELSE 0 END) >= 4 THEN SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) END AS right_value,
  SUM(CASE WHEN s.side = 1 THEN COALESCE(s.value, 0) ELSE 0 END) AS left_readable,
  SUM(CASE WHEN s.side = 2 THEN COALESCE(s.value, 0) ELSE 0 END) AS right_readable,
  SUM(CASE WHEN s.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  (1) + (4) - COUNT(DISTINCT s.member) AS n_missing,
  SUM(CASE WHEN s.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN s.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  'reviews: ' || s.scope || '_total = upheld + corrected + other + pending' AS operands
FROM (
  SELECT c.report_id AS report_id, CASE WHEN c.row_key IN ('review_upheld', 'review_corrected', 'review_other', 'review_pending', 'review_total') THEN 'review' WHEN c.row_key IN ('suit_direct_upheld', 'suit_direct_corrected', 'suit_direct_other', 'suit_direct_pending', 'suit_direct_total') THEN 'suit_direct' WHEN c.row_key IN ('suit_after_review_upheld', 'suit_after_review_corrected', 'suit_after_review_other', 'suit_after_review_pending', 'suit_after_review_total') THEN 'suit_after_review' END AS scope, c.row_key AS member, c.value AS value, c.kind AS kind,
    c.row_key AS row_key, CASE WHEN c.row_key IN ('review_total', 'suit_direct_total', 'suit_after_review_total') THEN 1 ELSE 2 END AS side
  FROM cells c JOIN reports r ON r.id = c.report_id
  WHERE r.status = 'parsed' AND c.tbl = 'reviews' AND c.row_key IN ('review_total', 'suit_direct_total', 'suit_after_review_total', 'review_upheld', 'review_corrected', 'review_other', 'review_pending', 'suit_direct_upheld', 'suit_direct_corrected', 'suit_direct_other', 'suit_direct_pending', 'suit_after_review_upheld', 'suit_after_review_corrected', 'suit_after_review_other', 'suit_after_review_pending')
) s
GROUP BY s.report_id, s.scope""",
    """CREATE VIEW identity_outdated_form AS
SELECT 'outdated_form' AS check_key, r.id AS report_id, NULL AS scope,
  r.year AS left_value, CAST(r.form AS INTEGER) AS right_value,
  r.year AS left_readable, CAST(r.form AS INTEGER) AS right_readable,
  0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred,
  'reports.year, reports.form' AS operands
FROM reports r
WHERE r.status = 'parsed' AND r.year IS NOT NULL AND r.form IN ('2019', '2021')
  AND EXISTS (SELECT 1 FROM cells c WHERE c.report_id = r.id)""",
    """CREATE VIEW identity_narrative_match AS
SELECT 'narrative_match' AS check_key, n.report_id AS report_id, n.row_key AS scope,
  MAX(n.value) AS left_value,
  CASE WHEN SUM(CASE WHEN t.id IS NOT NULL AND t.value IS NULL THEN 1 ELSE 0 END) = 0
    AND (LENGTH(n.row_key) - LENGTH(REPLACE(n.row_key, '+', '')) + 1) - COUNT(t.id) <= 0
    THEN SUM(COALESCE(t.value, 0)) END AS right_value,
  MAX(n.value) AS left_readable,
  SUM(COALESCE(t.value, 0)) AS right_readable,
  SUM(CASE WHEN t.id IS NOT NULL AND t.value IS NULL THEN 1 ELSE 0 END) AS n_unreadable,
  (LENGTH(n.row_key) - LENGTH(REPLACE(n.row_key, '+', '')) + 1) - COUNT(t.id) AS n_missing,
  SUM(CASE WHEN t.kind = 'blank' THEN 1 ELSE 0 END) AS n_blank,
  SUM(CASE WHEN t.kind = 'inferred' THEN 1 ELSE 0 END) AS n_inferred,
  'narrative: ' || MAX(n.raw) AS operands
FROM cells n JOIN reports r ON r.id = n.report_id
LEFT JOIN cells t ON t.report_id = n.report_id
  AND t.tbl IN ('requests', 'reviews')
  AND ('+' || n.row_key || '+') LIKE ('%+' || t.row_key || '+%')
  AND COALESCE(t.column_key, '') = COALESCE(n.column_key, '')
WHERE r.status = 'parsed' AND n.tbl = 'narrative'
GROUP BY n.report_id, n.id, n.row_key""",
    """CREATE VIEW identity_carry_continuity AS
SELECT 'carry_continuity' AS check_key, c.report_id AS report_id, c.column_key AS scope,
  CASE WHEN SUM(CASE WHEN c.value IS NULL THEN 1 ELSE 0 END) = 0 THEN MAX(c.value) END AS left_value,
  CASE WHEN SUM(CASE WHEN prev.value IS NULL THEN 1 ELSE 0 END) = 0 AND MIN(prev.value) = MAX(prev.value)
    THEN MAX(prev.value) END AS right_value,
  MAX(c.value) AS left_readable,
  MAX(prev.value) AS right_readable,
  SUM(CASE WHEN c.value IS NULL THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.value IS NULL THEN 1 ELSE 0 END)
    + CASE WHEN MIN(prev.value) <> MAX(prev.value) THEN 1 ELSE 0 END AS n_unreadable,
  0 AS n_missing,
  SUM(CASE WHEN c.kind = 'blank' THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.kind = 'blank' THEN 1 ELSE 0 END)
    AS n_blank,
  SUM(CASE WHEN c.kind = 'inferred' THEN 1 ELSE 0 END) + SUM(CASE WHEN prev.kind = 'inferred' THEN 1 ELSE 0 END)
    AS n_inferred,
  'requests[' || c.column_key || ']: carried_over = previous year carried_forward' AS operands
FROM cells c JOIN reports r ON r.id = c.report_id
JOIN agencies ra ON ra.id = r.agency_id JOIN agencies pa ON pa.key = ra.key
JOIN reports p ON p.agency_id = pa.id AND p.year = r.year - 1 AND p.status = 'parsed'
JOIN cells prev ON prev.report_id = p.id AND prev.tbl = 'requests' AND prev.row_key = 'carried_forward'
  AND prev.column_key = c.column_key
WHERE r.status = 'parsed' AND c.tbl = 'requests' AND c.row_key = 'carried_over'
  AND c.column_key IN ('natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_agency', 'other_org', 'total')
GROUP BY c.report_id, c.column_key""",
    """CREATE VIEW identity_documents_agree AS
SELECT 'documents_agree' AS check_key, r.id AS report_id, SUBSTR(od.sha256, 1, 16) AS scope,
  c.value AS left_value, oc.value AS right_value,
  SUM(CASE WHEN c.value <> oc.value THEN 1 ELSE 0 END) OVER (PARTITION BY r.id, od.id) AS left_readable,
  COUNT(*) OVER (PARTITION BY r.id, od.id) AS right_readable,
  0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred,
  c.tbl || ' ' || c.row_key || COALESCE('/' || c.column_key, '') || ': ' || d.url || ' vs ' || od.url AS operands,
  c.tbl AS tbl, c.row_key AS row_key, c.column_key AS column_key, c.ordinal AS ordinal, c.raw AS raw,
  c.kind AS kind, oc.raw AS other_raw, d.url AS url, od.url AS other_url, o.id AS other_report_id
FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN agencies oa ON oa.key = a.key
JOIN reports o ON o.agency_id = oa.id AND o.year = r.year AND o.id <> r.id AND o.status IN ('alternate', 'superseded')
JOIN documents od ON od.id = o.document_id
JOIN documents d ON d.id = r.document_id
JOIN cells c ON c.report_id = r.id AND c.tbl IN ('requests', 'reviews', 'proactive')
  AND c.value IS NOT NULL
JOIN cells oc ON oc.report_id = o.id AND oc.tbl = c.tbl AND oc.row_key = c.row_key
  AND COALESCE(oc.column_key, '') = COALESCE(c.column_key, '') AND oc.value IS NOT NULL
WHERE r.status = 'parsed' AND NOT EXISTS (SELECT 1 FROM document_urls u JOIN document_urls ou ON ou.url = u.url
  WHERE u.document_id = r.document_id AND ou.document_id = o.document_id)""",
    """CREATE VIEW identities_requests AS
SELECT i.check_key, i.report_id, a.name AS agency, r.year AS year, r.form AS form, i.scope, i.left_value, i.right_value, i.left_readable, i.right_readable, i.n_unreadable, i.n_missing, i.n_blank, i.n_inferred, i.operands
FROM (
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_request_balance
  UNION ALL
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_outcome_sum
  UNION ALL
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_applicant_sum
  UNION ALL
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_complete
) i
JOIN reports r ON r.id = i.report_id LEFT JOIN agencies a ON a.id = r.agency_id""",
    """CREATE VIEW identities_reviews AS
SELECT i.check_key, i.report_id, a.name AS agency, r.year AS year, r.form AS form, i.scope, i.left_value, i.right_value, i.left_readable, i.right_readable, i.n_unreadable, i.n_missing, i.n_blank, i.n_inferred, i.operands
FROM (
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_review_sum
) i
JOIN reports r ON r.id = i.report_id LEFT JOIN agencies a ON a.id = r.agency_id""",
    """CREATE VIEW identities_report AS
SELECT i.check_key, i.report_id, a.name AS agency, r.year AS year, r.form AS form, i.scope, i.left_value, i.right_value, i.left_readable, i.right_readable, i.n_unreadable, i.n_missing, i.n_blank, i.n_inferred, i.operands
FROM (
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_outdated_form
  UNION ALL
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_narrative_match
) i
JOIN reports r ON r.id = i.report_id LEFT JOIN agencies a ON a.id = r.agency_id""",
    """CREATE VIEW identities_history AS
SELECT i.check_key, i.report_id, a.name AS agency, r.year AS year, r.form AS form, i.scope, i.left_value, i.right_value, i.left_readable, i.right_readable, i.n_unreadable, i.n_missing, i.n_blank, i.n_inferred, i.operands
FROM (
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_carry_continuity
) i
JOIN reports r ON r.id = i.report_id LEFT JOIN agencies a ON a.id = r.agency_id""",
    """CREATE VIEW identities_copies AS
SELECT i.check_key, i.report_id, a.name AS agency, r.year AS year, r.form AS form, i.scope, i.left_value, i.right_value, i.left_readable, i.right_readable, i.n_unreadable, i.n_missing, i.n_blank, i.n_inferred, i.operands
FROM (
  SELECT check_key, report_id, scope, left_value, right_value, left_readable, right_readable, n_unreadable, n_missing, n_blank, n_inferred, operands FROM identity_documents_agree
) i
JOIN reports r ON r.id = i.report_id LEFT JOIN agencies a ON a.id = r.agency_id""",
    """CREATE VIEW identity_assessable AS
SELECT DISTINCT 'request_balance' AS check_key, c.report_id AS report_id FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = 'requests'
UNION ALL
SELECT DISTINCT 'outcome_sum' AS check_key, c.report_id AS report_id FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = 'requests'
UNION ALL
SELECT DISTINCT 'applicant_sum' AS check_key, c.report_id AS report_id FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = 'requests'
UNION ALL
SELECT DISTINCT 'complete' AS check_key, c.report_id AS report_id FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = 'requests'
UNION ALL
SELECT DISTINCT 'review_sum' AS check_key, c.report_id AS report_id FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = 'reviews'
UNION ALL
SELECT 'outdated_form' AS check_key, r.id AS report_id FROM reports r WHERE r.status = 'parsed' AND r.year IS NOT NULL AND r.form IN ('2019', '2021')
UNION ALL
SELECT DISTINCT 'narrative_match' AS check_key, c.report_id AS report_id FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.status = 'parsed' AND c.tbl = 'narrative'
UNION ALL
SELECT DISTINCT 'carry_continuity' AS check_key, r.id AS report_id FROM reports r JOIN agencies ra ON ra.id = r.agency_id JOIN agencies pa ON pa.key = ra.key
JOIN reports p ON p.agency_id = pa.id AND p.year = r.year - 1 AND p.status = 'parsed' WHERE r.status = 'parsed'
UNION ALL
SELECT DISTINCT 'documents_agree' AS check_key, r.id AS report_id FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN agencies oa ON oa.key = a.key
JOIN reports o ON o.agency_id = oa.id AND o.year = r.year AND o.id <> r.id AND o.status IN ('alternate', 'superseded')
JOIN documents od ON od.id = o.document_id WHERE r.status = 'parsed' AND NOT EXISTS (SELECT 1 FROM document_urls u JOIN document_urls ou ON ou.url = u.url
  WHERE u.document_id = r.document_id AND ou.document_id = o.document_id)""",
)


def _drop_views() -> None:
    for name in reversed(_views_0004_names() + _IDENTITY_VIEW_NAMES_0005):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()
    op.create_table(
        "identity_sides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("check_key", sa.String(40), nullable=False),
        sa.Column("report_id", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(200)),
        sa.Column("year", sa.Integer),
        sa.Column("form", sa.String(10)),
        sa.Column("scope", sa.String(500)),
        *(sa.Column(c, sa.Float) for c in ("left_value", "right_value", "left_readable", "right_readable")),
        *(sa.Column(c, sa.Integer) for c in ("n_unreadable", "n_missing", "n_blank", "n_inferred")),
        sa.Column("operands", sa.Text),
    )
    op.create_index("ix_identity_sides_run_subject_check", "identity_sides", ["run_id", "subject", "check_key"])
    for statement in _views_0004() + list(_IDENTITY_VIEWS_0005):
        op.execute(statement)


def _migration_0004():
    return migration_module("0004_report_identity.py")


def _views_0004() -> list[str]:
    """The views 0004 made, frozen in its file."""
    return list(_migration_0004()._VIEWS_0004)


def _views_0004_names() -> tuple[str, ...]:
    return tuple(_migration_0004()._VIEWS_0004_NAMES)


def downgrade() -> None:
    _drop_views()
    op.drop_index("ix_identity_sides_run_subject_check", "identity_sides")
    op.drop_table("identity_sides")
    for statement in _views_0004():
        op.execute(statement)
