"""`mkdocs serve`: the plugin survives rebuilds and watches talks.yml and the cache."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

from tests.conftest import build_site, write_site


def test_serve_keeps_the_plugin_and_watches_its_files(tmp_path: Path) -> None:
    talks = {"talks": [{"url": "https://example.org/a.mp3", "title": "A"}]}
    config_file = write_site(tmp_path / "p", talks, transcribe="never")
    first = build_site(config_file).plugins["yt2doc"]
    again = load_config(str(config_file)).plugins["yt2doc"]
    assert again is first  # on_startup: MkDocs reuses the object across serve rebuilds

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        config = load_config(str(config_file))
        config.plugins.on_config(config)
        config.plugins.on_serve(server, config=config, builder=lambda: None)
        watched = set(server._watched_paths)
    finally:
        server.server_close()
    assert str((tmp_path / "p" / "talks.yml").resolve()) in watched
    assert str((tmp_path / "p" / ".yt2doc").resolve()) in watched
