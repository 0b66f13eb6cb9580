"""Form schemas as data: the forms a program sends out and reads back (备案表, 统计表, 回执, 安排表).

Each form is a YAML file beside this module (``<kind>.yaml``); :func:`load_schemas` parses them into
:class:`FormSchema`. Reading a returned form maps what was read onto a schema by label, so a school that
retyped the form, moved a column or wrote 联系电话 for 电话 still gets its record.
"""

from docgen.forms.schema import (
    ColumnSpec,
    FieldGroup,
    FieldSpec,
    FormLayout,
    FormPer,
    FormSchema,
    GridRow,
    PageOrientation,
    TableSpec,
    ValueType,
    load_schemas,
    parse_schema,
)

__all__ = [
    "ColumnSpec",
    "FieldGroup",
    "FieldSpec",
    "FormLayout",
    "FormPer",
    "FormSchema",
    "GridRow",
    "PageOrientation",
    "TableSpec",
    "ValueType",
    "load_schemas",
    "parse_schema",
]
