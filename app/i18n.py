"""Translations from the gettext catalogs in app/locale, read straight from the .po files.

Source strings are English; zh_CN is the default locale. Reading the .po at start-up means no
compile step can be forgotten and a catalog edit shows on the next restart.
"""
from functools import lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("zh_CN", "en")
LANG_COOKIE = "canbao_lang"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the request's locale is known."""
    return message


@lru_cache
def translations(locale: str) -> NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def locale_for(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.app.state.settings.default_locale


def gettext_for(request: Request):
    return translations(locale_for(request)).gettext


def ngettext_for(request: Request):
    return translations(locale_for(request)).ngettext
