"""One atomic-write helper (``dffml_nb.df.atomic``) for sources, models and flows:
symbolic links, permissions, failures and a killed writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dffml_nb.df import DataFlow, op
from dffml_nb.df.atomic import atomic_write, write_atomic
from dffml_nb.high_level import save, train
from dffml_nb.model import Model
from dffml_nb.record import Record

ROWS = [{"x": 0, "y": 1}, {"x": 1, "y": 3}, {"x": 2, "y": 5}]


@op
def double(x: int) -> int:
    return 2 * x


def save_csv(path: Path) -> list[Path]:
    save(path, Record("a", {"x": 1}))
    return [path]


def save_json(path: Path) -> list[Path]:
    save(path, Record("a", {"x": 1}))
    return [path]


def save_flow(path: Path) -> list[Path]:
    DataFlow(double).save(path)
    return [path]


def save_model(location: Path) -> list[Path]:
    model = Model.load("scikitlr")(features=["x:int:1"], predict="y:float:1", location=location)
    train(model, ROWS)
    return sorted(location.iterdir())


#: name -> (file or directory to save to, function saving there and returning the files written)
SAVERS: dict[str, tuple[str, Callable[[Path], list[Path]]]] = {
    "csv": ("data.csv", save_csv),
    "json": ("data.json", save_json),
    "flow": ("flow.json", save_flow),
    "model": ("model", save_model),
}


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".tmp"))


@pytest.mark.parametrize("kind", SAVERS)
def test_new_files_get_the_umask_default(kind: str, tmp_path: Path, umask_022: None) -> None:
    name, saver = SAVERS[kind]
    for path in saver(tmp_path / name):
        assert mode(path) == 0o644, path  # not mkstemp's 0600
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", SAVERS)
def test_existing_files_keep_their_mode(kind: str, tmp_path: Path, umask_022: None) -> None:
    name, saver = SAVERS[kind]
    written = saver(tmp_path / name)
    for path in written:
        path.chmod(0o640)
    for path in saver(tmp_path / name):
        if path in written:  # model state files are new names; model.json is replaced
            assert mode(path) == 0o640, path


@pytest.mark.parametrize("kind", ["csv", "json", "flow"])
def test_saving_through_a_symlink_writes_its_target(kind: str, tmp_path: Path) -> None:
    name, saver = SAVERS[kind]
    real = tmp_path / "real" / name
    real.parent.mkdir()
    saver(real)
    real.chmod(0o600)
    before = real.read_bytes()
    link = tmp_path / name
    link.symlink_to(real)
    if kind == "flow":
        DataFlow(double, double.replace(name="again")).save(link)
    else:
        save(link, Record("b", {"x": 2}))
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() != before  # the target holds the new contents
    assert mode(real) == 0o600
    assert leftovers(tmp_path) == []


def test_model_json_through_a_symlink(tmp_path: Path) -> None:
    location = tmp_path / "model"
    save_model(location)
    real = tmp_path / "elsewhere.json"
    (location / "model.json").rename(real)
    (location / "model.json").symlink_to(real)
    save_model(location)  # retrain: model.json is replaced through the link
    assert (location / "model.json").is_symlink()
    assert len(Model.load("scikitlr")(location=location).predict(ROWS)) == 3


def test_a_failed_write_keeps_the_original_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("original")
    with pytest.raises(RuntimeError, match="boom"), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert path.read_text() == "original"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_bytes_and_text(tmp_path: Path) -> None:
    assert write_atomic(tmp_path / "b", b"\x00\x01") == tmp_path / "b"
    assert (tmp_path / "b").read_bytes() == b"\x00\x01"
    write_atomic(tmp_path / "t", "é")
    assert (tmp_path / "t").read_text(encoding="utf-8") == "é"
    with pytest.raises(ValueError, match="'a'"), atomic_write(tmp_path / "x", "a"):  # type: ignore[call-overload]
        pass
    with pytest.raises(LookupError), atomic_write(tmp_path / "x", encoding="nope"):
        pass
    assert sorted(os.listdir(tmp_path)) == ["b", "t"]


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError) as raised:
        write_atomic(missing / "f.json", "{}")
    message = str(raised.value)
    assert f"cannot save '{missing / 'f.json'}'" in message
    assert f"directory '{missing}' does not exist" in message
    assert ".tmp" not in message


def test_a_file_in_place_of_the_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        write_atomic(tmp_path / "file" / "f.json", "{}")


WRITER = """
import os, sys, time
from dffml_nb.df.atomic import atomic_write
with atomic_write(sys.argv[1]) as handle:
    handle.write("new contents " * 100_000)
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)  # killed here, mid-write
"""


def test_a_killed_writer_leaves_the_original(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("key,x\na,1\n")
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        temporary = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(temporary) == 1 and temporary[0].stat().st_size > 1_000_000
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert path.read_text() == "key,x\na,1\n"
    save(path, Record("b", {"x": 2}))  # the next save works as usual
    assert path.read_text() == "key,x\na,1\nb,2\n"
