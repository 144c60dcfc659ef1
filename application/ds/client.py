"""The démarches-simplifiées API v2 over HTTP (httpx): one POST per GraphQL document, with
the administrator's token as ``Authorization: Bearer token=…``.

The token is secret: it lives in a :class:`Jeton` whose ``repr`` hides it, it is sent in the
one header and nowhere else, and every message this module produces is passed through
:meth:`Jeton.masquer` (an error echoing a request must not echo the token). Network faults
(timeouts, refused connections, 5xx and 429 answers) are retried with exponential backoff;
an expired or refused token, or a GraphQL error, stops at once with a French message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import httpx

#: The platform's endpoint (SPEC §5), overridden by ``FABRIQUES_DS_URL`` (a local server in
#: the tests, a pre-production host).
URL_PAR_DEFAUT = "https://www.demarches-simplifiees.fr/api/v2/graphql"
VARIABLE_URL = "FABRIQUES_DS_URL"
VARIABLE_JETON = "FABRIQUES_DS_JETON"
#: The secretariat's dates (« depuis le 2 novembre ») are Paris time unless said otherwise.
FUSEAU = ZoneInfo("Europe/Paris")
#: The schema the documents were written and tested against (tests/ds/PROVENANCE.md).
VERSION_SCHEMA = "app/graphql/schema.graphql, commit e1338d79 du 2026-01-15"


class ErreurDS(Exception):
    """A failure talking to démarches-simplifiées, with a French message (no token in it)."""


#: An answer whose shape is not the schema's (a field missing, a list for an object).
REPONSE_INATTENDUE = ("démarches-simplifiées a envoyé une réponse inattendue, d'une autre forme "
                      "que celle de son schéma : rien n'a été remplacé. Réessayez plus tard ; "
                      "si cela persiste, l'API a peut-être changé.")


@dataclass(frozen=True)
class Jeton:
    """An API token. Never printed: ``repr`` and ``str`` show stars."""

    valeur: str = field(repr=False)

    def __str__(self) -> str:
        return "****"

    def masquer(self, texte: str) -> str:
        """``texte`` with every occurrence of the token replaced by stars."""
        return texte.replace(self.valeur, "****") if self.valeur else texte


def jeton_depuis_environnement(demander: Callable[[str], str] | None = None) -> Jeton | None:
    """The token from ``FABRIQUES_DS_JETON``, else from ``demander`` (an interactive prompt
    that does not echo, such as ``getpass.getpass``); None when neither gives one."""
    valeur = os.environ.get(VARIABLE_JETON, "").strip()
    if not valeur and demander is not None:
        valeur = demander("Jeton de l'API démarches-simplifiées (non affiché) : ").strip()
    return Jeton(valeur) if valeur else None


def url_api() -> str:
    """The endpoint: ``FABRIQUES_DS_URL`` when set, else the platform's."""
    return os.environ.get(VARIABLE_URL, "").strip() or URL_PAR_DEFAUT


@dataclass
class ClientDS:
    """Sends GraphQL documents to one endpoint with one token.

    ``tentatives``: attempts per document for network faults; the waits between them double
    from ``attente_initiale`` seconds (a 429's ``Retry-After`` is honoured, capped at
    ``attente_max``). ``appels`` counts the requests sent (the bench and the tests read it).
    """

    jeton: Jeton
    url: str = field(default_factory=url_api)
    tentatives: int = 4
    attente_initiale: float = 1.0
    attente_max: float = 30.0
    delai: float = 30.0
    transport: httpx.BaseTransport | None = None
    appels: int = 0
    _session: httpx.Client | None = field(default=None, repr=False)

    def _http(self) -> httpx.Client:
        if self._session is None:
            self._session = httpx.Client(
                timeout=self.delai, transport=self.transport,
                headers={"Authorization": f"Bearer token={self.jeton.valeur}",
                         "Content-Type": "application/json"})
        return self._session

    def fermer(self) -> None:
        """Close the HTTP connection."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> ClientDS:
        return self

    def __exit__(self, *_: object) -> None:
        self.fermer()

    def executer(self, document: str, variables: Mapping[str, Any],
                 reessayer: bool = True) -> dict[str, Any]:
        """The ``data`` of the answer to ``document``; :class:`ErreurDS` on failure.
        ``reessayer`` False (a mutation): one attempt only, since a request that timed out
        may have been carried out; the idempotent publication is run again instead."""
        derniere = ""
        tentatives = self.tentatives if reessayer else 1
        for tentative in range(tentatives):
            if tentative:
                time.sleep(min(self.attente_max, self.attente_initiale * 2 ** (tentative - 1)))
            try:
                self.appels += 1
                reponse = self._http().post(self.url, json={"query": document,
                                                            "variables": dict(variables)})
            except httpx.TimeoutException:
                derniere = f"délai de {self.delai:g} s dépassé"
                continue
            except httpx.TransportError as erreur:
                derniere = f"connexion impossible ({type(erreur).__name__})"
                continue
            if reponse.status_code in (401, 403):
                raise ErreurDS(
                    "Jeton refusé par démarches-simplifiées (expiré, révoqué, ou sans accès à "
                    "cette démarche) : créez-en un dans votre profil administrateur et "
                    f"donnez-le par {VARIABLE_JETON}.")
            if reponse.status_code == 429 or reponse.status_code >= 500:
                derniere = f"réponse HTTP {reponse.status_code}"
                attente = reponse.headers.get("Retry-After", "")
                if attente.isdigit():
                    time.sleep(min(self.attente_max, float(attente)))
                continue
            if reponse.status_code != 200:
                raise ErreurDS(self.jeton.masquer(
                    f"démarches-simplifiées a répondu HTTP {reponse.status_code}."))
            try:
                contenu = reponse.json()
            except ValueError:
                raise ErreurDS("Réponse illisible de démarches-simplifiées (pas du JSON).")\
                    from None
            if not isinstance(contenu, dict) or not isinstance(contenu.get("data", {}),
                                                                dict | None):
                raise ErreurDS(REPONSE_INATTENDUE)
            erreurs = contenu.get("errors") or []
            if erreurs:
                messages = "; ".join(str(e.get("message", e)) for e in erreurs)
                raise ErreurDS(self.jeton.masquer(
                    f"démarches-simplifiées a refusé la requête : {messages}"))
            return dict(contenu.get("data") or {})
        raise ErreurDS(self.jeton.masquer(
            f"démarches-simplifiées n'a pas répondu après {tentatives} tentative(s) "
            f"(dernière : {derniere})."
            + (" Rien n'a été remplacé ; réessayez plus tard." if reessayer else
               " L'opération a pu être faite ou non : relancez la publication, qui ne "
               "refait que ce qui manque.")))
