"""Data Docs that work offline: the site's CSS/JS served from the data dir, not from CDNs.

Great Expectations' page templates hard-code bootstrap, jQuery, bootstrap-table, Font Awesome, vega…
from public CDNs, and GX 1.x has no setting for local copies. Without network (a government intranet)
the index stays blank (bootstrap-table never fills it) and the validation pages lose their styles and
their Status icons. After every build, ``make_offline`` copies the vendored files (``static/`` beside
this module, see its README for versions and licences) into ``<docs>/static/vendor/`` and rewrites
every page's CDN URLs to relative paths, so the site works from ``file://`` or any local server.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

VENDORED = Path(__file__).parent / "static"
VENDOR_DIR = Path("static") / "vendor"  # inside the Data Docs site

# CDN URL (as GX's templates write it) → vendored file, relative to ``static/``.
CDN_FILES: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/bootstrap-datepicker.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-dark/bootstrap-prefers-dark.min.css"
    ),
}
# GX's logos: the navbar points at a public bucket, though GX copies its own images into static/images/.
GX_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_LOGO = "logo-long.png"

_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
_URL_ATTR = re.compile(r"""\b(src|href)\s*=\s*(["'])(https?://[^"']+)\2""", re.IGNORECASE)
_SRI = re.compile(r"""\s+(?:integrity|crossorigin)\s*=\s*(["'])[^"']*\1""", re.IGNORECASE)
_GX_ASSET = re.compile(re.escape(GX_ASSETS) + r"([\w.-]+)")
# What a page loads by itself (scripts, stylesheets, images, CSS url()): links a person clicks are not requests.
_LOADED_URL = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["'](https?://[^"']+)"""
    r"""|url\(\s*["']?(https?://[^"')]+)""",
    re.IGNORECASE,
)


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _gx_image(site: Path, page: Path, name: str) -> str:
    images = site / "static" / "images"
    return _relative(images / (name if (images / name).is_file() else GX_LOGO), page)


def _rewrite_tag(tag: str, site: Path, page: Path) -> str:
    match = _URL_ATTR.search(tag)
    if match is None or match.group(3) not in CDN_FILES:
        return tag
    local = _relative(site / VENDOR_DIR / CDN_FILES[match.group(3)], page)
    # Subresource integrity and CORS mode are for the CDN: from file:// a crossorigin script is refused.
    tag = _SRI.sub("", tag)
    return tag.replace(match.group(0), f"{match.group(1)}={match.group(2)}{local}{match.group(2)}")


def rewrite_page(text: str, site: Path, page: Path) -> str:
    """One page (HTML or CSS) of the site at ``page``, with CDN URLs pointing at the local copies."""
    text = _TAG.sub(lambda m: _rewrite_tag(m.group(0), site, page), text)
    return _GX_ASSET.sub(lambda m: _gx_image(site, page, m.group(1)), text)


def external_urls(text: str) -> list[str]:
    """The http(s) URLs a page would load by itself (scripts, stylesheets, images, CSS ``url()``)."""
    return [a or b for a, b in _LOADED_URL.findall(text)]


def make_offline(site: Path | None) -> list[str]:
    """Copy the vendored CSS/JS into the Data Docs ``site`` and point every page at it.

    Nothing to do without a site (``None``, or not built). Idempotent: a rewritten page stays as it is.
    Returns the URLs that still leave the machine, as ``page: url`` (none while GX's templates are the
    ones this module knows); each is logged as a warning naming the page, so a GX upgrade that adds a CDN
    shows up instead of a blank page."""
    if site is None or not (site := site.resolve()).joinpath("index.html").is_file():
        return []
    shutil.copytree(VENDORED, site / VENDOR_DIR, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))
    left: list[str] = []
    for page in sorted([*site.rglob("*.html"), *(site / "static" / "styles").glob("*.css")]):
        text = page.read_text(encoding="utf-8")
        new = rewrite_page(text, site, page)
        if new != text:
            page.write_text(new, encoding="utf-8")
        for url in dict.fromkeys(external_urls(new)):
            log.warning("Data Docs: %s still loads %s (no local copy; it will not load offline)", page, url)
            left.append(f"{page.relative_to(site)}: {url}")
    return left
