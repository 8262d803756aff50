"""mkdocs-yt2doc: turn a list of talk videos into a searchable, chaptered, timestamped archive.

Importing this package must stay cheap: the heavy libraries (faster_whisper, ctranslate2,
wtpsplit, yt_dlp) are imported inside the stage that needs them, so a build that only renders
cached talks never loads them.
"""

import logging
from importlib.metadata import PackageNotFoundError, version

from .records.errors import Yt2DocError
from .util.escape import LogEscape

__all__ = ["Yt2DocError", "__version__"]

try:
    __version__ = version("mkdocs-yt2doc")
except PackageNotFoundError:  # run from a source tree that is not installed
    __version__ = "0+unknown"

# Every message of the project's logger quotes outside text (titles, file names, errors):
# escaped in one place, so no message can carry a terminal's control sequences.
logging.getLogger("mkdocs.plugins.yt2doc").addFilter(LogEscape())
