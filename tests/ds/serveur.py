"""A local démarches-simplifiées for the tests: an HTTP server on 127.0.0.1 whose GraphQL
schema is the platform's published one (``ds_schema.graphql``), executed by graphql-core over
dossiers held in memory.

Every request is recorded (its document, variables and ``Authorization`` header) and every
document is validated against the schema; ``pannes`` injects faults, one per request, in
order: ``"500"``, ``"lent"`` (answers after the client's timeout), ``"401"``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_schema, graphql_sync, parse, validate

from sample_waves.plateforme_ds.api import selon_le_document

SCHEMA_DS = Path(__file__).with_name("ds_schema.graphql")
_SCHEMA: GraphQLSchema | None = None


def schema_ds() -> GraphQLSchema:
    """The published schema, built once."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema(SCHEMA_DS.read_text("utf-8"))
    return _SCHEMA


def erreurs_de_validation(document: str) -> list[str]:
    """What the schema finds wrong in ``document`` (empty: valid)."""
    return [e.message for e in validate(schema_ds(), parse(document))]


@dataclass
class Requete:
    """One request the server received."""

    document: str
    variables: dict[str, Any]
    autorisation: str
    operation: str
    erreurs_schema: list[str]

    @property
    def est_mutation(self) -> bool:
        return self.document.lstrip().startswith("mutation")


