"""No English on the command line: argparse's words, tomllib's syntax errors, the HiGHS
banner; and the sign of waiting, shown on a terminal only (issue 29, parts 7 and 8)."""

import argparse
import ast
import inspect
import io
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from commun.constats import Constats
from commun.syntaxe_toml import GENERIQUE, erreur_toml, traduire
from fabriques import argparse_fr
from fabriques.attente import etape
from fabriques.cli import COMMANDES, build_parser, main
from lecture.programme import lire_regles

RACINE = Path(__file__).resolve().parents[1]
EXEMPLES = RACINE / "sample_waves"

# ------------------------------------------------------------------ argparse in French


def _appels(source: str, fonction: str) -> list[tuple[str, ...]]:
    """The literal string arguments of every call of ``fonction`` in ``source``."""
    appels = []
    for noeud in ast.walk(ast.parse(source)):
        if (isinstance(noeud, ast.Call) and isinstance(noeud.func, ast.Name)
                and noeud.func.id == fonction):
            litteraux = tuple(a.value for a in noeud.args
                              if isinstance(a, ast.Constant) and isinstance(a.value, str))
            if litteraux:
                appels.append(litteraux)
    return appels


def test_every_message_of_this_pythons_argparse_has_its_french():
    source = inspect.getsource(argparse)
    messages = {m[0] for m in _appels(source, "_")}
    pluriels = {m[:2] for m in _appels(source, "ngettext")}
    assert len(messages) > 25 and pluriels  # the source was read
    manquants = sorted(messages - set(argparse_fr.TRADUCTIONS))
    assert not manquants, f"argparse {sys.version.split()[0]} : à traduire {manquants}"
    assert not pluriels - set(argparse_fr.PLURIELS)


_PLACE = re.compile(r"%\((\w+)\)[sr]|%[sr]")


@pytest.mark.parametrize("anglais,francais", [
    *argparse_fr.TRADUCTIONS.items(),
    *((a, f) for cles, valeurs in argparse_fr.PLURIELS.items()
      for a, f in zip(cles, valeurs, strict=True))])
def test_a_translation_keeps_argparses_placeholders(anglais, francais):
    """The same positional ones (``%s``), and no named one argparse does not give (it may
    leave one out: « invalid %(type)s value » says no type name in French)."""
    places = _PLACE.findall(anglais)
    assert set(_PLACE.findall(francais)) <= set(places)
    assert _PLACE.findall(francais).count("") == places.count("")


#: Words of argparse's English that must not reach the user.
ANGLAIS = re.compile(r"\b(usage|positional|optional arguments|options:|show this|"
                     r"show program|default|error|required|invalid|expected|"
                     r"unrecognized|not allowed|ambiguous|choose from|OUT)\b")


def _verbes() -> list[list[str]]:
    return [[], *([v] for v in COMMANDES), ["ds", "importer"], ["ds", "publier"]]


@pytest.mark.parametrize("verbe", _verbes(), ids=lambda v: " ".join(v) or "fabriques")
def test_help_is_french(verbe, capsys):
    with pytest.raises(SystemExit) as fin:
        main([*verbe, "--help"])
    assert fin.value.code == 0
    aide = capsys.readouterr().out
    assert aide.startswith("utilisation : fabriques")
    assert "options\u00a0:" in aide
    assert not ANGLAIS.search(aide), ANGLAIS.search(aide)


@pytest.mark.parametrize("arguments", [
    ["inconnu"], ["allocate"], ["tradeoffs", "v", "--tirages", "beaucoup"], ["repartir", "v"],
    ["repartir", "v", "--par-dossier", "2", "--complement", "3"], ["ds"],
    ["score", "v", "--methode", "au_hasard"], ["allocate", "v", "--out"],
    ["check", "v", "--inconnue"], ["ds", "importer", "--demarche", "12"],
])
def test_argument_errors_are_french_and_exit_2(arguments, capsys):
    with pytest.raises(SystemExit) as fin:
        main(arguments)
    assert fin.value.code == 2
    erreur = capsys.readouterr().err
    assert erreur.startswith("utilisation : fabriques")
    assert " : erreur : " in erreur
    assert not ANGLAIS.search(erreur), ANGLAIS.search(erreur)


