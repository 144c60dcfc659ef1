"""The guard of issue 29, one checker for every surface (the app's pages through AppTest and
in the browser, the workbooks, the letters, the procès-verbal, the command line): a text a
person reads must hold no code of the tool, no English, no ``None``/``nan``/``True``/
``False`` and no number written with a decimal point."""

from __future__ import annotations

import re
from collections.abc import Iterable

from allocation.modele.regles import LIBELLES_REGLES
from commun.constats import CODES as CODES_DES_CONSTATS
from commun.vocabulaire import FAMILLES

#: Codes that are also French words a label or a sentence may hold (« stable », « calibre »).
MOTS_FRANCAIS = {"stable", "administration", "chercheur", "enveloppe", "lieux", "montant",
                 "objectifs", "combinaison", "departage", "eligibilite", "median", "calibre",
                 "rank", "auto", "erreur", "avertissement", "qpv", "allocation", "retenir",
                 "annuler", "chargement", "enregistrement"}
CODES = sorted(({code for famille in FAMILLES.values() for code in famille}
                | set(LIBELLES_REGLES) | set(CODES_DES_CONSTATS)) - MOTS_FRANCAIS)
#: English a person must not read (Streamlit's and argparse's defaults, Python's reprs).
ANGLAIS = ["Upload", "Download", "Choose", "options", "Search", "Fullscreen", "Browse",
           "Drag and drop", "per file", "No results", "True", "False", "None", "nan", "NaN",
           "Submit", "Press Enter", "Running", "Loading", "frontier", "usage", "Copyright",
           "label", "score_total", "Skip to main content"]
#: A number with a decimal point; identifiers (V06-012, 1.67.0, dates 2026-12-07) and the
#: FAQ's sections (« FAQ 7.7 ») excepted.
DECIMAL_A_POINT = re.compile(r"(?<![\w.\-])(?<!FAQ )(?<!§)\d+\.\d+(?![\w.\-])")
#: A label may hold a code (« accord d'un juré (ICC1) »): labels are taken out of a text
#: before codes are looked for, longest first (a label reverted to its code is not).
LIBELLES = sorted({m for famille in FAMILLES.values() for t in famille.values()
                   for m in (t.libelle, t.libelles)} - set(CODES), key=len, reverse=True)
#: Any other code of the tool: a lowercase word with an underscore (« score_total »).
CODE_A_TIRET_BAS = re.compile(r"(?<![\w./\-])[a-z]+(?:_[a-z0-9]+)+(?![\w./\-])")
#: What a message quotes of the secretariat's own file (« colonne « code_commune » »): the
#: file's spelling, not the tool's code.
CITATION = re.compile(r"« [^«»\s]+ »")
#: A finding on the command line ends with its reference, in brackets, after its message in
#: words (kept for support and for searching the documentation).
REFERENCE = re.compile(r" \[[a-z_]+\]$", re.MULTILINE)
#: Codes are words with underscores or ASCII codes: a whole word, not a piece of one.
MOT = r"(?<![\w\-]){}(?![\w\-])"


def fautes(textes: Iterable[str]) -> list[str]:
    """Every code, English word, missing value or decimal point found, with its text."""
    trouvees = []
    for texte in textes:
        texte = REFERENCE.sub("", texte)
        sans_libelles = texte
        for libelle in LIBELLES:
            sans_libelles = sans_libelles.replace(libelle, "")
        for code in CODES:
            if re.search(MOT.format(re.escape(code)), sans_libelles):
                trouvees.append(f"code « {code} » : {texte[:120]!r}")
        for mot in ANGLAIS:
            if re.search(MOT.format(re.escape(mot)), texte):
                trouvees.append(f"anglais « {mot} » : {texte[:120]!r}")
        for code in CODE_A_TIRET_BAS.findall(CITATION.sub("", sans_libelles)):
            if code not in CODES:  # said once above
                trouvees.append(f"code « {code} » : {texte[:120]!r}")
        if DECIMAL_A_POINT.search(texte):
            trouvees.append(f"point décimal : {texte[:120]!r}")
    return sorted(set(trouvees))
