"""Sources: where records live, all behind one API.

``MemorySource``, ``CSVSource``, ``JSONSource``, ``DataFrameSource``,
``SQLiteSource`` and ``DataFlowSource`` (another source with a flow's results
added) share :class:`Source`'s API (``records()``, ``record(key)``,
``update(record)``, ``save()``, ``to_frame()``). ``open_source`` picks one for
an object or a file name; ``as_frame`` turns any mix of data into one DataFrame.
Nothing here imports pandas until a DataFrame is actually made or read.

Nothing read is dropped: a key used twice is a :class:`DuplicateKeyError`, a
value another writer changed since it was read is a :class:`WriteConflictError`
(SQLite), and every other problem with the data is a :class:`SourceError`
naming the file and line (or record, column).
"""

from dffml_nb.source.base import Source
from dffml_nb.source.coerce import coerce
from dffml_nb.source.convert import frame_to_records, records_to_frame
from dffml_nb.source.csv import CSVSource
from dffml_nb.source.dataflow import DataFlowSource
from dffml_nb.source.dataframe import DataFrameSource
from dffml_nb.source.errors import DuplicateKeyError, SourceError, WriteConflictError
from dffml_nb.source.json import JSONSource
from dffml_nb.source.memory import MemorySource
from dffml_nb.source.resolve import SUFFIXES, as_frame, open_source, source_class
from dffml_nb.source.sqlite import SQLiteSource

__all__ = [
    "SUFFIXES",
    "CSVSource",
    "DataFlowSource",
    "DataFrameSource",
    "DuplicateKeyError",
    "JSONSource",
    "MemorySource",
    "SQLiteSource",
    "Source",
    "SourceError",
    "WriteConflictError",
    "as_frame",
    "coerce",
    "frame_to_records",
    "open_source",
    "records_to_frame",
    "source_class",
]
