"""How far a worksheet of an .xlsx file reaches, found before python-calamine reads it. Pure.

python-calamine turns a worksheet into a dense grid from its first to its last cell, whatever
few cells it holds: a 5 KB file with one cell at XFD1048576 asks for 549 GB and the process
aborts. So the worksheet's XML is streamed first, its declared ``<dimension>`` and the
position of every cell (``r="…"``, or counted like python-calamine when it is absent)
checked against the limits; a sheet reaching too far is refused before any grid exists.

A fast pass covers what Excel, LibreOffice, openpyxl and the like write (every cell starts
``<c r="B12"``): a few byte searches per megabyte, no object per cell. Anything else (cells
without a position, namespace prefixes, another encoding, a reference past the fast limits)
goes through an exact pass with defusedxml's SAX parser, which stops at the first cell too far.
"""

import posixpath
import re
import xml.sax

import defusedxml
import defusedxml.ElementTree
import defusedxml.sax

CHUNK = 1 << 20
_MAX_LETTERS, _MAX_DIGITS = 3, 7  # XFD, 1048576: Excel's last column and row


class Unreadable(Exception):
    """The archive or the worksheet's XML cannot be parsed."""


class TooLarge(Exception):
    """The worksheet reaches beyond the limits; ``cell`` is a cell (or the declared corner) too far."""

    def __init__(self, cell, rows, columns):
        super().__init__(cell)
        self.cell, self.rows, self.columns = cell, rows, columns


def column_letters(number):
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def worksheet_parts(archive, sheet_name):
    """The archive members python-calamine would read for ``sheet_name``; every worksheet part
    when the workbook's relationships do not say (python-calamine will then fail on its own)."""
    names = set(archive.namelist())
    try:
        book = defusedxml.ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = defusedxml.ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, defusedxml.DefusedXmlException, SyntaxError, ValueError) as exc:
        raise Unreadable from exc
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels if _local(rel.tag) == "Relationship"}
    parts = []
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet" or sheet.get("name") != sheet_name:
            continue
        for key, value in sheet.attrib.items():
            if _local(key) == "id" and value in targets:
                parts.extend(_members(targets[value]))
    found = sorted({part for part in parts if part in names})
    return found or sorted(name for name in names if name.startswith("xl/worksheets/"))


def _local(name):
    return name.rpartition("}")[2].rpartition(":")[2]


def _members(target):
    """The member a relationship's target names: as python-calamine joins it (relative to xl/,
    or from the root when it starts with "/"), and normalised, should another version resolve "..".
    Both are checked when present: a crafted archive may hold both names."""
    joined = target[1:] if target.startswith("/") else target if target.startswith("xl/") else "xl/" + target
    return joined, posixpath.normpath(joined)


