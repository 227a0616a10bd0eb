"""Request and response bodies (pydantic): the shapes of DESIGN.md's HTTP routes.

They are the OpenAPI schema too, so ``/docs`` and schemathesis see exactly
what the routes accept and return.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator
from typing_extensions import NotRequired, TypedDict

# -- records -------------------------------------------------------------------------------


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("Input should be an object of {feature: value}")
    return value


#: a record's features: checked to be a JSON object and kept as parsed (a dict[str, Any]
#: would copy each one: the largest cost of a 10,000-record body); the schema is the same
Features = Annotated[
    dict[str, Any], PlainValidator(_json_object, json_schema_input_type=dict[str, Any])
]


# A TypedDict, not a model: validated as strictly, but arrives as the plain dict the service
# uses (no object per record: a 10,000-record body validates 3x faster).
class RecordIn(TypedDict):
    """One record: its features, and optionally its key (default: its position, "0", "1", ...)."""

    key: NotRequired[str | int | None]
    features: Features


class RecordsBody(BaseModel):
    records: list[RecordIn] = Field(description="the records, each {key?, features}")


class ScoreBody(RecordsBody):
    scorer: str = Field("mse", description="a registered scorer: mse, mae, r2, accuracy, f1, ...")


class RecordsRunBody(RecordsBody):
    """``run_records``: each record is one context of the flow."""

    record_def: str | None = Field(None, description="a definition that receives each record's key")
    inputs: dict[str, Any] | None = Field(
        None, description="{definition: value} added to every context"
    )
    strict: bool = True


class RecordOut(BaseModel):
    key: str
    features: dict[str, Any]


class RecordsResult(BaseModel):
    records: list[RecordOut]
    errors: list[RunError] = []


# -- flows ---------------------------------------------------------------------------------


class RunBody(BaseModel):
    """Several contexts (``contexts``) or one context ``"0"`` (``inputs``)."""

    contexts: dict[str, dict[str, Any]] | None = Field(
        None, description="{context name: {definition: value}}"
    )
    inputs: dict[str, Any] | None = Field(
        None, description="{definition: value}: one context named '0'"
    )
    strict: bool = Field(
        True, description="stop at the first failing operation (422); false: report and go on"
    )

    @model_validator(mode="after")
    def _one_of(self) -> RunBody:
        if self.contexts is not None and self.inputs is not None:
            raise ValueError("give 'contexts' or 'inputs', not both")
        return self


class RunError(BaseModel):
    context: str
    operation: str | None
    message: str


class RunResult(BaseModel):
    results: dict[str, dict[str, Any]]
    errors: list[RunError]


class FlowList(BaseModel):
    flows: list[str]


class FlowDocument(BaseModel):
    """A dataflow in the export format (``DataFlow.to_dict()`` / ``dffml-nb dataflow create``)."""

    model_config = ConfigDict(extra="allow")

    definitions: dict[str, Any] = {}
    operations: dict[str, Any] = Field(min_length=1)
    seed: list[Any] = []


# -- models --------------------------------------------------------------------------------


class ModelInfo(BaseModel):
    name: str
    model: str
    features: list[str]
    predict: str | None
    trained: bool


class ModelList(BaseModel):
    models: list[ModelInfo]


class PredictionOut(BaseModel):
    value: Any
    confidence: float | None


class PredictedRecord(BaseModel):
    key: str
    features: dict[str, Any]
    prediction: dict[str, PredictionOut]


class PredictResult(BaseModel):
    records: list[PredictedRecord]


class ScoreResult(BaseModel):
    score: float


# -- the rest ------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]


class Plugins(BaseModel):
    models: list[str]
    sources: list[str]
    scorers: list[str]
    operations: list[str]


class ProblemDocument(BaseModel):
    """RFC 9457 problem details; ``detail`` names the field or name at fault."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str


RecordsResult.model_rebuild()
