"""``/v1/models``: list the served models; predict, train and score with one."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from dffml_nb.http.bodies import documented, read
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


def _service(request: Request) -> Any:
    return request.app.state.service


@router.get("", response_model=ModelList, operation_id="list_models", responses=problems(401))
async def list_models(request: Request) -> dict:
    return {"models": _service(request).describe_models()}


@router.post(
    "/{name}/predict",
    response_model=PredictResult,
    operation_id="predict",
    responses=problems(400, 401, 404, 409, 413, 415, 422),
    openapi_extra=documented(RecordsBody),
)
async def predict(name: str, request: Request) -> JSONResponse:
    """Predict the model's target for each record: the CLI's ``predict all`` JSON."""
    # right on the event loop, as a plain FastAPI endpoint would: a worker thread costs a
    # quarter more CPU on a 10,000-record batch (serve concurrent batches with -workers N)
    body = await read(request, RecordsBody)
    return JSONResponse({"records": _service(request).predict(name, body.records)})


@router.post(
    "/{name}/train",
    response_model=ModelInfo,
    operation_id="train",
    responses=problems(400, 401, 404, 413, 415, 422),
    openapi_extra=documented(RecordsBody),
)
async def train(name: str, request: Request) -> dict:
    """Train the model on the records (features and target); saved atomically to its location."""
    records = (await read(request, RecordsBody)).records
    return await asyncio.to_thread(_service(request).train, name, records)


@router.post(
    "/{name}/score",
    response_model=ScoreResult,
    operation_id="score",
    responses=problems(400, 401, 404, 409, 413, 415, 422),
    openapi_extra=documented(ScoreBody),
)
async def score(name: str, request: Request) -> dict:
    """Score the model on the records against its own target with ``scorer``."""
    body = await read(request, ScoreBody)
    records = body.records
    value = await asyncio.to_thread(_service(request).score, name, body.scorer, records)
    return {"score": value}
