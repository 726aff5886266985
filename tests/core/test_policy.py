from __future__ import annotations

from pathlib import Path

import pytest

from tutela.core.errors import PolicyInvalid, UnknownPurpose, UnknownRole
from tutela.core.policy import Access, default_policy_text, load_policy, parse_policy

DEFAULT = default_policy_text()


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(text, source="policy.toml")
    return caught.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_default_policy_is_valid_and_has_the_required_keys() -> None:
    policy = parse_policy(DEFAULT)
    for purpose in ("fulfillment", "returns", "support", "tax", "marketing_email", "marketing_sms"):
        assert purpose in policy.purposes
    for role in ("owner", "privacy_officer", "support_agent", "returns_agent", "fulfillment_staff", "marketing"):
        assert role in policy.roles
    assert policy.purposes["fulfillment"].retention.text == "30 days after delivered"
    assert all("amazon" not in p.sources for p in policy.purposes.values() if p.marketing)


def test_unknown_category_names_the_line_and_the_nearest_key() -> None:
    text = DEFAULT.replace('"user.financial.tax_id"', '"user.financial.taxid"', 1)
    (problem,) = problems_of(text)
    assert problem == (
        f"policy.toml:{line_of(text, 'taxid')}: unknown category 'user.financial.taxid'"
        " — did you mean 'user.financial.tax_id'?"
    )


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = DEFAULT.replace('legal_basis = "contract"', 'legal_basis = "contrakt"', 1).replace(
        'retention = "14 days after return_closed"', 'retention = "14 days after return_close"'
    )
    problems = problems_of(text)
    assert len(problems) == 2
    assert problems[0].startswith(f"policy.toml:{line_of(text, 'contrakt')}: unknown legal basis 'contrakt'")
    assert "did you mean 'contract'" in problems[0]
    assert "did you mean 'return_closed'" in problems[1]


def test_marketing_may_not_use_amazon_data() -> None:
    text = DEFAULT.replace(
        'sources = ["shopify", "own_shop", "manual"]       # never amazon: AUP §4.2\n'
        'retention = "until consent_withdrawn"\nmarketing = true\nconsent_valid_for',
        'sources = ["amazon", "shopify"]\nretention = "until consent_withdrawn"\nmarketing = true\nconsent_valid_for',
        1,
    )
    (problem,) = problems_of(text)
    assert "AUP §4.2" in problem
    line = line_of(text, '["amazon", "shopify"]')
    assert problem.startswith(f"policy.toml:{line}:")


def test_amazon_pii_beyond_30_days_after_delivery_is_refused() -> None:
    text = DEFAULT.replace('retention = "30 days after delivered"', 'retention = "90 days after delivered"')
    (problem,) = problems_of(text)
    assert "DPP §2.1" in problem


def test_without_the_amazon_cap_a_rule_that_can_outlast_delivery_is_refused() -> None:
    text = DEFAULT.replace('amazon_cap = "30 days after delivered"', 'amazon_cap = "none"')
    problems = problems_of(text)
    assert {p.split("purpose '")[1].split("'")[0] for p in problems} == {"returns", "support"}
    assert all("DPP §2.1" in p and "amazon_cap" in p for p in problems)
    assert problems[0].startswith(f"policy.toml:{line_of(text, '14 days after return_closed')}:")


def test_with_the_cap_off_rules_that_end_by_delivery_pass() -> None:
    text = DEFAULT.replace('amazon_cap = "30 days after delivered"', 'amazon_cap = "none"')
    text = text.replace('"14 days after return_closed"', '"20 days after delivered"')
    text = text.replace('"30 days after ticket_closed"', '"30 days after shipped"')
    policy = parse_policy(text)
    assert policy.retention.amazon_cap is None