def _parseurs(parseur: argparse.ArgumentParser):
    yield parseur
    for action in parseur._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sous in dict.fromkeys(action.choices.values()):
                yield from _parseurs(sous)


def test_every_help_the_project_writes_is_french():
    """Every option has a help, and none is English (a few words that French does not
    use)."""
    anglais = re.compile(r"\b(the|and|of|to|with|file|default|show|write|number)\b", re.I)
    for parseur in _parseurs(build_parser()):
        for texte in (parseur.description or "", *(a.help or "" for a in parseur._actions)):
            assert not anglais.search(texte), (parseur.prog, texte)
        for action in parseur._actions:  # the verbs' own helps are their listing
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, (parseur.prog, action.dest)


# ------------------------------------------------------------------ TOML syntax in French


def _messages_de_tomllib() -> list[str]:
    """Each message tomllib's parser can raise, its varying parts replaced by an example
    key."""
    from tomllib import _parser

    messages = []
    for noeud in ast.walk(ast.parse(inspect.getsource(_parser))):
        if (isinstance(noeud, ast.Call) and isinstance(noeud.func, ast.Name)
                and noeud.func.id == "suffixed_err"):
            texte = noeud.args[2]
            if isinstance(texte, ast.Constant):
                messages.append(texte.value)
            else:
                assert isinstance(texte, ast.JoinedStr)
                messages.append("".join(v.value if isinstance(v, ast.Constant)
                                        else "('vague', 'numero')" for v in texte.values))
    return messages


def test_every_message_of_this_pythons_tomllib_has_its_french():
    messages = _messages_de_tomllib()
    assert len(messages) > 20
    inconnus = [m for m in messages if traduire(m) == GENERIQUE]
    assert not inconnus, f"tomllib {sys.version.split()[0]} : à traduire {inconnus}"
    assert traduire("Cannot declare ('vague', 'numero') twice") == \
        "table [vague.numero] déclarée deux fois"


@pytest.mark.parametrize("texte,ligne,colonne,attendu", [
    ("[vague]\nnumero 6\n", 2, 8, "« = » attendu"),
    ("[vague\nnumero = 6\n", 1, 7, "« ] » attendu"),
    ("[vague]\nnom = \"Vague six\n", 2, 17, "guillemet final manquant"),
    ("[vague]\nnumero = 6\n[vague]\n", 3, 7, "table [vague] déclarée deux fois"),
    ("[vague]\nnumero = 6\nnumero = 7\n", 3, 11, "valeur déjà définie"),
    ("[regles]\nqpv = [1, 2\n", 3, 1, "« ] » manquant"),  # tomllib: at the end
    ("[vague]\nnumero = six\n", 2, 10, "valeur invalide"),
    ("[vague]\nnumero = 6 7\n", 2, 12, "fin de ligne attendue"),
])
def test_a_malformed_programme_is_said_in_french_at_its_line_and_column(
        tmp_path, texte, ligne, colonne, attendu):
    programme = tmp_path / "programme.toml"
    programme.write_text(texte, encoding="utf-8")
    constats = Constats()
    assert lire_regles(programme, 6, constats) is None
    (constat,) = constats.erreurs
    assert constat.code == "programme_illisible"
    assert constat.fichier == "programme.toml" and constat.ligne == ligne
    assert f"colonne {colonne} :" in constat.message and attendu in constat.message
    assert not re.search(r"\b(at|line|column|Expected|Cannot|Invalid)\b", str(constat))


def test_a_programme_not_in_utf8_is_said_at_the_byte(tmp_path):
    programme = tmp_path / "programme.toml"
    programme.write_bytes("[vague]\nnom = \"Février\"\n".encode("cp1252"))
    constats = Constats()
    assert lire_regles(programme, 6, constats) is None
    (constat,) = constats.erreurs
    assert constat.ligne == 2 and "colonne 9 : " in constat.message
    assert "UTF-8" in constat.message and "codec" not in constat.message


