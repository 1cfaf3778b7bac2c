"""Synonym normalisation of free text into taxonomy slugs."""

from __future__ import annotations

from service.taxonomy.normalise import Taxonomy, Term, custom_slug, key

TAX = Taxonomy.build(
    [
        Term("ms-project", "tool", "Microsoft Project", ""),
        Term("pmp", "certification", "PMP (Project Management Professional)", ""),
        Term("comptia-project-plus", "certification", "CompTIA Project+", ""),
        Term("risk-management", "skill", "Risk management", ""),
    ],
    [("MSP", "ms-project"), ("Project Management Professional", "pmp"), ("ghost", "missing")],
    [("earn-pmp", "pmp", 1.0)],
)


def test_key_ignores_case_punctuation_and_spacing():
    assert key("  MS-Project ") == key("ms project") == "ms project"
    assert key("CompTIA Project+") == "comptia project+"
    assert key("Gestão_de   riscos") == "gestão de riscos"


def test_lookup_by_slug_label_and_synonym():
    for text in (
        "Microsoft Project",
        "MSP",
        "msp",
        "ms-project",
        "MS Project",
        "microsoft-project",
    ):
        assert TAX.lookup(text) == "ms-project", text
    assert TAX.lookup("Project Management Professional") == "pmp"
    assert TAX.lookup("comptia project+") == "comptia-project-plus"
    assert TAX.lookup("ghost") is None  # synonym of an unknown slug is ignored


def test_normalise_keeps_unknown_as_custom_tags_and_dedupes():
    assert TAX.normalise(
        ["MSP", "Microsoft Project", "SAP rollout", "sap  ROLLOUT", "Risk management"]
    ) == [
        "ms-project",
        "sap-rollout",
        "risk-management",
    ]
    assert TAX.is_custom("sap-rollout")
    assert not TAX.is_custom("pmp")
    assert TAX.label("sap-rollout") == "sap rollout"
    assert TAX.label("ms-project") == "Microsoft Project"
    assert custom_slug("Gestão de riscos") == "gestão-de-riscos"


def test_goal_needs_are_indexed():
    assert TAX.goal_needs == {"earn-pmp": {"pmp": 1.0}}
