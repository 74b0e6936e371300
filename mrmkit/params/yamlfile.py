"""The one reader of the YAML files users give mrmkit (parameter and inventory files).

``yaml.safe_load`` constructs no Python objects, but it still lets a small file cost exponential time and
memory (aliases of aliases, "billion laughs"), recurse without bound, and silently keep the last of two
equal keys. This reader composes the node graph first (aliases are shared nodes there, so composing is
linear in the file), refuses what a parameter file never needs, and only then builds the values:

* a file larger than :data:`MAX_BYTES`;
* nesting deeper than :data:`MAX_DEPTH`;
* a document that would expand (aliases followed) to more than :data:`MAX_NODES` nodes, or to more than
  :data:`MAX_EXPANDED_BYTES` bytes of text (one long string aliased a thousand times is few nodes, but
  gigabytes once the parameters are built and written back);
* a path that is not a regular file (a FIFO, ``/dev/zero``, a socket, a folder): it is opened without
  blocking and checked after opening, and never more than :data:`MAX_BYTES` are read;
* a key given twice in one mapping (YAML 1.2 forbids it; PyYAML keeps the last one);
* anything that is not a scalar, a list or a mapping of the standard YAML tags.

Each refusal is one ``InvalidParameters`` sentence naming the file, the line and the key.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import yaml

from mrmkit.errors import InvalidParameters, shorten

__all__ = ["read_yaml_file", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_EXPANDED_BYTES"]

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 100_000
MAX_EXPANDED_BYTES = 2 * MAX_BYTES


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _check(root: yaml.Node, path: Path) -> None:
    """Depth, expanded size and duplicate keys of a composed document, without expanding any alias."""
    expanded: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases followed
    size: dict[int, int] = {}  # id(node) -> bytes of text it stands for, aliases followed
    # iterative post-order walk: (node, depth, children done)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    on_path: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            expanded[key] = 1 + sum(expanded[id(c)] for c in children)
            size[key] = _own_bytes(node) + sum(size[id(c)] for c in children)
            if expanded[key] > MAX_NODES:
                raise InvalidParameters(
                    f"{path}: the document at line {_line(node)} expands to more than {MAX_NODES:,} values once its "
                    "aliases are followed; a parameter file needs far fewer, so aliases are refused here."
                )
            if size[key] > MAX_EXPANDED_BYTES:
                raise InvalidParameters(
                    f"{path}: the value at line {_line(node)} expands to more than {MAX_EXPANDED_BYTES:,} bytes once its "
                    "aliases are followed; a parameter file needs far less, so aliases are refused here."
                )
            continue
        if key in expanded:
            continue
        if key in on_path:  # a recursive alias (PyYAML composes these for "&a [*a]")
            raise InvalidParameters(f"{path}: line {_line(node)}: an alias refers to the value that contains it.")
        if depth > MAX_DEPTH:
            raise InvalidParameters(f"{path}: line {_line(node)}: values are nested more than {MAX_DEPTH} levels deep.")
        if isinstance(node, yaml.MappingNode):
            _duplicates(node, path)
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in expanded)


def _own_bytes(node: yaml.Node) -> int:
    """Bytes a node's own text costs once built and written back: a scalar's value (UTF-8), a collection's brackets."""
    if isinstance(node, yaml.ScalarNode):
        return len(node.value.encode("utf-8", "surrogatepass")) + 2
    return 2


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _duplicates(node: yaml.MappingNode, path: Path) -> None:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *defaults" merges; its keys may be overridden
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise InvalidParameters(
                f"{path}: line {_line(key_node)}: a key must be a plain name, not a list or mapping."
            )
        name = key_node.value
        if name in seen:
            raise InvalidParameters(
                f"{path}: line {_line(key_node)}: key {shorten(name)} is given twice in the same mapping (first at line "
                f"{seen[name]}); remove one."
            )
        seen[name] = _line(key_node)


def read_yaml_file(path: str | Path, kind: str = "Parameter file") -> Any:
    """The content of a user's YAML file, or one ``InvalidParameters`` sentence naming the file and the line."""
    from mrmkit.files import NotRegularFile, open_fd, problem

    path = Path(path)
    try:
        fd = open_fd(path, MAX_BYTES)
    except FileNotFoundError:
        raise InvalidParameters(f"{kind} {path} does not exist.") from None
    except IsADirectoryError:
        raise InvalidParameters(f"{kind} {path} is a folder, not a file.") from None
    except NotRegularFile as exc:
        raise InvalidParameters(f"{kind} {path} cannot be read: {problem(exc)}.") from None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise InvalidParameters(
                f"{kind} {path} is {path.stat().st_size:,} bytes; a parameter or inventory file is at most "
                f"{MAX_BYTES:,} bytes."
            ) from None
        raise InvalidParameters(f"{kind} {path} cannot be read ({exc.strerror or exc}).") from None
    try:
        data = b""
        while len(data) <= MAX_BYTES and (block := os.read(fd, MAX_BYTES + 1 - len(data))):
            data += block
    except OSError as exc:
        raise InvalidParameters(f"{kind} {path} cannot be read ({exc.strerror or exc}).") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise InvalidParameters(f"{kind} {path} grew past {MAX_BYTES:,} bytes while it was read.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidParameters(f"{kind} {path} cannot be read: it is not UTF-8 text (byte {exc.start:,}).") from None
    if "\x00" in text:
        raise InvalidParameters(f"{kind} {path} contains a NUL byte; it is not a YAML text file.")
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise InvalidParameters(f"{path}: the {kind.lower()} is empty.")
        _check(root, path)
        return loader.construct_document(root)
    except InvalidParameters:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidParameters(f"{path}: YAML syntax error{where}: {shorten(problem, 160)}.") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML cannot build, e.g. the date 2026-02-30
        raise InvalidParameters(f"{path}: a value cannot be read ({shorten(exc, 160)}).") from None
    except RecursionError:
        raise InvalidParameters(f"{path}: values are nested too deeply to read (at most {MAX_DEPTH} levels).") from None
    finally:
        loader.dispose()
