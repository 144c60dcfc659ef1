"""The jury's meeting through the application service: the wave's journal (where it lives,
what goes in it), the decisions and revised notes taken in the meeting — which are read back
from the journal, so the journal is the meeting's only record — and what the meeting works
from (agenda, a dossier's notes and comments, the effect of a decision).

Events written (``evenement``): ``chargement`` (the inputs' SHA-256), ``methode``,
``retenir``, ``ecarter``, ``annuler`` (a decision withdrawn), ``reviser`` (a note),
``allocation`` (the laureates and the outputs' SHA-256), ``enregistrement`` (into the
history), ``journal_ignore`` (a broken journal overridden, with the reason).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from allocation.analyses.arbitrages import robustesse
from allocation.analyses.incertitude import Incertitude
from allocation.analyses.seance import ordre_du_jour
from allocation.modele.departage import au_micro_point
from application.service import Parametres, Refus, Resultat, decider_vague
from commun.chaine import Ancre, Entree
from commun.constats import Constats
from commun.fichiers import FICHIER_JOURNAL
from commun.francais import decimal, valeur_en_clair
from commun.journal import Journal
from commun.provenance import AUCUN
from commun.vocabulaire import METHODES, libelle
from lecture.chargement import Chargement
from lecture.modele import Vague
from lecture.revisions import Revision, valider_revision

#: A folder that holds every journal (``<folder>/<wave>/journal.jsonl``) instead of beside
#: each wave: for uploaded waves, which have no folder, and for tests.
VARIABLE_JOURNAUX = "FABRIQUES_JOURNAUX"
#: Where uploaded waves keep their journal when the variable is not set.
JOURNAUX_PAR_DEFAUT = Path.home() / ".fabriques" / "journaux"


def chemin_journal(vague: Path | None, nom: str) -> Path:
    """The journal of a wave: ``journal.jsonl`` in the wave folder, ``<name>.journal.jsonl``
    beside a wave workbook, or ``<folder>/<wave>/journal.jsonl`` under
    ``FABRIQUES_JOURNAUX`` (when set) or the user's folder (an uploaded wave, ``vague``
    None)."""
    dossier = os.environ.get(VARIABLE_JOURNAUX)
    if dossier or vague is None:
        return Path(dossier or JOURNAUX_PAR_DEFAUT) / nom / FICHIER_JOURNAL
    if vague.is_dir():
        return vague / FICHIER_JOURNAL
    return vague.with_name(f"{vague.stem}.journal.jsonl")


#: Where a decision of the meeting comes from, in the messages that refuse one.
ORIGINE_SEANCE = "décision de séance (journal)"


@dataclass(frozen=True)
class Seance:
    """The meeting's decisions as they stand, read from the journal: each dossier's last
    decision (retained or set aside, with its reason) and each note's last revision."""

    forces: tuple[tuple[str, str], ...] = ()
    exclus: tuple[tuple[str, str], ...] = ()
    revisions: tuple[Revision, ...] = ()

    @property
    def vide(self) -> bool:
        """True when the meeting decided nothing yet."""
        return not (self.forces or self.exclus or self.revisions)

    def appliquer(self, base: Parametres) -> Parametres:
        """``base`` with the meeting's decisions and revised notes added (a decision given
        in ``base`` for the same dossier wins)."""
        imposes, ecartes = dict(base.forces), dict(base.exclus)
        forces = {d: r for d, r in self.forces if d not in ecartes} | imposes
        exclus = {d: r for d, r in self.exclus if d not in imposes} | ecartes
        revisions = {r.cle: r for r in (*self.revisions, *base.revisions)}
        origines = {d: ORIGINE_SEANCE for d, _ in (*self.forces, *self.exclus)}
        origines |= dict(base.origines)
        return replace(base, forces=tuple(sorted(forces.items())),
                       exclus=tuple(sorted(exclus.items())),
                       revisions=tuple(revisions[k] for k in sorted(revisions)),
                       origines=tuple(sorted(origines.items())))


def seance_de(entrees: Sequence[Entree]) -> Seance:
    """Fold the journal's decision and revision events into the meeting's state."""
    decisions: dict[str, tuple[str, str]] = {}
    revisions: dict[tuple[str, str, str], Revision] = {}
    for entree in entrees:
        donnees = entree.donnees
        if entree.evenement in ("retenir", "ecarter"):
            decisions[str(donnees["dossier"])] = (entree.evenement, str(donnees["raison"]))
        elif entree.evenement == "annuler":
            decisions.pop(str(donnees["dossier"]), None)
        elif entree.evenement == "reviser":
            nouvelle = Revision(str(donnees["jure"]), str(donnees["dossier"]),
                                str(donnees["critere"]), float(donnees["avant"]),
                                float(donnees["apres"]), str(donnees["raison"]))
            premiere = revisions.get(nouvelle.cle)
            if premiere is not None:
                nouvelle = replace(nouvelle, avant=premiere.avant)
            if nouvelle.apres == nouvelle.avant:
                revisions.pop(nouvelle.cle, None)
            else:
                revisions[nouvelle.cle] = nouvelle
    def garder(action: str) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((d, r) for d, (a, r) in decisions.items() if a == action))
    return Seance(garder("retenir"), garder("ecarter"),
                  tuple(revisions[k] for k in sorted(revisions)))


