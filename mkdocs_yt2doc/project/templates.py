"""The files `mkdocs-yt2doc init` writes, as text: a project that builds at once, offline,
with one example talk (a few seconds of tone with a caption file, cached by init itself)."""

from __future__ import annotations

# The README's install line; [project.urls] in pyproject.toml names the same address.
SOURCE = "https://github.com/mkdocs-yt2doc/mkdocs-yt2doc"
PACKAGE = f"mkdocs-yt2doc @ git+{SOURCE}"
EXAMPLE_MEDIA = "media/welcome.wav"
EXAMPLE_CAPTIONS = "captions/welcome.vtt"
EXAMPLE_SECONDS = 12
WORKFLOW = ".github/workflows/publish.yml"

MKDOCS_YML = """\
# Written by `mkdocs-yt2doc init`. Preview: mkdocs serve   Build: mkdocs build --strict
site_name: Talk archive
# Where the site is published (the workflow in .github/workflows/ sets SITE_URL): canonical
# URLs and Material's instant navigation need it. Unset, the site still works everywhere.
site_url: !ENV SITE_URL
theme:
  name: material
  # No Google Fonts: a reader's browser contacts no third party until they press play.
  font: false
  features:
    - navigation.instant  # the player re-attaches on each page
    - navigation.sections
plugins:
  - search
  - yt2doc:
      talks: talks.yml          # the list of talks (see the comments in it)
      cache_dir: .yt2doc        # transcripts and chapters: commit this folder
      # auto: transcribe uncached talks during the build (the [transcribe] extra, a model);
      # the workflow sets YT2DOC_TRANSCRIBE=never: CI renders what is committed in .yt2doc/.
      transcribe: !ENV [YT2DOC_TRANSCRIBE, auto]
      whisper:
        model: large-v3-turbo   # faster on a CPU: small or base; a Mac: backend: whisper.cpp
        # backend: whisper.cpp  # the [whispercpp] extra; model: a ggml file or its name
      # paragraphs:
      #   sat_model: false      # paragraphs from pauses and sentence ends, no model download
      # llm:
      #   model: llama3.1       # an Ollama model for chapters and titles; unset: offline
"""

ZENSICAL_TOML = """\
# Written by `mkdocs-yt2doc init --generator zensical`.
# Build: mkdocs-yt2doc build   (renders the talks, runs zensical build, indexes the search)
# The archive's options are in yt2doc.yml beside this file.
[project]
site_name = "Talk archive"
# Where the site is published: canonical URLs and instant navigation need it.
# site_url = "https://USER.github.io/REPO/"
docs_dir = "docs"
site_dir = "site"
# "Search the talks for ..." in Zensical's own search box, on every page
extra_javascript = ["talks/assets/yt2doc-site.js"]

[project.theme]
# No Google Fonts: a reader's browser contacts no third party until they press play.
font = false
# prune: each page's navigation holds only its own section, not every talk
features = ["navigation.instant", "navigation.prune", "navigation.sections"]
"""

YT2DOC_YML = """\
# The archive's options (the plugin's, as in mkdocs.yml), read by `mkdocs-yt2doc build`.
talks: talks.yml          # the list of talks (see the comments in it)
cache_dir: .yt2doc        # transcripts and chapters: commit this folder
# auto: transcribe uncached talks while building (the [transcribe] extra, a model); the
# workflow sets YT2DOC_TRANSCRIBE=never: CI renders what is committed in .yt2doc/.
transcribe: !ENV [YT2DOC_TRANSCRIBE, auto]
whisper:
  model: large-v3-turbo   # faster on a CPU: small or base; a Mac: backend: whisper.cpp
# paragraphs:
#   sat_model: false      # paragraphs from pauses and sentence ends, no model download
# llm:
#   model: llama3.1       # an Ollama model for chapters and titles; unset: offline
"""

TALKS_YML = f"""\
# One entry a talk. After adding talks: `mkdocs-yt2doc prefetch` where Whisper runs (a GPU
# machine, a laptop), then commit .yt2doc/; `mkdocs-yt2doc status` shows what is cached.
defaults:
  language: en
talks:
  # The example init made: a few seconds of tone, its text from a caption file, already in
  # the cache. Delete it (and {EXAMPLE_MEDIA}, {EXAMPLE_CAPTIONS}) once you have your own.
  - url: {EXAMPLE_MEDIA}
    title: Welcome to your talk archive
    speakers: [mkdocs-yt2doc]
    date: 2026-01-01
    tags: [example]
    captions: {EXAMPLE_CAPTIONS}  # its text comes from here, not from Whisper
    chapters:
      - {{start: "0:00", title: What the archive does}}
      - {{start: "0:06", title: Adding your talks}}
  # A recording online (YouTube, Vimeo, a podcast feed item, ...):
  # - url: https://www.youtube.com/watch?v=VIDEO_ID
  #   title: The talk's title     # default: the video's
  #   speakers: [A. Speaker]
  #   date: 2026-03-12
  #   event: Meetup 2026
  #   glossary: [Kubernetes]      # words Whisper should expect
"""

CAPTIONS_VTT = """\
WEBVTT

00:00:00.000 --> 00:00:03.000
Welcome to your talk archive.

00:00:03.000 --> 00:00:06.000
Each talk gets a page with chapters, timestamps and a transcript to search.

00:00:06.000 --> 00:00:09.000
Add your own talks to talks.yml and run mkdocs-yt2doc prefetch.

00:00:09.000 --> 00:00:12.000
Then commit the cache folder, and the workflow publishes the site.
"""

INDEX_MD = """\
# Talk archive

The [talks](talks/index.md): each with chapters, timestamps and a searchable transcript.
"""

GITIGNORE = """\
# Written by `mkdocs-yt2doc init`.
# The built site: the workflow builds it again.
site/
# mkdocs-yt2doc build's own configuration for Zensical, made from yours at each build, and
# Zensical's cache
.yt2doc-build.*
.cache/
# The cache (.yt2doc/) is NOT ignored: commit it. It holds the transcripts CI renders, and its
# own .gitignore keeps out what must not be committed.
__pycache__/
.venv/
"""

GITIGNORE_ZENSICAL = (
    GITIGNORE
    + """\
# the archive's pages: `mkdocs-yt2doc build` renders them from the cache each time
docs/talks/
"""
)

_WORKFLOW = """\
# Written by `mkdocs-yt2doc init`: builds the site from the committed cache (no model, no
# transcription) and publishes it on GitHub Pages (Settings > Pages > Source: GitHub Actions).
name: Publish the talk archive
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Install
        run: pip install "{package}"{more}
      - name: Build the cached talks only
        env:
          YT2DOC_TRANSCRIBE: never{env}
        run: {build}
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

# mkdocs.yml reads SITE_URL (`!ENV`); zensical.toml names its site_url itself
_SITE_URL = "\n          SITE_URL: ${{ steps.pages.outputs.base_url }}/"
WORKFLOW_MKDOCS = _WORKFLOW.format(
    package=PACKAGE, more="", env=_SITE_URL, build="mkdocs build --strict"
)
WORKFLOW_ZENSICAL = _WORKFLOW.format(
    package=PACKAGE,
    more=" zensical==0.0.73",  # the version this release was tested with
    env="",
    build="mkdocs-yt2doc build --strict -f zensical.toml",
)
