"""The bundle as files: reading a zip or a directory safely, writing deterministic YAML, the manifest.

A bundle is a mapping of relative POSIX paths to bytes. Reading enforces the limits below (a zip
bomb or a path outside the bundle is refused before anything is parsed); writing sorts keys and
files so that exporting the same configuration twice gives byte-identical files (the manifest's
``created`` time aside).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

FORMAT_VERSION = 1
MANIFEST = "manifest.yaml"
MAX_FILES = 2000
MAX_FILE_BYTES = 2 * 1024 * 1024  # one file, uncompressed
MAX_TOTAL_BYTES = 32 * 1024 * 1024  # the whole bundle, uncompressed
MAX_ZIP_BYTES = 16 * 1024 * 1024  # the uploaded zip itself
MAX_RATIO = 200  # uncompressed / compressed size of one member: beyond it, a zip bomb
_SAFE_PART = re.compile(r"^[\w\-.]+$")


@dataclass
class Problem:
    """One problem of a bundle: which file, where in it (a JSON Pointer), and what (zh / en)."""

    file: str
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "path": self.path, "message": self.message}


class BundleError(Exception):
    """The bundle cannot be read at all (not a zip, too big, unsafe paths): every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.file}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class Bundle:
    files: dict[str, bytes] = field(default_factory=dict)

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")


# --- YAML -----------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps (dates stay the strings the bundle wrote) and without
    aliases: ``*ref`` could expand a small file into an exponential one ("billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "别名 (*) 不允许 / aliases (*) are not allowed",
                                              event.start_mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value used twice is written twice: no anchors, and readers refuse aliases


_ODD_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Line breaks other than \n would be folded on reading: written escaped in double quotes.
    if any(c in data for c in _ODD_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=True, default_flow_style=False,
                     width=120, indent=2)
    return text.encode("utf-8")


def load_yaml(content: bytes) -> Any:
    return yaml.load(content.decode("utf-8"), Loader=_Loader)


# --- paths ------------------------------------------------------------------------------------


def safe_name(text: str, *, limit: int = 80) -> str:
    """A file name for a natural key: letters (any script), digits, '-', '_', '.' kept."""
    out = re.sub(r"[^\w\-.]+", "_", text.strip()).strip("._") or "item"
    return out[:limit]


def check_path(name: str) -> str | None:
    """Why ``name`` may not be a bundle path (None: it may)."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return "不安全的路径 / unsafe path"
    parts = PurePosixPath(name).parts
    if any(p in ("..", ".") or not _SAFE_PART.match(p) for p in parts):
        return "不安全的路径 / unsafe path (.., absolute or odd characters)"
    return None


# --- reading ----------------------------------------------------------------------------------


def read_zip(data: bytes) -> Bundle:
    """Read an uploaded zip, refusing unsafe paths, too many or too large files and zip bombs."""
    if len(data) > MAX_ZIP_BYTES:
        raise BundleError([Problem("", "", f"文件超过 {MAX_ZIP_BYTES // 2**20} MB / the zip is larger than "
                                            f"{MAX_ZIP_BYTES // 2**20} MB")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BundleError([Problem("", "", f"不是有效的 zip 文件 / not a valid zip file ({exc})")]) from exc
    problems: list[Problem] = []
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_FILES:
        raise BundleError([Problem("", "", f"文件数超过 {MAX_FILES} / more than {MAX_FILES} files")])
    total = 0
    for info in infos:
        why = check_path(info.filename)
        if why:
            problems.append(Problem(info.filename, "", why))
        if info.file_size > MAX_FILE_BYTES:
            problems.append(Problem(info.filename, "", f"文件超过 {MAX_FILE_BYTES // 2**20} MB / file larger than "
                                                       f"{MAX_FILE_BYTES // 2**20} MB"))
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1_000_000:
            problems.append(Problem(info.filename, "", "压缩比异常（疑似 zip 炸弹）/ suspicious compression ratio "
                                                       "(zip bomb)"))
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        problems.append(Problem("", "", f"解压后超过 {MAX_TOTAL_BYTES // 2**20} MB / more than "
                                        f"{MAX_TOTAL_BYTES // 2**20} MB uncompressed"))
    if problems:
        raise BundleError(problems)
    bundle = Bundle()
    for info in infos:
        # The sizes in the directory can lie: read at most one byte past the limit.
        with archive.open(info) as member:
            content = member.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise BundleError([Problem(info.filename, "", "文件过大 / file too large")])
        bundle.files[info.filename] = content
    return bundle


def read_directory(root: Path) -> Bundle:
    bundle = Bundle()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            bundle.files[path.relative_to(root).as_posix()] = path.read_bytes()
    return bundle


# --- writing ----------------------------------------------------------------------------------


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def write_zip(bundle: Bundle) -> bytes:
    """A zip with the files in sorted order and a fixed timestamp (stable bytes for stable files)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(bundle.files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, bundle.files[name])
    return out.getvalue()


def write_directory(bundle: Bundle, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(bundle.files.items()):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
