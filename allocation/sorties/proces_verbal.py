"""The procès-verbal rendered by Typst (through its Python package, which carries the
compiler and its fonts: nothing to install on the machine, the same PDF everywhere).

The template (``modeles/proces_verbal.typ``) receives every piece of text as JSON through
``sys.inputs``, so a dossier name holding Typst markup (``#``, ``*``, ``[``…) is printed as
written, never interpreted. Only Typst's own fonts are used (``ignore_system_fonts``), and
they are embedded in the PDF.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import typst

MODELE = Path(__file__).parent / "modeles" / "proces_verbal.typ"


def rendre_proces_verbal(donnees: Mapping[str, Any], format: Literal["pdf", "png"] = "pdf",
                         ppi: float | None = None) -> list[bytes]:
    """The minutes as a PDF (one item) or as one PNG per page (``format="png"``, at ``ppi``
    pixels per inch)."""
    rendu = typst.compile(str(MODELE), format=format, ppi=ppi, ignore_system_fonts=True,
                          sys_inputs={"donnees": json.dumps(donnees, ensure_ascii=False)})
    return list(rendu) if isinstance(rendu, list) else [rendu]
