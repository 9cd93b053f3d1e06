"""PDF sales documents: ``build_layout`` (input values -> view model) and ``render_pdf``.

``layout`` and ``epc`` are pure; ``render`` needs WeasyPrint and is imported on demand so that
building a view model does not load the PDF engine.
"""

from beleg.formats.pdf.layout import build_layout
from beleg.formats.pdf.model import (
    ConvertedTotals,
    Correction,
    Customer,
    DocumentKind,
    DocumentLayoutInput,
    LayoutLine,
    LineKind,
    Notes,
    Payment,
    Seller,
    TaxGroup,
    Totals,
)

__all__ = [
    "ConvertedTotals",
    "Correction",
    "Customer",
    "DocumentKind",
    "DocumentLayoutInput",
    "LayoutLine",
    "LineKind",
    "Notes",
    "Payment",
    "Seller",
    "TaxGroup",
    "Totals",
    "build_layout",
]
