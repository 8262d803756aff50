"""The project's configuration, for `prefetch`, `status`, `correct` and `render`: a mkdocs.yml
that uses the plugin, a zensical.toml or a yt2doc.yml (named with -f, or found in the working
folder), read as `render` reads it; and the pipeline's settings made from it."""

from __future__ import annotations

from pathlib import Path

from ..config import settings_from_config
from ..pipeline.settings import PipelineSettings
from ..publish import OPTIONS_FILE, Site, load_site
from ..records.errors import Yt2DocError

MKDOCS, ZENSICAL = "mkdocs.yml", "zensical.toml"


def find_config() -> str:
    """The configuration in the working folder: a mkdocs.yml that uses the plugin, else
    zensical.toml, else yt2doc.yml (a mkdocs.yml without the plugin reads the yt2doc.yml
    beside it)."""
    here = Path.cwd()
    present = [n for n in (MKDOCS, ZENSICAL, OPTIONS_FILE) if (here / n).is_file()]
    if not present:
        raise Yt2DocError(
            f"no {MKDOCS}, {ZENSICAL} or {OPTIONS_FILE} in {here}: run this in the project's "
            "folder, name its configuration with -f, or start a project with `mkdocs-yt2doc init`"
        )
    if present[:2] == [MKDOCS, ZENSICAL]:
        # both: the mkdocs.yml only if it holds the options (loaded here to find out)
        return MKDOCS if load_site(MKDOCS).options_file.name == MKDOCS else ZENSICAL
    return present[0]


def site_settings(site: Site) -> tuple[PipelineSettings, Path, str]:
    """The pipeline's settings for a site, talks.yml's path, and its name as configured."""
    folders = {"docs_dir": str(site.docs_dir), "site_dir": str(site.site_dir)}
    settings = settings_from_config(site.options, str(site.options_file), folders)
    talks = site.options.talks
    return settings, (site.options_file.parent / talks).resolve(), talks


def project_settings(config_file: str | None) -> tuple[PipelineSettings, Path, str]:
    """site_settings of the file named, or of the one found here."""
    return site_settings(load_site(config_file or find_config()))