def journal_de(vague: Path | None, nom: str, explicite: Path | None = None,
               ancres: tuple[Ancre, ...] = ()) -> Journal:
    """The journal of the wave ``nom`` read from ``vague`` (None: uploaded files);
    ``explicite``: a path the user gave; ``ancres``: what files outside it say of it."""
    return Journal(explicite or chemin_journal(vague, nom), ancres=ancres)


def journaliser_chargement(journal: Journal, chargement: Chargement) -> Entree | None:
    """Record the inputs' SHA-256, unless the last loading recorded the same files."""
    return _journaliser_si_nouveau(journal, "chargement", {
        "vague": chargement.vague.nom if chargement.vague else "",
        "entrees": dict(chargement.empreintes),
        "historique": chargement.empreinte_historique})


def journaliser_methode(journal: Journal, resultat: Resultat) -> Entree | None:
    """Record the scoring method (and, with ``auto``, the choice and its evidence), unless
    it is the one last recorded."""
    return _journaliser_si_nouveau(journal, "methode",
                                   dict(resultat.scores.lignes_parametres()))


def _journaliser_si_nouveau(journal: Journal, evenement: str,
                            donnees: dict[str, object]) -> Entree | None:
    """Append ``evenement`` unless the last one of its kind recorded the same data."""
    with journal.transaction():
        precedents = [e for e in journal.entrees() if e.evenement == evenement]
        if precedents and dict(precedents[-1].donnees) == donnees:
            return None
        return journal.ajouter(evenement, donnees)


#: What the jury can decide on a dossier in the meeting.
ACTIONS = ("retenir", "ecarter", "annuler")


def decider_en_seance(journal: Journal, chargement: Chargement, base: Parametres,
                      action: str, dossier: str, raison: str) -> Constats:
    """Record the jury's decision on one dossier: ``retenir``, ``ecarter`` or ``annuler``
    (withdraw the dossier's decision) — :func:`decisions_en_seance` with one decision."""
    return decisions_en_seance(journal, chargement, base, [(action, dossier, raison)])


def decisions_en_seance(journal: Journal, chargement: Chargement, base: Parametres,
                        decisions: Sequence[tuple[str, str, str]]) -> Constats:
    """Record the jury's decisions (action, dossier, reason), taken together: checked first
    (:func:`verifier_decisions`), written only when none is refused."""
    with journal.transaction():  # the meeting read and the decisions written under one lock
        constats = verifier_decisions(journal, chargement, base, decisions)
        if not constats.a_des_erreurs:
            inscrire_decisions(journal, decisions)
    return constats


def verifier_decisions(journal: Journal, chargement: Chargement, base: Parametres,
                       decisions: Sequence[tuple[str, str, str]]) -> Constats:
    """The jury's decisions of one go checked all at once and with every other decision of
    the meeting, by the very validation a decision gets (:func:`application.service.
    decider_vague`); one dossier decided twice in one go, or a decision without a reason,
    is an error. Nothing is written."""
    constats = Constats()
    vus: dict[str, str] = {}
    for action, dossier, raison in decisions:
        if action not in ACTIONS:
            raise ValueError(f"action inconnue : {action}")
        if not raison.strip():
            constats.signaler("decision_sans_raison", "Chaque décision du jury doit être "
                              "motivée.", fichier=ORIGINE_SEANCE, valeur=dossier)
        if dossier in vus:
            constats.signaler("decision_contradictoire",
                              f"{dossier} : « {vus[dossier]} » et « {action} » demandés "
                              "ensemble : une seule décision par dossier", fichier=ORIGINE_SEANCE,
                              valeur=dossier)
        vus[dossier] = action
    if constats.a_des_erreurs or not decisions:
        return constats
    seance = seance_de(journal.entrees())
    forces, exclus = dict(seance.forces), dict(seance.exclus)
    for action, dossier, raison in decisions:
        forces.pop(dossier, None)
        exclus.pop(dossier, None)
        if action != "annuler":
            (forces if action == "retenir" else exclus)[dossier] = raison.strip()
    essai = replace(seance, forces=tuple(sorted(forces.items())),
                    exclus=tuple(sorted(exclus.items())))
    resultat = decider_vague(chargement, essai.appliquer(base), avec_decision=False)
    return resultat.erreurs if isinstance(resultat, Refus) else constats