def check(open_part, *, max_rows, max_columns, max_cells):
    """Raise TooLarge if the worksheet ``open_part()`` streams reaches beyond ``max_rows`` rows,
    ``max_columns`` columns or a grid of ``max_cells`` cells (declared or actual); Unreadable if
    its XML cannot be parsed. ``open_part`` returns a new binary stream each call."""
    # Shapes whose grid stays under max_cells: the full height and a few columns (every real
    # file), then every column and fewer rows. The fast pass vouches for a sheet within one.
    narrow = max(1, min(max_columns, max_cells // max_rows))
    shapes = [(max_rows, narrow)]
    if narrow < max_columns:
        shapes.append((max(1, max_cells // max_columns), max_columns))
    for rows, columns in shapes:
        with open_part() as stream:
            if _fast_pass(stream, (rows, columns), (max_rows, max_columns)):
                return
    with open_part() as stream:
        _exact_pass(stream, max_rows, max_columns, max_cells)


# --- fast pass ------------------------------------------------------------------------------

_LETTERS, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
_REF_AT = re.compile(rb'r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension[\s/][^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet[\s>/]")


def _not_above(limit, alphabet):
    """A pattern for a numeral of ``alphabet`` (ordered; "0" never leads) at most ``limit``."""
    every = f"[{alphabet[0]}-{alphabet[-1]}]"
    first = alphabet[1:] if alphabet[0] == "0" else alphabet
    options = [limit]
    if len(limit) > 1:
        options.append(f"[{first[0]}-{first[-1]}]{every}{{0,{len(limit) - 2}}}")
    for index, char in enumerate(limit):
        lower = (first if index == 0 else alphabet)[: (first if index == 0 else alphabet).index(char)]
        if lower:
            options.append(f"{limit[:index]}[{lower[0]}-{lower[-1]}]{every}{{{len(limit) - index - 1}}}")
    return "(?:" + "|".join(options) + ")"


def _fast_pattern(prefix, rows, columns):
    """A cell start tag not written ``<c r="A1"`` within ``rows`` × ``columns``."""
    fine = _not_above(column_letters(columns), _LETTERS) + _not_above(str(rows), _DIGITS)
    return re.compile(b"<" + re.escape(prefix) + rb'c(?:[\t\n\r>/]| (?!r="' + fine.encode() + b'"))')


def _other_prefix(prefix):
    """A cell start tag under another namespace prefix than the root's."""
    if prefix:
        return re.compile(rb"<c[\s>/]|(?<!<" + re.escape(prefix[:-1]) + rb"):c[\s>/]")
    return re.compile(rb":c[\s>/]")


def _fast_pass(stream, shape, limits):
    """True when the declared dimension and every cell, written ``<c r="…"``, lie within ``shape``
    (rows, columns); TooLarge as soon as one lies beyond ``limits``; False when the exact pass
    must decide. Every piece searched ends before a "<", so no tag is ever cut in two."""
    head = stream.read(CHUNK)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    declaration = head[: head.find(b"?>") + 2] if head.startswith(b"<?xml") else b""
    encoding = re.search(rb"encoding\s*=\s*[\"']([^\"']*)", declaration)
    if not head.startswith(b"<") or (encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8")):
        return False  # UTF-16 and the like: the exact pass decodes them
    root = _ROOT.search(head)
    if root is None or b"<!DOCTYPE" in head[: root.start()] or b"<!ENTITY" in head:
        return False
    prefix = root.group(1) or b""
    cells, others = _fast_pattern(prefix, *shape), _other_prefix(prefix)
    in_head = True  # before <sheetData>, where the dimension is declared
    carry, chunk = b"", head
    while chunk or carry:
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if not chunk or cut < 0 or len(buffer) - cut > CHUNK:
            # The end, no "<", or none after the last for a megabyte: no tag start is cut off.
            piece, carry = buffer, b""
        else:
            piece, carry = buffer[:cut], buffer[cut:]
        if in_head:
            body = piece.find(b"sheetData")
            in_head = body < 0
            dimension = _DIMENSION.search(piece, 0, len(piece) if in_head else body)
            if dimension is not None and not _within(_corner(dimension.group(1)), shape, limits):
                return False
        if others.search(piece):
            return False
        for match in cells.finditer(piece):
            reference = _REF_AT.match(piece, match.end()) if match.group().endswith(b" ") else None
            if reference is None:
                return False
            row, column = int(reference.group(2)), _column_number(reference.group(1).decode())
            if not _within((row, column), shape, limits):
                return False
        chunk = stream.read(CHUNK) if chunk else b""
    return True


def _within(corner, shape, limits):
    """Whether (row, column) lies within ``shape``; TooLarge when beyond ``limits``."""
    if corner is None:
        return False
    row, column = corner
    if row > limits[0] or column > limits[1]:
        raise TooLarge(f"{column_letters(column)}{row}", row, column)
    return row <= shape[0] and column <= shape[1]


def _corner(reference):
    """(row, column) of the bottom-right corner of a range like "A1:XFD1048576", or None."""
    match = re.fullmatch(rb"\s*\$?[A-Za-z]*\$?[0-9]*(?::\$?([A-Za-z]+)\$?([0-9]+))?\s*", reference)
    if match is None:
        return None
    if match.group(1) is None:  # a single cell
        match = re.fullmatch(rb"\s*\$?([A-Za-z]+)\$?([0-9]+)\s*", reference)
        if match is None:
            return None
    return int(match.group(2)), _column_number(match.group(1).decode("ascii"))


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


# --- exact pass -----------------------------------------------------------------------------

_CELL_REF = re.compile(r"\$?([A-Za-z]+)\$?([0-9]+)")


class _Extent(xml.sax.ContentHandler):
    """Cell positions the way python-calamine counts them: a cell's ``r``, else the next column of
    the current row; a row's ``r``, else the row after the previous one."""

    def __init__(self, max_rows, max_columns, max_cells):
        super().__init__()
        self.limits = max_rows, max_columns, max_cells
        self.row = self.column = 0  # 0-based, as python-calamine keeps them
        self.rows = self.columns = 0  # the extent so far

    def startElement(self, name, attrs):
        local = name.rpartition(":")[2]
        if local == "row":
            position = attrs.get("r")
            if position is not None:
                self.row = self._number(position) - 1
        elif local == "c":
            position = attrs.get("r")
            if position is None:
                row, column = self.row, self.column
            else:
                match = _CELL_REF.fullmatch(position.strip())
                if match is None:
                    raise Unreadable(position)
                row, column = int(match.group(2)) - 1, _column_number(match.group(1)) - 1
            self.column = column + 1
            self._reach(row + 1, column + 1)
        elif local == "dimension":
            corner = _corner((attrs.get("ref") or "").encode())
            if corner is not None:
                self._reach(*corner)

    def endElement(self, name):
        if name.rpartition(":")[2] == "row":
            self.row += 1
            self.column = 0

    def _number(self, text):
        if not text.strip().isdigit():
            raise Unreadable(text)
        return int(text)

    def _reach(self, rows, columns):
        max_rows, max_columns, max_cells = self.limits
        self.rows, self.columns = max(self.rows, rows), max(self.columns, columns)
        if rows > max_rows or columns > max_columns or self.rows * self.columns > max_cells:
            raise TooLarge(f"{column_letters(columns)}{rows}", self.rows, self.columns)


def _exact_pass(stream, max_rows, max_columns, max_cells):
    parser = defusedxml.sax.make_parser()
    parser.setContentHandler(_Extent(max_rows, max_columns, max_cells))
    try:
        parser.parse(stream)
    except (xml.sax.SAXException, defusedxml.DefusedXmlException, ValueError, OSError) as exc:
        raise Unreadable from exc
