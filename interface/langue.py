"""The page in French from its first byte: the served ``index.html`` says ``lang="fr"``, and
what Streamlit draws in English with no option to change it is translated or hidden.

Streamlit has no setting for the page's language: its ``index.html`` says ``<html
lang="en">``, so a screen reader speaks French text with English rules and the browser
offers to translate the page. The app already runs as an ASGI app with a middleware in front
(:mod:`interface.acces`); :class:`PageEnFrancais` is a second one that rewrites that one
attribute of the HTML page it serves. It is the least hacky robust way: the attribute is
right before any script runs (a script setting ``document.documentElement.lang`` would come
after the page is read), nothing in Streamlit's files is patched (an upgrade or a
reinstall cannot undo it), and when Streamlit's markup changes the page is served as is —
the browser test checks the attribute, so it would be seen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Portee = MutableMapping[str, Any]
Recevoir = Callable[[], Awaitable[MutableMapping[str, Any]]]
Envoyer = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: Paths that are never the HTML page (scripts, styles, media, the websocket's endpoints).
_PAS_LA_PAGE = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/")


class PageEnFrancais:
    """ASGI middleware: the HTML page Streamlit serves says ``lang="fr"``."""

    def __init__(self, app: Callable[[Portee, Recevoir, Envoyer], Awaitable[None]]):
        self.app = app

    async def __call__(self, portee: Portee, recevoir: Recevoir, envoyer: Envoyer) -> None:
        chemin = str(portee.get("path", ""))
        if (portee["type"] != "http" or portee.get("method") != "GET"
                or chemin.startswith(_PAS_LA_PAGE)):
            await self.app(portee, recevoir, envoyer)
            return
        # The page uncompressed (it is a few kilobytes): its bytes can then be read.
        portee = {**portee, "headers": [(k, v) for k, v in portee.get("headers", ())
                                        if k.lower() != b"accept-encoding"]}
        debut: MutableMapping[str, Any] | None = None
        morceaux: list[bytes] = []

        async def traduire(message: MutableMapping[str, Any]) -> None:
            nonlocal debut
            if message["type"] == "http.response.start":
                entetes = dict(message.get("headers", ()))
                if b"text/html" in entetes.get(b"content-type", b""):
                    debut = message  # held until the body is whole
                    return
            elif message["type"] == "http.response.body" and debut is not None:
                morceaux.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                corps = b"".join(morceaux).replace(b'<html lang="en"', b'<html lang="fr"', 1)
                nouvelles = [(k, str(len(corps)).encode() if k.lower() == b"content-length"
                            else v) for k, v in debut.get("headers", ())]
                await envoyer({**debut, "headers": nouvelles})
                await envoyer({"type": "http.response.body", "body": corps})
                return
            await envoyer(message)

        await self.app(portee, recevoir, traduire)


#: Streamlit's element toolbars (a table's « Download as CSV », « Search », « Fullscreen »;
#: a chart's « Fullscreen ») cannot be translated: they are hidden, and the tables worth
#: downloading have a French button below them (``etat.tableau(..., telecharger=...)``).
STYLE = """<style>
[data-testid="stElementToolbar"] { display: none !important; }
</style>"""

#: The file uploader's own texts, in French (Streamlit has no option for them): « Drag and
#: drop files here », « 200MB per file », « Browse files » / « Upload ». Also gives the drop
#: zone the ``group`` role its label asks for: Streamlit draws it ``role="presentation"``
#: with an ``aria-label`` and a ``tabindex``, a role conflict (axe-core
#: ``presentation-role-conflict``, RGAA 8.9) that leaves screen readers without its label.
#: Run again whenever Streamlit draws the uploader anew. Remove once Streamlit does both.
#: Streamlit's « Skip to main content » link is said in French too.
SCRIPT = """<script>
(() => {
  if (window.fabriquesEnFrancais) return;
  window.fabriquesEnFrancais = true;
  const textes = [
    [/^Drag and drop files here$/, "Glissez-déposez les fichiers ici"],
    [/^Drag and drop a file here$/, "Glissez-déposez le fichier ici"],
    [/(\\d+)\\s*MB per file/, "$1 Mo par fichier"],
    [/^Browse files$/, "Parcourir"],
    [/^Upload$/, "Parcourir"],
  ];
  const traduire = (racine) => {
    const marcheur = document.createTreeWalker(racine, NodeFilter.SHOW_TEXT);
    for (let n = marcheur.nextNode(); n; n = marcheur.nextNode()) {
      const t = n.nodeValue.trim();
      for (const [motif, francais] of textes) {
        if (motif.test(t)) n.nodeValue = t.replace(motif, francais);
      }
    }
  };
  const corriger = () => {
    // the skip link keyboard and screen-reader users meet first
    document.querySelectorAll("a").forEach((lien) => {
      if (lien.textContent.trim() === "Skip to main content") {
        lien.textContent = "Aller au contenu principal";
      }
    });
    deposer();
  };
  const deposer = () => document
    .querySelectorAll('[data-testid="stFileUploader"]')
    .forEach((depot) => {
      traduire(depot);
      depot.querySelectorAll('[data-testid="stFileUploaderDropzone"][role="presentation"]')
        .forEach((zone) => zone.setAttribute("role", "group"));
    });
  corriger();
  new MutationObserver(corriger).observe(document.body, {
    childList: true, subtree: true, characterData: true, attributes: true,
    attributeFilter: ["role"],
  });
})();
</script>"""