def inscrire_decisions(journal: Journal, decisions: Sequence[tuple[str, str, str]]) -> None:
    """Write checked decisions (:func:`verifier_decisions`) to the journal."""
    for action, dossier, raison in decisions:
        journal.ajouter(action, {"dossier": dossier, "raison": raison.strip()})


def valider_revisions(chargement: Chargement,
                      revisions: Sequence[tuple[str, str, str, float, str]]) -> Constats:
    """Revised notes (juror, dossier, criterion, note, reason) checked all at once."""
    vague = chargement.vague
    assert vague is not None
    constats = Constats()
    for jure, dossier, critere, note, raison in revisions:
        constats.etendre(valider_revision(vague, jure, dossier, critere, note, raison))
    return constats


def reviser_en_seance(journal: Journal, chargement: Chargement, jure: str, dossier: str,
                      critere: str, note: float, raison: str) -> Constats:
    """Record a note revised in the meeting, its first value kept; nothing is written when
    the revision is refused."""
    vague = chargement.vague
    assert vague is not None
    constats = valider_revision(vague, jure, dossier, critere, note, raison)
    if constats.a_des_erreurs:
        return constats
    notes = vague.notes
    avant = float(notes.loc[(notes["jure"] == jure) & (notes["dossier"] == dossier)
                            & (notes["critere"] == critere), "note"].iloc[0])
    journal.ajouter("reviser", {"jure": jure, "dossier": dossier, "critere": critere,
                                "avant": avant, "apres": float(note), "raison": raison.strip()})
    return constats


def resume_entree(entree: Entree) -> str:
    """One journal entry in words, for its listing (command line and app): what the event
    did, not its stored keys."""
    d = entree.donnees

    def _liste(valeur: object) -> int:
        return len(valeur) if isinstance(valeur, list | dict) else 0

    if entree.evenement == "chargement":
        historique = d.get("historique") not in (None, "", AUCUN)
        return (f"{d.get('vague') or 'vague'} : {_liste(d.get('entrees'))} fichier(s)"
                + (", avec l'historique des lauréats" if historique else ", sans historique"))
    if entree.evenement == "methode":
        choisie = d.get("methode choisie")
        return str(d.get("methode", "")) + (f", retenue : {choisie}" if choisie else "")
    if entree.evenement in ("retenir", "ecarter", "annuler"):
        return f"{d.get('dossier', '')} : {d.get('raison', '')}"
    if entree.evenement == "reviser":
        return (f"{d.get('dossier', '')}, juré {d.get('jure', '')}, critère "
                f"{d.get('critere', '')} : {valeur_en_clair(d.get('avant'))} → "
                f"{valeur_en_clair(d.get('apres'))} ({d.get('raison', '')})")
    if entree.evenement == "allocation":
        score = d.get("score_total")
        return (f"{_liste(d.get('laureats'))} lauréats, score total "
                f"{decimal(float(score)) if isinstance(score, int | float) else score}, "
                f"méthode : {libelle(METHODES, d.get('methode'))} ; "
                f"{_liste(d.get('sorties'))} fichier(s) écrit(s)")
    if entree.evenement == "enregistrement":
        return f"vague {d.get('vague', '')} : {_liste(d.get('laureats'))} lauréats ajoutés"
    if entree.evenement == "journal_ignore":
        return f"raison : {d.get('raison', '')}"
    if entree.evenement == "import_ds":
        return (f"démarche {d.get('demarche', '')} : {d.get('dossiers_importes', 0)} dossier(s)"
                f" importé(s) sur {d.get('dossiers_lus', 0)} lu(s)")
    if entree.evenement == "ds_publication":
        return (f"{d.get('dossier', '')} (démarche {d.get('demarche', '')}) : "
                f"{d.get('resultat', '')}")
    return ", ".join(f"{k} : {v}" for k, v in d.items() if not isinstance(v, dict | list))


def journaliser_allocation(journal: Journal, resultat: Resultat,
                           sorties: Mapping[str, str]) -> Entree:
    """Record a decision: method, the jury's decisions, the revised notes, the laureates,
    the total and the SHA-256 of every file written (``sorties``: name → SHA-256)."""
    parametres = resultat.parametres
    return journal.ajouter("allocation", {
        "methode": resultat.scores.methode_effective,
        "laureats": list(resultat.allocation.laureats),
        "score_total": au_micro_point(resultat.allocation.score_total),
        "imposes": dict(parametres.forces), "ecartes": dict(parametres.exclus),
        "notes_revisees": len(parametres.revisions),
        "sorties": dict(sorties)})


