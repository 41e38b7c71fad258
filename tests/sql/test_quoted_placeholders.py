"""'{{name}}' in quotes: the literal it was meant to be, or one line with the fix, never empty."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.testing import OmicsBackend

STORES = "aws.omics.sequence_stores"


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(["us-east-1"], stores_per_region=4)
    return omics_backend


def test_a_quoted_placeholder_is_the_literal_it_was_meant_to_be(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    wanted = backend.stores("us-east-1")[1]["name"]
    sql = f"SELECT name FROM {STORES} WHERE name = '{{{{wanted}}}}'"
    quoted = omics_magic.run_query(sql, namespace={"wanted": wanted})
    plain = omics_magic.run_query(sql.replace("'", ""), namespace={"wanted": wanted})
    assert quoted["name"].tolist() == [wanted]
    pd.testing.assert_frame_equal(quoted, plain)
    ip.user_ns["wanted"] = wanted
    assert ip.run_cell_magic("omics", "", sql)["name"].tolist() == [wanted]


def test_a_value_with_a_quote_or_braces_stays_one_literal(backend: OmicsBackend) -> None:
    sql = f"SELECT count(*) AS n FROM {STORES} WHERE name = '{{{{x}}}}'"
    for value in ("it's", "{{y}}", "x' OR '1'='1"):
        df = omics_magic.run_query(sql, namespace={"x": value, "y": "never"})
        assert df["n"].tolist() == [0]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("name LIKE 'pgx-{{x}}%'", "build the whole value in Python"),
        ('"{{x}}" = 1', "a placeholder is a value, not a column"),
        ("region IN '{{xs}}'", r"write it without quotes \(IN \{\{xs\}\}\)"),
        ("name = '{{nope}}'", "{{nope}} is not defined"),
    ],
)
def test_a_placeholder_quoted_otherwise_is_one_line_with_the_fix(
    ip: InteractiveShell, backend: OmicsBackend, where: str, message: str
) -> None:
    backend.requests.clear()
    namespace = {"x": "panel", "xs": ["us-east-1"]}
    sql = f"SELECT name FROM {STORES} WHERE {where}"
    with pytest.raises(omics_magic.SQLError, match=message) as info:
        omics_magic.run_query(sql, namespace=namespace)
    assert "\n" not in str(info.value)
    ip.user_ns.update(namespace)
    with pytest.raises(UsageError, match=message):
        ip.run_cell_magic("omics", "", sql)
    assert backend.requests.records == []
