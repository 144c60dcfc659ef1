"""What the front ends load and name: the wave, its programme and history, the reference
tables. The reading itself is :mod:`lecture`'s; the front ends reach it only through here
(the import-linter contract « Les interfaces ne passent que par le service »)."""

from lecture.chargement import Chargement, charger, charger_televersement
from lecture.historique import historique_vide, lire_ancres
from lecture.modele import Critere, Jure, LectureVague, Vague
from lecture.programme import Regles, trouver_fichier
from lecture.referentiel import departements, departements_geojson
from lecture.vague import lire_vague, nom_de_vague, numero_de_vague

__all__ = [
    "Chargement",
    "Critere",
    "Jure",
    "LectureVague",
    "Regles",
    "Vague",
    "charger",
    "charger_televersement",
    "departements",
    "departements_geojson",
    "historique_vide",
    "lire_ancres",
    "lire_vague",
    "nom_de_vague",
    "numero_de_vague",
    "trouver_fichier",
]