@dataclass(frozen=True)
class AccesJournal:
    """Whether a command may go on with a wave's journal, and the meeting it holds."""

    autorise: bool
    message: str
    seance: Seance
    journal: Journal


def _vague_du_journal(lisibles: Sequence[Entree]) -> str | None:
    """The wave the journal's last loading names (None before any), among its readable
    entries (:meth:`Journal.lisibles`)."""
    chargements = [e for e in lisibles if e.evenement == "chargement"]
    return str(chargements[-1].donnees.get("vague") or "") or None if chargements else None


def ouvrir_journal(journal: Journal, ignorer: str | None = None,
                   vague: str | None = None) -> AccesJournal:
    """Check the journal before a decision is taken or recorded. A broken chain stops the
    command unless ``ignorer`` gives a reason: the override is journalled, and the broken
    journal's meeting is then not used. A journal whose loadings name another wave than
    ``vague`` (``--journal`` pointing elsewhere) is refused: its decisions are not this
    wave's."""
    lu = journal.lire()
    autre = _vague_du_journal(lu.lisibles) if vague else None
    if autre is not None and autre != vague:
        return AccesJournal(False, f"le journal {journal.chemin} est celui de la vague « "
                            f"{autre} », pas de « {vague} » : ses décisions ne sont pas celles "
                            "de cette vague ; donnez le journal de la vague (--journal).",
                            Seance(), journal)
    verification = lu.verification
    if verification.intact:
        return AccesJournal(True, verification.message, seance_de(lu.entrees), journal)
    if ignorer is None or not ignorer.strip():
        return AccesJournal(False, f"{verification.message} Vérifiez-le avec « fabriques "
                            "journal VAGUE --verifier » ; pour passer outre, donnez "
                            "--ignorer-journal RAISON (la raison sera journalisée).", Seance(),
                            journal)
    outre = replace(journal, passer_outre=True)
    avant = seance_de(lu.entrees)  # the readable entries, before the break
    outre.ajouter("journal_ignore", {"raison": ignorer.strip(),
                                     "alteration": verification.message})
    perdues = (f" La séance qu'il porte n'est pas appliquée : {len(avant.forces)} dossier(s) "
               f"retenu(s), {len(avant.exclus)} écarté(s) et {len(avant.revisions)} note(s) "
               "révisée(s) avant l'altération sont ignorés." if not avant.vide else "")
    return AccesJournal(True, f"{verification.message} Ignoré : {ignorer.strip()} "
                        f"(journalisé).{perdues}", Seance(), outre)


# --------------------------------------------------------------------------- the agenda


def agenda(resultat: Resultat, incertitude: Incertitude) -> pd.DataFrame:
    """The meeting's agenda for a decided wave (:func:`allocation.analyses.seance.
    ordre_du_jour`), the dossiers' intervals beside them. Leave-one-juror-out and the
    methods are solved; the bootstrap is not (the agenda needs no draw)."""
    parametres = resultat.parametres
    analyses = robustesse(resultat.vague, resultat.probleme, parametres.methode,
                          dict(parametres.poids) or None, tirages=0, processus=1)
    table = ordre_du_jour(resultat.probleme, resultat.allocation, incertitude.zone, analyses)
    intervalles = incertitude.table.set_index("dossier")
    for colonne in ("score_bas_90", "score_haut_90", "probabilite_selection"):
        table[colonne] = table["dossier"].map(intervalles[colonne])
    return table


def notes_du_dossier(vague: Vague, resultat: Resultat, dossier: str) -> pd.DataFrame:
    """A dossier's notes by juror (rows) and criterion (columns) as they count now, a
    déported juror marked « déporté », and the jurors' comments."""
    notes = resultat.vague.notes
    siennes = notes[notes["dossier"] == dossier]
    criteres = vague.ids_criteres
    lignes = []
    for jure in vague.jury:
        ligne: dict[str, object] = {"juré": jure.jure, "nom": jure.nom}
        if (jure.jure, dossier) in vague.deports:
            ligne.update(dict.fromkeys(criteres, "déporté"))
            ligne["commentaire"] = ""
        else:
            a_lui = siennes[siennes["jure"] == jure.jure]
            if a_lui.empty:
                continue
            valeurs = dict(zip(a_lui["critere"], a_lui["note"], strict=True))
            ligne.update({c: valeurs.get(c, "") for c in criteres})
            commentaires = a_lui["commentaire"].dropna().astype(str) if (
                "commentaire" in a_lui) else pd.Series(dtype=str)
            ligne["commentaire"] = " ".join(dict.fromkeys(c for c in commentaires if c.strip()))
        lignes.append(ligne)
    return pd.DataFrame(lignes, columns=["juré", "nom", *criteres, "commentaire"])