def test_retention_settings_are_read() -> None:
    policy = parse_policy(DEFAULT)
    assert policy.retention.amazon_cap is not None
    assert policy.retention.amazon_cap.amount == 30
    assert policy.retention.delivery_buffer_days == 14
    assert policy.retention.tax_years["DE"] == 10


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('retention = "30 days after delivered"', 'retention = "soon"'), "retention must read"),
        (('description = "Handle returns', 'descripton = "Handle returns'), "did you mean 'description'?"),
        (('country = "DE"', 'country = "Germany"'), "ISO 3166-1 alpha-2"),
        (("schema = 1", "schema = 2"), "'schema' must be 1"),
        (('amazon_cap = "30 days after delivered"', 'amazon_cap = "60 days after delivered"'), "DPP §2.1"),
        (('amazon_cap = "30 days after delivered"', 'amazon_cap = "30 days after return_closed"'), "DPP §2.1"),
        (("delivery_buffer_days = 14", "delivery_buffer_days = -1"), "delivery_buffer_days must be"),
        (('consent_valid_for = "24 months"', 'consent_valid_for = "two years"'), "consent_valid_for must read"),
        (
            (
                'retention = "30 days after delivered"',
                'retention = "30 days after delivered"\nconsent_valid_for = "1 years"',
            ),
            "only applies to a purpose whose legal_basis is consent",
        ),
        (("DE = 10,", "Germany = 10,"), "tax_years.Germany"),
        (
            ('returns = { plain = ["user.name"]', 'returns = { plain = ["user.behavior.purchase_history"]'),
            "does not collect it",
        ),
        (
            ("[roles.returns_agent.access]\nreturns =", "[roles.returns_agent.access]\nrefunds ="),
            "unknown purpose 'refunds'",
        ),
    ],
)
def test_invalid_policies_are_explained(change: tuple[str, str], expected: str) -> None:
    text = DEFAULT.replace(*change, 1)
    assert text != DEFAULT
    assert any(expected in p for p in problems_of(text))


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(DEFAULT.replace("schema = 1", "schema = = 1"))
    assert "line 4" in str(caught.value)


def test_decide_plain_masked_denied() -> None:
    policy = parse_policy(DEFAULT)
    assert policy.decide("support_agent", "support", "user.name") is Access.PLAIN
    assert policy.decide("support_agent", "support", "user.contact.phone_number") is Access.MASKED
    assert policy.decide("support_agent", "returns", "user.contact.phone_number") is Access.DENIED
    assert policy.decide("marketing", "fulfillment", "user.name") is Access.DENIED
    assert policy.decide("owner", "tax", "user.financial.tax_id") is Access.PLAIN
    assert policy.decide("owner", "marketing_email", "user.contact.address.street") is Access.DENIED


def test_unknown_names_suggest() -> None:
    policy = parse_policy(DEFAULT)
    with pytest.raises(UnknownPurpose) as purpose:
        policy.decide("owner", "fulfilment", "user.name")
    assert "fulfillment" in purpose.value.hint
    with pytest.raises(UnknownRole) as role:
        policy.decide("suport_agent", "support", "user.name")
    assert "support_agent" in role.value.hint


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(tmp_path / "policy.toml")
    assert "tutela init" in caught.value.hint


def test_scan_locations_name_a_path_or_the_variable_holding_a_database_url() -> None:
    policy = parse_policy(default_policy_text() + """
[scan.locations.exports]
path = "/srv/exports"
include = ["*.csv"]
every_days = 7

[scan.locations.helpdesk]
url_env = "HELPDESK_DB_URL"
tables = ["tickets"]
""")  # fmt: skip
    exports, helpdesk = policy.scan.locations["exports"], policy.scan.locations["helpdesk"]
    assert (exports.path, exports.include, exports.every_days, exports.target) == ("/srv/exports", ("*.csv",), 7,
                                                                                   "/srv/exports")  # fmt: skip
    assert (helpdesk.url_env, helpdesk.tables, helpdesk.every_days, helpdesk.target) == (
        "HELPDESK_DB_URL",
        ("tickets",),
        1,
        "$HELPDESK_DB_URL",
    )


def test_bad_scan_locations_are_each_reported() -> None:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(default_policy_text() + """
[scan.locations.tutela]
path = "/x"

[scan.locations.both]
path = "/x"
url_env = "DB_URL"

[scan.locations.url]
url_env = "postgresql://user:secret@db/shop"

[scan.locations.often]
path = "/x"
every_days = 0
""")  # fmt: skip
    problems = "\\n".join(caught.value.problems)
    assert "not 'tutela'" in problems and "needs either path" in problems
    assert "url_env must name an environment variable" in problems and "secret" not in problems
    assert "every_days must be a whole number from 1 to 366" in problems
    assert len(caught.value.problems) == 4
