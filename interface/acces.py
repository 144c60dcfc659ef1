"""Who may see the candidates' data (FAQ 7.7): the password's slow-down after failures, and
the gate in front of the files the app offers for download.

Streamlit serves a download button's file at ``/media/<id>`` to any HTTP request, without
asking which session it comes from; the id is a hash of the content, the same in every
session, and the file outlives the session for a while. So the app runs as an ASGI app
(:class:`streamlit.starlette.App`, which ``streamlit run`` starts as usual) with
:class:`GardeDesFichiers` in front: the browser gets a random cookie with the page, the
script binds that cookie to its session once access is granted (a password typed, or an
app served on this machine only), and a ``/media/`` request is answered only with the
cookie of a session that is still open and was granted access. Anything else: 403.

This module is imported, not run, so its state is one per process, shared by the sessions
(threads) and the gate.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

#: The cookie that ties a browser's requests to its Streamlit sessions.
COOKIE = "fabriques_acces"
#: Wait before the next password check: doubles with each failure in a row, capped.
ATTENTE_PREMIERE, ATTENTE_MAX = 0.5, 30.0
#: Failures older than this are forgotten (seconds).
OUBLI_DES_ECHECS = 15 * 60.0

Portee = MutableMapping[str, Any]
Recevoir = Callable[[], Awaitable[MutableMapping[str, Any]]]
Envoyer = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_verrou = threading.Lock()
_sessions_par_jeton: dict[str, set[str]] = {}


def _session_ouverte() -> Callable[[str], bool]:
    from streamlit.runtime import Runtime

    return Runtime.instance().is_active_session if Runtime.exists() else (lambda _: True)


def autoriser(jeton: str | None, session: str | None) -> None:
    """Grant the browser holding ``jeton`` the files of ``session`` (and forget the
    sessions closed since)."""
    if jeton and session:
        ouverte = _session_ouverte()
        with _verrou:
            for autre in list(_sessions_par_jeton):
                _sessions_par_jeton[autre] = {s for s in _sessions_par_jeton[autre]
                                              if ouverte(s)}
                if not _sessions_par_jeton[autre]:
                    del _sessions_par_jeton[autre]
            _sessions_par_jeton.setdefault(jeton, set()).add(session)


def est_autorise(jeton: str | None) -> bool:
    """True when ``jeton`` belongs to a session granted access and still open."""
    if not jeton:
        return False
    ouverte = _session_ouverte()
    with _verrou:
        return any(ouverte(s) for s in _sessions_par_jeton.get(jeton, ()))


def _prefixe_media() -> str:
    """Where Streamlit serves download buttons' files (under ``server.baseUrlPath``)."""
    from streamlit import config

    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/media/" if base else "/media/"


def _jeton(portee: Portee) -> str | None:
    for nom, valeur in portee.get("headers", ()):
        if nom == b"cookie":
            try:
                morceau = SimpleCookie(valeur.decode("latin-1")).get(COOKIE)
            except CookieError:
                return None
            return morceau.value if morceau else None
    return None


class GardeDesFichiers:
    """ASGI middleware: ``/media/`` only for the cookie of a granted, open session; every
    other answer gives a browser without the cookie a new one."""

    def __init__(self, app: Callable[[Portee, Recevoir, Envoyer], Awaitable[None]]):
        self.app = app

    async def __call__(self, portee: Portee, recevoir: Recevoir, envoyer: Envoyer) -> None:
        if portee["type"] != "http":
            await self.app(portee, recevoir, envoyer)
            return
        jeton = _jeton(portee)
        if str(portee.get("path", "")).startswith(_prefixe_media()):
            if est_autorise(jeton):
                await self.app(portee, recevoir, envoyer)
            else:
                await _refuser(envoyer)
            return
        if jeton:
            await self.app(portee, recevoir, envoyer)
            return
        nouveau = secrets.token_urlsafe(32)
        securise = "; Secure" if portee.get("scheme") == "https" else ""
        entete = f"{COOKIE}={nouveau}; Path=/; HttpOnly; SameSite=Strict{securise}".encode()

        async def avec_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()),
                                                   (b"set-cookie", entete)]}
            await envoyer(message)

        await self.app(portee, recevoir, avec_cookie)


async def _refuser(envoyer: Envoyer) -> None:
    corps = ("Accès refusé : ce fichier n'est servi qu'à la session de l'application qui l'a "
             "demandé, ouverte et connectée.").encode()
    await envoyer({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(corps)).encode()), (b"cache-control", b"no-store")]})
    await envoyer({"type": "http.response.body", "body": corps})


# --------------------------------------------------------------------------- the password


#: Checks that may wait at once: a flood beyond is refused at once rather than queued.
VERIFICATIONS_SIMULTANEES = 4


class Tentatives:
    """Failed passwords in a row, for the whole app (a client's address can be forged):
    each check waits first, and the wait doubles with each failure; a few checks may wait
    at once, none behind another."""

    def __init__(self, attendre: Callable[[float], None] = time.sleep,
                 horloge: Callable[[], float] = time.monotonic):
        self.attendre, self.horloge = attendre, horloge
        self.echecs, self.dernier_echec = 0, 0.0
        self.en_cours = 0  # checks waiting or comparing now
        self._verrou = threading.Lock()

    def attente(self) -> float:
        """Seconds the next check waits."""
        if self.echecs and self.horloge() - self.dernier_echec > OUBLI_DES_ECHECS:
            self.echecs = 0
        return 0.0 if not self.echecs else min(ATTENTE_MAX,
                                               ATTENTE_PREMIERE * 2 ** (self.echecs - 1))

    def verifier(self, saisi: str, attendu: str) -> bool:
        """Wait as the failures so far require, then compare in constant time. The wait is
        decided under the lock but spent outside it: a check never waits behind another
        client's (a flood cannot lock the secretariat out for minutes); beyond
        :data:`VERIFICATIONS_SIMULTANEES` checks at once, one is refused at once."""
        with self._verrou:
            if self.en_cours >= VERIFICATIONS_SIMULTANEES:
                return False
            self.en_cours += 1
            attente = self.attente()
        try:
            self.attendre(attente)
            juste = hmac.compare_digest(saisi.encode(), attendu.encode())
        finally:
            with self._verrou:
                self.en_cours -= 1
        with self._verrou:
            if juste:
                self.echecs = 0
            else:
                self.echecs += 1
                self.dernier_echec = self.horloge()
        return juste


#: The app's one counter.
TENTATIVES = Tentatives()
