"""Where sourcekeep keeps its data: the home directory and the database URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "SOURCEKEEP_HOME"
DATABASE_ENV = "SOURCEKEEP_DATABASE_URL"


def default_home() -> Path:
    """The per-user data directory, ``$XDG_DATA_HOME/sourcekeep`` by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sourcekeep"


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str

    collection: str = "sourcekeep"

    @property
    def collection_dir(self) -> Path:
        """A pywb-style collection: ``archive/`` holds WARCs, ``indexes/`` the CDXJ index."""
        return self.home / "collections" / self.collection

    @property
    def warc_dir(self) -> Path:
        return self.collection_dir / "archive"

    @property
    def index_dir(self) -> Path:
        return self.collection_dir / "indexes"


def load_settings(home: str | Path | None = None) -> Settings:
    """Resolve the home (argument, ``SOURCEKEEP_HOME``, per-user default) and the database."""
    resolved = Path(home or os.environ.get(HOME_ENV) or default_home()).expanduser()
    url = os.environ.get(DATABASE_ENV) or f"sqlite:///{resolved / 'sourcekeep.db'}"
    return Settings(home=resolved, database_url=normalize_database_url(url))
