"""KPI tables: ``store.kpis.table(kind, from_, to, ...)`` and ``store.kpis.dashboard(...)``.

A table (kpis.h: FUNNEL, LEADERBOARD, PRACTITIONERS, CHANNELS, SOURCES,
VARIANTS) is a list of rows; each row has a key, a label for people and the
cells of the columns its kind defines. A cell reads like a report figure:
its value (None when not defined, never 0.0 or NaN), numerator and
denominator. Everything is read from the library at once, so a KpiTable is a
plain Python object that outlives the C table.
"""

from . import core
from ._records import _c_enum, _CEnum

__all__ = ["KpiColumn", "KpiDashboard", "KpiRow", "KpiTable", "KpiTableKind"]


@_c_enum("RF_KPI_TABLE_")
class KpiTableKind(_CEnum):
    """The tables; ``store.kpis.table("channels", ...)`` takes a member or its name."""

    FUNNEL = "FUNNEL"
    LEADERBOARD = "LEADERBOARD"
    PRACTITIONERS = "PRACTITIONERS"
    CHANNELS = "CHANNELS"
    SOURCES = "SOURCES"
    VARIANTS = "VARIANTS"


@_c_enum("RF_KPI_COLUMN_")
class KpiColumn(_CEnum):
    """The columns of a table's rows; ``row.<name in lower case>`` is the cell's value."""

    COUNT = "COUNT"
    CONVERSION = "CONVERSION"
    CLOSED = "CLOSED"
    CLIENTS = "CLIENTS"
    ADVOCATES = "ADVOCATES"
    ADVOCACY_RATE = "ADVOCACY_RATE"
    MEAN_NPS = "MEAN_NPS"
    REVENUE = "REVENUE"
    TO_SCHEDULE_P50 = "TO_SCHEDULE_P50"
    HIT_RATE = "HIT_RATE"
    LIFT = "LIFT"
    P_VALUE = "P_VALUE"


#: Cells that are whole numbers: counts, minor units of money, a median of whole seconds.
_WHOLE = frozenset({KpiColumn.COUNT, KpiColumn.CLOSED, KpiColumn.CLIENTS, KpiColumn.ADVOCATES,
                    KpiColumn.REVENUE, KpiColumn.TO_SCHEDULE_P50})


class KpiRow:
    """One row: ``key``, ``label`` and, for each column of its table, an attribute
    named after the column in lower case (``row.conversion``), None when not defined.
    ``numerator(column)`` / ``denominator(column)`` as on a KpiReport."""

    __slots__ = ("key", "label", "_cells")

    def __init__(self, key, label, cells):
        self.key = key
        self.label = label
        self._cells = cells  # {KpiColumn: (value, numerator, denominator)}

    def __getattr__(self, name):
        if name.startswith("_") or name.upper() not in KpiColumn.__members__:
            raise AttributeError(f"KpiRow has no attribute {name!r}")
        column = KpiColumn[name.upper()]
        if column not in self._cells:
            raise AttributeError(f"this table has no {column.name} column")
        return self._cells[column][0]

    def __dir__(self):
        return sorted(set(super().__dir__()) | {c.name.lower() for c in self._cells})

    def _cell(self, column):
        column = KpiColumn.coerce(column, "column")
        if column not in self._cells:
            raise KeyError(f"this table has no {column.name} column")
        return self._cells[column]

    def value(self, column):
        """The cell's value, None when not defined."""
        return self._cell(column)[0]

    def numerator(self, column):
        return self._cell(column)[1]

    def denominator(self, column):
        return self._cell(column)[2]

    def to_dict(self):
        """``{"key", "label", "cells": {column: {"value", "numerator", "denominator"}}}``."""
        cells = {c.name.lower(): {"value": v, "numerator": n, "denominator": d}
                 for c, (v, n, d) in self._cells.items()}
        return {"key": self.key, "label": self.label, "cells": cells}

    def __repr__(self):
        shown = ", ".join(f"{c.name.lower()}={v!r}" for c, (v, _, _) in self._cells.items())
        return f"<KpiRow {self.key!r} {shown}>"


def _cell_value(column, value):
    if value is None or column not in _WHOLE:
        return value
    return int(value)


class KpiTable:
    """A computed table: ``kind``, ``columns`` (the KpiColumns its rows have) and
    ``rows`` (a list of KpiRow, in the table's order); iterable and indexable."""

    __slots__ = ("kind", "columns", "rows")

    @classmethod
    def _from_c(cls, h):
        table = cls.__new__(cls)
        table.kind = KpiTableKind._by_c[core.rf_kpi_table_kind_of(h)]
        table.columns = tuple(c for c in KpiColumn if core.rf_kpi_table_has_column(h, int(c)))
        rows = []
        for i in range(core.rf_kpi_table_row_count(h)):
            row = core.rf_kpi_table_row(h, i)
            cells = {c: (_cell_value(c, core.rf_kpi_row_value(row, int(c))),
                         core.rf_kpi_row_numerator(row, int(c)), core.rf_kpi_row_denominator(row, int(c)))
                     for c in table.columns}
            rows.append(KpiRow(core.rf_kpi_row_key(row), core.rf_kpi_row_label(row), cells))
        table.rows = rows
        return table

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def row(self, key):
        """The row whose key is ``key``; KeyError when there is none."""
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def to_dict(self):
        """``{"kind", "columns", "rows": [row.to_dict(), ...]}``."""
        return {"kind": self.kind.name.lower(), "columns": [c.name.lower() for c in self.columns],
                "rows": [r.to_dict() for r in self.rows]}

    def __repr__(self):
        return f"<KpiTable {self.kind.name} rows={len(self.rows)}>"


class KpiDashboard:
    """The report and every table of one period: ``report`` (a KpiReport) and
    ``tables`` ({KpiTableKind: KpiTable}); ``dashboard.funnel`` etc. name a table."""

    __slots__ = ("report", "tables")

    def __init__(self, report, tables):
        self.report = report
        self.tables = tables

    def __getattr__(self, name):
        if name.startswith("_") or name.upper() not in KpiTableKind.__members__:
            raise AttributeError(f"KpiDashboard has no attribute {name!r}")
        return self.tables[KpiTableKind[name.upper()]]

    def to_dict(self):
        """``{"report": report.to_dict(), "tables": {kind: table.to_dict()}}``."""
        return {"report": self.report.to_dict(),
                "tables": {k.name.lower(): t.to_dict() for k, t in self.tables.items()}}
