"""The operations library: DFFML's built-in operations that need no network, by DFFML's names.

Each is registered (entry point group ``dffml_nb.operation``) under the name
DFFML gives it, so flow files name them without importing anything:
``dffml.mapping.extract``, ``dffml.mapping.create``, ``literal_eval``,
``print_output``, ``multiply``, and the data cleanup operations
``simple_imputer``, ``standard_scaler``, ``one_hot_encoder``,
``principal_component_analysis``, ``convert_records_to_list`` /
``convert_list_to_records``, ``dffml.dataflow.run`` (a subflow),
``dffml.model.predict`` and the ``db_query_*`` family on SQLite. Operations that
need settings (a database, a model, a subflow, a source) take them as their
configuration: ``DataFlow(..., configs={name: {field: value}})`` or
``operation.configure(field=value)``. ``dffml-nb list
operations`` lists every registered operation.
"""

from __future__ import annotations

from dffml_nb._lazy import lazy_exports

#: public name -> module of this package that defines it (imported on first use)
_LAZY = {
    "mapping_extract_value": "mapping",
    "create_mapping": "mapping",
    "literal_eval": "preprocess",
    "print_output": "printing",
    "multiply": "arithmetic",
    "simple_imputer": "cleanup",
    "standard_scaler": "cleanup",
    "one_hot_encoder": "cleanup",
    "principal_component_analysis": "cleanup",
    "convert_list_to_records": "records",
    "convert_records_to_list": "records",
    "run_dataflow": "dataflow",
    "model_predict": "model",
    "db_query_create_table": "db",
    "db_query_insert": "db",
    "db_query_update": "db",
    "db_query_lookup": "db",
    "db_query_remove": "db",
    "db_query_insert_or_update": "db",
}

__getattr__, __dir__, __all__ = lazy_exports(
    __name__, {name: f"{__name__}.{module}" for name, module in _LAZY.items()}
)