def test_a_message_of_a_later_python_is_said_generically_with_its_place():
    nouvelle = tomllib.TOMLDecodeError("Something new went wrong (at line 4, column 2)")
    lue = erreur_toml(nouvelle, "a = 1\n" * 5)
    assert (lue.message, lue.ligne, lue.colonne) == (GENERIQUE, 4, 2)
    a_la_fin = tomllib.TOMLDecodeError("Something new (at end of document)")
    lue = erreur_toml(a_la_fin, "[vague]\nnom = 1\nx")
    assert (lue.message, lue.ligne, lue.colonne) == (GENERIQUE, 3, 2)


# ------------------------------------------------------------------ HiGHS says nothing


def _vague_06(dossier: Path) -> Path:
    vague = dossier / "vague-06"
    shutil.copytree(EXEMPLES / "vague-06", vague)
    shutil.copy(EXEMPLES / "programme.toml", vague / "programme.toml")
    return vague


def _lancer(dossier: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own: HiGHS writes its banner from C, once per
    process, on file descriptor 1."""
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    return subprocess.run([sys.executable, "-m", "fabriques.cli", *arguments], cwd=dossier,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("arguments", [
    ["allocate", "vague-06"], ["tradeoffs", "vague-06", "--tirages", "3"],
    ["repartir", "vague-06", "--par-dossier", "2", "--graine", "1"]], ids=lambda a: a[0])
def test_the_solver_prints_nothing(tmp_path, arguments):
    _vague_06(tmp_path)
    fini = _lancer(tmp_path, *arguments)
    assert fini.returncode == 0, fini.stderr
    for flux in (fini.stdout, fini.stderr):
        assert not re.search(r"HiGHS|Copyright|licence|Running|THIRD_PARTY", flux), flux
    assert "Écrit" in fini.stdout
    assert "…" not in fini.stderr  # not a terminal: no sign of waiting either


# ------------------------------------------------------------------ a sign of waiting


class Terminal(io.StringIO):
    """An error stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_step_shows_its_progress_on_a_terminal_and_erases_it():
    terminal = Terminal()
    with etape("Calcul de l'incertitude", terminal) as avancer:
        avancer(275, 275)
        assert terminal.getvalue().endswith("Calcul de l'incertitude… 275/275 (100 %)")
    fin = terminal.getvalue().rsplit("\r", 2)
    assert fin[-1] == "" and fin[-2].strip() == ""  # the line is blank again


def test_a_step_writes_nothing_when_not_on_a_terminal():
    flux = io.StringIO()
    with etape("Calcul de l'incertitude", flux) as avancer:
        avancer(120, 275)
    assert flux.getvalue() == ""


def _sans_duree(texte: str) -> str:
    return re.sub(r"résolu en [\d.,]+ s", "résolu en … s", texte)  # the time, in French


def test_allocate_shows_its_steps_on_a_terminal_only_and_the_same_output(
        tmp_path, capsys, monkeypatch):
    def allouer(nom: str) -> None:
        assert main(["allocate", str(EXEMPLES / "vague-06"), "--out",
                     str(tmp_path / nom)]) == 0

    allouer("allocation.xlsx")
    tube = capsys.readouterr()
    assert tube.err == ""  # captured, as by a pipe: not a terminal
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    allouer("allocation.xlsx")
    ecran = terminal.getvalue()
    for libelle in ("Lecture de la vague…", "Notation et choix des lauréats…",
                    "Calcul de l'incertitude… ", "Préparation des classeurs…"):
        assert libelle in ecran
    assert re.search(r"Calcul de l'incertitude… (\d+)/\1 \(100 %\)", ecran)
    assert ecran.endswith("\r") and not ecran.rsplit("\r", 2)[-2].strip()
    assert _sans_duree(capsys.readouterr().out) == _sans_duree(tube.out)


def test_tradeoffs_counts_its_draws_on_a_terminal(tmp_path, monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["tradeoffs", str(EXEMPLES / "vague-06"), "--tirages", "4", "--out",
                 str(tmp_path / "arbitrages.xlsx")]) == 0
    assert re.search(r"Robustesse \(tirages du jury\)… (\d+)/\1 \(100 %\)", terminal.getvalue())
    assert "4 tirages" in capsys.readouterr().out
