"""Feature / Features: parsing DFFML's "name:dtype:length" specs."""

from __future__ import annotations

import pytest

from dffml_nb.feature import Feature, Features


@pytest.mark.parametrize(
    ("spec", "name", "dtype", "length"),
    [
        ("Years:int:1", "Years", int, 1),
        ("Years:int", "Years", int, 1),
        ("Years", "Years", float, 1),
        ("Trust:float:1", "Trust", float, 1),
        ("Name:str:1", "Name", str, 1),
        ("Good:bool:1", "Good", bool, 1),
        ("Pixels:float:784", "Pixels", float, 784),
    ],
)
def test_parse(spec: str, name: str, dtype: type, length: int) -> None:
    feature = Feature.parse(spec)
    assert (feature.name, feature.dtype, feature.length) == (name, dtype, length)


def test_str_round_trips() -> None:
    assert str(Feature.parse("Years:int:1")) == "Years:int:1"
    assert str(Feature.parse("Years:int")) == "Years:int:1"
    assert str(Feature("Salary")) == "Salary:float:1"
    for spec in ("Years:int:1", "Trust:float:1", "Name:str:3", "Ok:bool:1"):
        assert str(Feature.parse(spec)) == spec
        assert Feature.parse(str(Feature.parse(spec))) == Feature.parse(spec)


def test_dtype_accepts_types_and_names() -> None:
    assert Feature("a", int) == Feature("a", "int")
    assert Feature("a", "str").dtype is str
    assert Feature("a", bool).dtype is bool
    with pytest.raises(ValueError, match="integer"):
        Feature("a", "integer")
    with pytest.raises(ValueError, match="list"):
        Feature("a", list)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("Years:integer:x", "unknown dtype 'integer'"),
        ("Years:integer:x", "length 'x' is not a positive integer"),
        ("Years:int:0", "length '0'"),
        (":int:1", "name is empty"),
        ("a:int:1:2", "at most three"),
    ],
)
def test_malformed_spec_names_the_text(spec: str, fragment: str) -> None:
    with pytest.raises(ValueError) as raised:
        Feature.parse(spec)
    message = str(raised.value)
    assert repr(spec) in message
    assert fragment in message


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        Feature("")
    with pytest.raises(ValueError, match="positive"):
        Feature("a", int, 0)
    with pytest.raises(TypeError):
        Feature.parse(3)  # type: ignore[arg-type]


def test_equality_hash_repr_export() -> None:
    feature = Feature("Years", int, 1)
    assert feature == Feature.parse("Years:int:1")
    assert feature != Feature("Years", float, 1)
    assert len({feature, Feature.parse("Years:int")}) == 1
    assert repr(feature) == "Feature('Years', int, 1)"
    assert feature.export() == {"name": "Years", "dtype": "int", "length": 1}
    assert Feature.from_dict(feature.export()) == feature


def test_features_sequence() -> None:
    features = Features.parse(["Years:int:1", Feature("Trust"), "Expertise:int"])
    assert features.names() == ["Years", "Trust", "Expertise"]
    assert len(features) == 3
    assert features[0] == Feature("Years", int)
    assert isinstance(features[1:], Features)
    assert features[1:].names() == ["Trust", "Expertise"]
    assert "Trust" in features
    assert Feature("Years", int) in features
    assert "Salary" not in features
    assert features.get("Expertise") == Feature("Expertise", int)
    assert features.get("nope") is None
    assert [str(feature) for feature in features] == [
        "Years:int:1",
        "Trust:float:1",
        "Expertise:int:1",
    ]
    assert Features("Years:int:1", Feature("Trust")) == Features.parse(["Years:int", "Trust"])
    assert repr(Features("Years:int")) == "Features('Years:int:1')"


def test_features_parse_forms() -> None:
    assert Features.parse(None) == Features()
    assert Features.parse("Years:int").names() == ["Years"]
    assert Features.parse(Feature("Years")).names() == ["Years"]
    features = Features("a")
    assert Features.parse(features) is features
    assert Features.parse(("a", "b")).names() == ["a", "b"]


def test_features_reject_duplicates_and_bad_items() -> None:
    with pytest.raises(ValueError, match="'Years' is given twice"):
        Features("Years:int", "Years:float")
    with pytest.raises(ValueError, match="'Years:integer'"):
        Features.parse(["Years:integer"])