@dataclass
class PlateformeDS:
    """The démarche's state: dossiers by number, annotation descriptors, instructors."""

    demarche: int
    jeton: str
    dossiers: dict[int, dict[str, Any]] = field(default_factory=dict)
    supprimes: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    instructeurs: list[dict[str, Any]] = field(default_factory=list)
    pannes: list[str] = field(default_factory=list)
    requetes: list[Requete] = field(default_factory=list)
    lenteur: float = 1.0
    _horloge: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    #: The document being executed (the platform's type resolution depends on it).
    document: str = ""

    # ------------------------------------------------------------------ queries
    def _connexion(self, noeuds: list[dict[str, Any]], first: int | None = None,
                   after: str | None = None) -> dict[str, Any]:
        debut = int(after) if after else 0
        fin = debut + (first or 100)
        return {"nodes": noeuds[debut:fin],
                "pageInfo": {"hasNextPage": fin < len(noeuds), "endCursor": str(fin),
                             "hasPreviousPage": debut > 0, "startCursor": str(debut)}}

    def _demarche(self, _info: Any, number: int) -> dict[str, Any] | None:
        if number != self.demarche:
            return None

        def dossiers(_i: Any, first: int | None = None, after: str | None = None,
                     updatedSince: str | None = None, **_: Any) -> dict[str, Any]:
            noeuds = [self._tel_que_demande(self.dossiers[n]) for n in sorted(self.dossiers)
                      if updatedSince is None
                      or self.dossiers[n]["dateDerniereModification"] >= updatedSince]
            return self._connexion(noeuds, first, after)

        def supprimes(_i: Any, first: int | None = None, after: str | None = None,
                      deletedSince: str | None = None, **_: Any) -> dict[str, Any]:
            noeuds = [s for s in self.supprimes
                      if deletedSince is None or s["dateSupression"] >= deletedSince]
            return self._connexion(noeuds, first, after)

        return {"id": f"Procedure-{number}", "number": number, "title": "Fabriques de Territoire",
                "dossiers": dossiers, "deletedDossiers": supprimes,
                "groupeInstructeurs": [{"instructeurs": self.instructeurs}],
                "activeRevision": {"annotationDescriptors": self.annotations}}

    def _dossier(self, _info: Any, number: int) -> dict[str, Any] | None:
        noeud = self.dossiers.get(number)
        return None if noeud is None else self._tel_que_demande(noeud)

    def _tel_que_demande(self, noeud: dict[str, Any]) -> dict[str, Any]:
        """The champs typed as the platform types them for this query (a yes/no champ is a
        CheckboxChamp unless the query has a fragment on YesNoChamp…)."""
        return selon_le_document(noeud, self.document)

    # ---------------------------------------------------------------- mutations
    def horodatage(self) -> str:
        """A later date at each call (the platform's clock in the tests)."""
        k = next(self._horloge)
        return f"2027-01-01T{k // 3600:02d}:{k // 60 % 60:02d}:{k % 60:02d}Z"

    def _par_id(self, identifiant: str) -> dict[str, Any]:
        return next(d for d in self.dossiers.values() if d["id"] == identifiant)

    def _changer_etat(self, entree: dict[str, Any], depuis: tuple[str, ...], vers: str,
                      motivation: str | None = None) -> dict[str, Any]:
        dossier = self._par_id(entree["dossierId"])
        if dossier["state"] not in depuis:
            return {"errors": [{"message": f"Le dossier est {dossier['state']}"}]}
        dossier["state"] = vers
        dossier["motivation"] = motivation
        dossier["dateDerniereModification"] = self.horodatage()
        return {"errors": None}

    def _annoter(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        dossier = self._par_id(input["dossierId"])
        descripteurs = {a["id"]: a for a in self.annotations}
        for annotation in input["annotations"]:
            descripteur = descripteurs[annotation["id"]]
            valeur = next(iter(annotation["value"].values()))
            existante = next((a for a in dossier["annotations"]
                              if a["champDescriptorId"] == annotation["id"]), None)
            if existante is None:
                existante = {"id": f"Champ-{annotation['id']}-{dossier['number']}",
                             "champDescriptorId": annotation["id"],
                             "__typename": descripteur["__typename"].replace("Descriptor", ""),
                             "label": descripteur["label"]}
                dossier["annotations"].append(existante)
            existante["stringValue"] = str(valeur)
        dossier["dateDerniereModification"] = self.horodatage()
        return {"errors": None}

    def racine(self) -> dict[str, Any]:
        """The root value: queries and mutations."""
        return {
            "demarche": self._demarche,
            "dossier": self._dossier,
            "dossierPasserEnInstruction": lambda _i, input: self._changer_etat(
                input, ("en_construction",), "en_instruction"),
            "dossierAccepter": lambda _i, input: self._changer_etat(
                input, ("en_instruction",), "accepte", input.get("motivation")),
            "dossierRefuser": lambda _i, input: self._changer_etat(
                input, ("en_instruction",), "refuse", input.get("motivation")),
            "dossierModifierAnnotations": self._annoter,
        }

    def executer(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Execute ``document`` over the démarche, as the endpoint answers it."""
        self.document = document
        resultat = graphql_sync(schema_ds(), document, root_value=self.racine(),
                                variable_values=variables)
        contenu: dict[str, Any] = {"data": resultat.data}
        if resultat.errors:
            contenu["errors"] = [{"message": e.message} for e in resultat.errors]
        return contenu

    @property
    def mutations(self) -> list[Requete]:
        return [r for r in self.requetes if r.est_mutation]


def _gestionnaire(plateforme: PlateformeDS) -> type[BaseHTTPRequestHandler]:
    class Gestionnaire(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def _repondre(self, statut: int, contenu: dict[str, Any]) -> None:
            corps = json.dumps(contenu).encode()
            self.send_response(statut)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(corps)))
            self.end_headers()
            self.wfile.write(corps)

        def do_POST(self) -> None:
            longueur = int(self.headers.get("Content-Length", "0"))
            corps = json.loads(self.rfile.read(longueur))
            document, variables = corps["query"], corps.get("variables") or {}
            erreurs = erreurs_de_validation(document)
            operation = parse(document).definitions[-1]
            nom = getattr(getattr(operation, "name", None), "value", "")
            plateforme.requetes.append(Requete(document, variables,
                                               self.headers.get("Authorization", ""), nom,
                                               erreurs))
            panne = plateforme.pannes.pop(0) if plateforme.pannes else None
            if panne == "500":
                return self._repondre(500, {"error": "Internal Server Error"})
            if panne == "lent":
                time.sleep(plateforme.lenteur)
                return self._repondre(500, {"error": "trop tard"})
            attendu = f"Bearer token={plateforme.jeton}"
            if panne == "401" or self.headers.get("Authorization") != attendu:
                return self._repondre(401, {"errors": [{"message": "Unauthorized"}]})
            if erreurs:
                return self._repondre(200, {"errors": [{"message": m} for m in erreurs]})
            return self._repondre(200, plateforme.executer(document, variables))

    return Gestionnaire


def serveur_ds(plateforme: PlateformeDS) -> AbstractContextManager[str]:
    """Serve ``plateforme`` on 127.0.0.1; yields the endpoint's URL."""
    return servir(_gestionnaire(plateforme))


@contextmanager
def servir(gestionnaire: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``gestionnaire`` on 127.0.0.1 as the platform's GraphQL endpoint; yields its
    URL."""
    serveur = ThreadingHTTPServer(("127.0.0.1", 0), gestionnaire)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    try:
        yield f"http://127.0.0.1:{serveur.server_address[1]}/api/v2/graphql"
    finally:
        serveur.shutdown()
        serveur.server_close()
