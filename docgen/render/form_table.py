"""A form's table, built from its schema when the form is rendered: each column and field is defined once, in
``docgen/forms/<kind>.yaml`` (labels, order, widths, row heights), never again in a template.

The form templates (``docgen/templates/forms/<kind>.docx``) are Word files a clerk edits — title, the lines
above the table, the notes — with one paragraph ``{{p form_table }}`` where the table goes. :func:`form_table`
returns that table as WordprocessingML (``w:tbl``) for one form's context; :func:`docgen.forms.generate.render_form`
passes it to the template as markup. Every value is escaped here: a school's ``A&B<x>`` prints as written.

Three shapes, after the seed forms: a header row over one row per entry (统计表, 安排表), key–value rows with
label cells on the left (备案表, with its vertically merged 援藏活动情况), and a grid (回执: 联络员 / 分管领导 ×
姓名 / 职务 / 联系电话).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from docgen.forms.schema import FieldSpec, FormSchema, PageOrientation

FONT_BODY = "仿宋_GB2312"
FONT_HEADER = "黑体"
FONT_LATIN = "Times New Roman"
TWIPS_PER_MM = 1440 / 25.4
# Text width of the official page: A4 less 28 mm (binding side) and 26 mm; landscape A4 the same sides.
TEXT_WIDTH = {PageOrientation.PORTRAIT: 8844, PageOrientation.LANDSCAPE: 13776}  # 156 mm, 243 mm
_CELL_MARGIN = 57  # twips left and right inside each cell (1 mm)


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def _rpr(font: str, half_points: int) -> str:
    """Run properties with every font slot set (``w:eastAsia`` too) and East Asian text tagged zh-CN."""
    latin = FONT_LATIN if font == FONT_BODY else font
    return (
        f'<w:rFonts w:ascii="{latin}" w:eastAsia="{font}" w:hAnsi="{latin}" w:cs="{latin}" w:hint="eastAsia"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    )


def _paragraph(text: str, half_points: int, *, font: str = FONT_BODY, jc: str = "center") -> str:
    """One cell paragraph: no indent, exact spacing 1.25 × the font size, off the character grid."""
    line = half_points * 25 // 2
    run = f'<w:r><w:rPr>{_rpr(font, half_points)}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    return (
        '<w:p><w:pPr><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/>'
        f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/><w:jc w:val="{jc}"/>'
        f"<w:rPr>{_rpr(font, half_points)}</w:rPr></w:pPr>{run if text else ''}</w:p>"
    )


def _cell(
    text: str,
    width: int,
    half_points: int,
    *,
    font: str = FONT_BODY,
    jc: str = "center",
    span: int = 1,
    vmerge: str | None = None,
) -> str:
    """One ``w:tc``; lines of ``text`` (split at a line break) become paragraphs."""
    merge = {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>"}.get(vmerge or "", "")
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    paragraphs = "".join(_paragraph(line, half_points, font=font, jc=jc) for line in text.split("\n"))
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>{grid}{merge}<w:vAlign w:val="center"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}</w:tc>"


def _row(cells: Iterable[str], height_mm: float = 0.0, *, header: bool = False) -> str:
    props = "<w:cantSplit/>"
    if height_mm:
        props += f'<w:trHeight w:val="{_twips(height_mm)}" w:hRule="atLeast"/>'
    if header:
        props += "<w:tblHeader/>"
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def _table(widths: Sequence[int], rows: Iterable[str]) -> str:
    line = '<w:{side} w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    borders = "".join(line.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="{_CELL_MARGIN}" w:type="dxa"/>'
        f'<w:right w:w="{_CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="1" w:noVBand="1"/></w:tblPr>'
    ) + (
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
        + "".join(rows)
        + "</w:tbl>"
    )


def scaled_widths(shares: Sequence[float], total: int) -> list[int]:
    """``shares`` (mm) scaled to ``total`` twips; the last column takes the rounding, so they add up exactly."""
    whole = sum(shares)
    widths = [round(total * s / whole) for s in shares[:-1]]
    return [*widths, total - sum(widths)]


def lookup(context: Mapping[str, Any], path: str) -> str:
    """The value at dotted ``path`` of ``context`` as text ('' when any step is missing)."""
    value: Any = context
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return ""
        value = value[step]
    return "" if value is None else str(value)


def form_table(schema: FormSchema, context: Mapping[str, Any]) -> str:
    """The table of ``schema``'s form filled from ``context`` (:func:`docgen.forms.generate.form_context`):
    ``table.rows`` for a tabular form, ``fields`` for key–value and grid forms. Pure."""
    layout = schema.layout
    total = TEXT_WIDTH[layout.page]
    size = round(layout.size * 2)
    if schema.table is not None:
        return _columns_table(schema, context, total, size)
    if layout.grid_rows:
        return _grid_table(schema, context, total, size)
    return _key_value_table(schema, context, total, size)


def _columns_table(schema: FormSchema, context: Mapping[str, Any], total: int, size: int) -> str:
    assert schema.table is not None
    layout = schema.layout
    columns = schema.table.columns
    widths = scaled_widths([c.width for c in columns], total)
    rows = [
        _row(
            (_cell(c.printed_label, w, size, font=FONT_HEADER) for c, w in zip(columns, widths, strict=True)),
            layout.header_height,
            header=True,
        )
    ]
    table = context.get("table") or {}
    for entry in table.get("rows") or []:
        rows.append(
            _row(
                (_cell(str(entry.get(c.key, "") or ""), w, size) for c, w in zip(columns, widths, strict=True)),
                layout.row_height,
            )
        )
    if layout.footer_label:
        label_span = 2 if len(columns) > 2 else 1
        rows.append(
            _row(
                [
                    _cell(layout.footer_label, sum(widths[:label_span]), size, span=label_span),
                    _cell(
                        lookup(context, layout.footer_from),
                        sum(widths[label_span:]),
                        size,
                        jc="left",
                        span=len(columns) - label_span,
                    ),
                ],
                layout.footer_height,
            )
        )
    return _table(widths, rows)


def _value(context: Mapping[str, Any], spec: FieldSpec) -> str:
    return str((context.get("fields") or {}).get(spec.key, "") or "")


def _key_value_table(schema: FormSchema, context: Mapping[str, Any], total: int, size: int) -> str:
    layout = schema.layout
    labels = [_twips(w) for w in layout.label_widths]
    if len(labels) == 1:
        labels = [labels[0] // 4, labels[0] - labels[0] // 4]  # an unlabelled group still spans two columns
    widths = [*labels, total - sum(labels)]
    rows = []
    for group in layout.groups:
        label = group.label or (lookup(context, group.label_from) if group.label_from else "")
        for i, key in enumerate(group.fields):
            spec = schema.field_spec(key)
            value = _cell(_value(context, spec), widths[2], size, jc="left")
            if group.label or group.label_from:
                # the group's label, one character a line, merged down the group's rows (援/藏/活/动/情/况)
                first = _cell("\n".join(label) if i == 0 else "", widths[0], size,
                              vmerge="restart" if i == 0 else "continue")
                cells = [first, _cell(spec.printed_label, widths[1], size), value]
            else:
                cells = [_cell(spec.printed_label, widths[0] + widths[1], size, span=2), value]
            rows.append(_row(cells, spec.height or layout.row_height))
    return _table(widths, rows)


def _grid_table(schema: FormSchema, context: Mapping[str, Any], total: int, size: int) -> str:
    layout = schema.layout
    label = _twips(layout.label_widths[0])
    n = len(layout.grid_columns)
    widths = [label, *scaled_widths([1.0] * n, total - label)]
    rows = [
        _row(
            [_cell("", widths[0], size, font=FONT_HEADER)]
            + [_cell(h, w, size, font=FONT_HEADER) for h, w in zip(layout.grid_columns, widths[1:], strict=True)],
            layout.header_height,
        )
    ]
    for grid_row in layout.grid_rows:
        cells = [_cell(grid_row.label, widths[0], size)]
        cells += [
            _cell(_value(context, schema.field_spec(key)), w, size)
            for key, w in zip(grid_row.fields, widths[1:], strict=True)
        ]
        rows.append(_row(cells, layout.row_height))
    return _table(widths, rows)
