"""UNO bridge: one headless LibreOffice, driven over stdin/stdout.

Run by the system Python that can ``import uno`` (Debian: ``/usr/bin/python3``), never imported by docgen.
``docgen.render.pdf.LibreOfficeConverter`` starts it in a new session, so that killing that process group
ends this script, soffice, oosplash and soffice.bin together.

    python3 uno_bridge.py --soffice /usr/bin/soffice --profile file:///tmp/p --pipe docgen_x \
        [--start-timeout 120]

It starts soffice listening on a named pipe, connects, and prints ``{"ready": true}``. Then it reads one JSON
request per line and answers one JSON line per request:

    {"in": "/abs/a.docx", "out": "/abs/a.pdf", "options": {"bookmarks": true}}
    -> {"ok": true, "pages": 3}  |  {"ok": false, "error": "..."}

On connecting it adds "_" to the characters that may not begin or end a line in Chinese text (the
profile's Asian layout options), so fill-in blanks never break across lines (``keep_blanks_whole``).

Options: ``bookmarks`` (bool) exports Writer bookmarks as PDF named destinations. Documents are loaded
hidden, read-only, with macros off and links not updated. EOF on stdin ends soffice and the bridge.
Only the standard library and ``uno``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
import traceback

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

# com.sun.star.document.UpdateDocMode.NO_UPDATE, MacroExecMode.NEVER_EXECUTE
NO_UPDATE = 0
NEVER_EXECUTE = 0


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def reply(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def start_office(soffice, profile, pipe):
    args = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        "--nofirststartwizard",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]
    # soffice's chatter must not reach our stdout, which carries the protocol.
    return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr)


def connect(pipe, office, timeout):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(url)
            smgr = ctx.ServiceManager
            keep_blanks_whole(ctx)
            return smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if office.poll() is not None:
                raise RuntimeError(f"soffice exited with code {office.returncode} before accepting") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# Fill-in blanks (runs of "_", ``____年____月____日``) never break across lines. Among Chinese text LibreOffice
# breaks an underscore run anywhere, like ideographs, and ignores U+2060 WORD JOINER and U+FEFF there
# (measured, LibreOffice 7.4); what it does honour is its list of characters that may not begin or end a
# line (避头尾, "forbidden characters"). So "_" joins zh-CN's lists, on top of LibreOffice's own defaults
# for the language: no line begins or ends with "_", so a blank stays on one line with the characters
# either side of it. Set in this profile's Asian layout options, which Writer applies to every document it
# creates or imports — nothing per document, so no cost per conversion.
FILL_IN_BLANK_CHARS = "_"
BLANK_LOCALES = (("zh", "CN"),)


def keep_blanks_whole(ctx):
    from com.sun.star.lang import Locale  # type: ignore[import-not-found]

    smgr = ctx.ServiceManager
    locale_data = smgr.createInstanceWithContext("com.sun.star.i18n.LocaleData", ctx)
    provider = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    lists = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (prop("nodepath", "/org.openoffice.Office.Common/AsianLayout/StartEndCharacters"),),
    )
    for language, country in BLANK_LOCALES:
        default = locale_data.getForbiddenCharacters(Locale(language, country, ""))
        name = f"{language}-{country}"
        if not lists.hasByName(name):
            lists.insertByName(name, lists.createInstance())
        entry = lists.getByName(name)
        entry.setPropertyValue("StartCharacters", default.beginLine + FILL_IN_BLANK_CHARS)
        entry.setPropertyValue("EndCharacters", default.endLine + FILL_IN_BLANK_CHARS)
    lists.commitChanges()


def convert(desktop, src, dst, options):
    load_props = (
        prop("Hidden", True),
        prop("ReadOnly", True),
        prop("UpdateDocMode", NO_UPDATE),
        prop("MacroExecutionMode", NEVER_EXECUTE),
        prop("Silent", True),
    )
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, load_props)
    if doc is None:
        raise RuntimeError("LibreOffice could not load the document")
    try:
        filter_data = uno.Any(
            "[]com.sun.star.beans.PropertyValue",
            (
                prop("ExportBookmarksToPDFDestination", bool(options.get("bookmarks", False))),
                prop("ExportBlankPages", False),
                prop("ExportNotes", False),
                prop("ExportLinksRelativeFsys", False),
            ),
        )
        store_props = (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data))
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), store_props))
        try:
            pages = int(doc.getCurrentController().getPropertyValue("PageCount"))
        except Exception:
            pages = 0
        return pages
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, help="file:// URL of the profile directory")
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--start-timeout", type=float, default=120.0)
    args = ap.parse_args()

    office = start_office(args.soffice, args.profile, args.pipe)
    try:
        desktop = connect(args.pipe, office, args.start_timeout)
    except Exception as exc:
        reply({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        office.kill()
        return 1
    reply({"ready": True})

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            pages = convert(desktop, req["in"], req["out"], req.get("options") or {})
            reply({"ok": True, "pages": pages})
        except Exception as exc:
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            reply({"ok": False, "error": detail})

    with contextlib.suppress(Exception):
        desktop.terminate()
    try:
        office.wait(timeout=10)
    except subprocess.TimeoutExpired:
        office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
