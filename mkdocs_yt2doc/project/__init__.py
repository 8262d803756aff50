"""Front-end: a project's own commands. `mkdocs-yt2doc init`, a new project that builds at
once; `mkdocs-yt2doc build`, a Zensical site in one command (render, `zensical build` with the
archive's navigation, the search index).

Takes in: a folder and a generator (init); the site's zensical.toml or mkdocs.yml (build).
Gives out: the project's files, never over one that exists, and the example talk's cache
entries made from its caption file (init); the built site with its search index (build).
Must not import: cli.
"""
