"""E-invoice benchmark (e-invoicing issue): generate + validate e-invoices in one process
(one core), against bare XSD validation of the same files in the same run.

    .venv/bin/python bench/einvoice.py [--invoices 300]

For each syntax (CII, UBL) it renders ``--invoices`` XRechnung 3.0 invoices of 1 to 20 lines
with mixed rates (``terms_of`` + ``render``) and validates each in all three layers (XSD,
EN 16931, KoSIT), then validates the same files against the XSD alone. The stylesheets are
compiled before the clock starts (once per process, as in the worker). It prints invoices
per second of each path and their ratio; the goal is at least 150 invoices/s per core for
CII with all layers.
"""

from __future__ import annotations

import argparse
import sys
import time

from lxml import etree

from beleg.formats.einvoice.syntax import Syntax, render
from beleg.formats.einvoice.terms import terms_of
from beleg.formats.einvoice.validation import _schema_errors, validate

sys.path.insert(0, "tests/unit")  # the documents of the e-invoice tests, built the same way
from test_einvoice import document, line, source

GOAL = 150.0  # invoices/s per core, CII, all layers


def _documents(count: int) -> list:  # type: ignore[type-arg]
    made = []
    for n in range(count):
        lines = [
            line(i, str(1 + i % 4), f"{(n * 7 + i * 13) % 500 + 0.99:.2f}", "19" if i % 3 else "7")
            for i in range(1, 2 + n % 20)
        ]
        made.append(document(*lines))
    return made


def _full(docs: list, syntax: Syntax) -> tuple[float, list[bytes]]:  # type: ignore[type-arg]
    files, began = [], time.perf_counter()
    for doc in docs:
        xml = render(terms_of(source(doc), xrechnung=True), syntax)
        if any(f.fatal for f in validate(xml, syntax)):
            raise SystemExit(f"{syntax}: a generated invoice failed validation")
        files.append(xml)
    return time.perf_counter() - began, files


def _xsd_only(files: list[bytes], syntax: Syntax) -> float:
    began = time.perf_counter()
    for xml in files:
        if _schema_errors(etree.fromstring(xml), syntax):  # the XSD layer of validate()
            raise SystemExit("XSD failed")
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=300)
    args = parser.parse_args()
    docs = _documents(args.invoices)
    print(f"{args.invoices} XRechnung invoices of 1-20 lines per syntax, one process; "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    print("| syntax | generate + 3 layers, inv/s | XSD alone, inv/s | ratio |")
    print("| --- | ---: | ---: | ---: |")
    cii_rate = 0.0
    for syntax in Syntax:
        _full(docs[:3], syntax)  # compiles the schema and both stylesheets of the syntax
        seconds, files = _full(docs, syntax)
        bare = _xsd_only(files, syntax)
        rate, bare_rate = len(files) / seconds, len(files) / bare
        cii_rate = rate if syntax is Syntax.CII else cii_rate
        print(f"| {syntax} | {rate:,.0f} | {bare_rate:,.0f} | {rate / bare_rate:.3f} |")
    verdict = "holds" if cii_rate >= GOAL else "MISSED"
    print(f"goal >= {GOAL:.0f} CII invoices/s per core with all layers: {verdict}")


if __name__ == "__main__":
    main()
