"""``/v1/models``: list the served models; predict, train and score with one."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from dffml_nb.http.routes import problems
from dffml_nb.http.schemas import (
    ModelInfo,
    ModelList,
    PredictResult,
    RecordsBody,
    ScoreBody,
    ScoreResult,
)

router = APIRouter(tags=["models"])

# up to this many records a prediction runs right on the event loop (cheaper than a
# thread hop); bigger batches go to a thread so that other clients keep being served
_INLINE_RECORDS = 256


def _service(request: Request) -> Any:
    return request.app.state.service


@router.get("", response_model=ModelList, operation_id="list_models", responses=problems(401))
async def list_models(request: Request) -> dict:
    return {"models": _service(request).describe_models()}


@router.post(
    "/{name}/predict",
    response_model=PredictResult,
    operation_id="predict",
    responses=problems(400, 401, 404, 409, 413, 422),
)
async def predict(name: str, body: RecordsBody, request: Request) -> JSONResponse:
    """Predict the model's target for each record: the CLI's ``predict all`` JSON."""
    service = _service(request)
    records = body.records
    if len(records) <= _INLINE_RECORDS:
        out = service.predict(name, records)
    else:
        out = await asyncio.to_thread(service.predict, name, records)
    return JSONResponse({"records": out})


@router.post(
    "/{name}/train",
    response_model=ModelInfo,
    operation_id="train",
    responses=problems(400, 401, 404, 413, 422),
)
async def train(name: str, body: RecordsBody, request: Request) -> dict:
    """Train the model on the records (features and target); saved atomically to its location."""
    records = body.records
    return await asyncio.to_thread(_service(request).train, name, records)


@router.post(
    "/{name}/score",
    response_model=ScoreResult,
    operation_id="score",
    responses=problems(400, 401, 404, 409, 413, 422),
)
async def score(name: str, body: ScoreBody, request: Request) -> dict:
    """Score the model on the records against its own target with ``scorer``."""
    records = body.records
    value = await asyncio.to_thread(_service(request).score, name, body.scorer, records)
    return {"score": value}
