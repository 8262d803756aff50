"""talks.yml as YAML: mappings that know their lines, no duplicate keys, bounded aliases.

A talks.yml comes in through pull requests: parsing must stay linear in the file's size, and a
key written twice must be an error, not a silent replacement.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..records.errors import Yt2DocError
from ..util.escape import has_surrogates


class TalksYAMLError(Yt2DocError):
    """The file is not valid YAML, or not YAML we accept; the message has file and line."""


# Aliases may repeat a value, not multiply a file: the values that the aliases expand to,
# beyond the file's own nodes, are bounded (a 417-byte "billion laughs" expands to millions).
_ALIAS_BUDGET, _ALIAS_FACTOR = 10_000, 4


# libyaml when PyYAML has it (10x faster on a talks.yml of hundreds of talks)
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A SafeLoader whose mappings remember their lines and refuse duplicate keys, and whose
    dates stay text (checked by `_date`, which names the line of a date that is no date)."""


class _LineDict(dict[str, Any]):
    line: int = 0
    lines: dict[str, int]  # key -> the line it is on


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue
        line = key_node.start_mark.line + 1
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key '{key_node.value}' (first on line {seen[key_node.value]}); "
                "the second would silently replace the first",
                key_node.start_mark,
            )  # fmt: skip
        seen[key_node.value] = line
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.lines = {str(k): v for k, v in seen.items()}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _check_aliases(node: yaml.Node, name: str) -> None:
    """Refuse a file whose aliases expand far beyond its size, before anything expands them.

    Counts the values of the tree the aliases make, once per distinct node (linear time)."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    stack, seen = [node], set()
    while stack:  # children before parents, without recursion (deep files are valid YAML)
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        order.append(current)
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
        elif has_surrogates(current.value):  # PyYAML without libyaml reads "\ud800" escapes
            raise TalksYAMLError(
                f"{name}:{current.start_mark.line + 1}: a lone surrogate escape (\\ud800-\\udfff)"
                " cannot be written into a page"
            )
    for current in reversed(order):
        if isinstance(current, yaml.SequenceNode):
            children = current.value
        elif isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        else:
            children = []
        sizes[id(current)] = 1 + sum(sizes.get(id(c), 1) for c in children)
    expanded, budget = sizes[id(node)], _ALIAS_BUDGET + _ALIAS_FACTOR * len(order)
    if expanded > budget:
        raise TalksYAMLError(
            f"{name}: YAML aliases expand to {expanded:,} values from a file of {len(order):,}; "
            "write the values out, or use fewer nested aliases"
        )


def load_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The document (mappings are `_LineDict`s) and its node tree, for item lines."""
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_aliases(node, name)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise TalksYAMLError(_yaml_message(name, exc)) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise TalksYAMLError(f"{name}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, node


def _yaml_message(name: str, exc: yaml.MarkedYAMLError) -> str:
    """Where the broken construct starts (what the user must fix), then what went wrong."""
    first = exc.context_mark or exc.problem_mark
    where = f"{name}:{first.line + 1}:{first.column + 1}" if first else name
    what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
    if exc.context_mark and exc.problem_mark:
        what += f" (line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1})"
    return f"{where}: invalid YAML: {what}"


def item_lines(node: yaml.Node | None) -> list[int]:
    """Lines of the talk items, for bare-URL items (scalars carry no line of their own)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "talks":
                node = value
                break
    if isinstance(node, yaml.SequenceNode):
        return [child.start_mark.line + 1 for child in node.value]
    return []


def check_unique_keys(text: str, name: str) -> None:
    """Refuse a YAML file (a yt2doc.yml, read by MkDocs' own loader) in which a mapping has a
    key twice: composed only, so MkDocs' tags (!ENV, !relative) need no constructor here."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise TalksYAMLError(_yaml_message(name, exc)) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise TalksYAMLError(f"{name}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    stack, seen_nodes = [node] if node is not None else [], set()
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            lines: dict[str, int] = {}
            for key, value in current.value:
                stack.append(value)
                if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":merge"):
                    continue
                line = key.start_mark.line + 1
                if key.value in lines:
                    raise TalksYAMLError(
                        f"{name}:{line}: duplicate key '{key.value}' (first on line "
                        f"{lines[key.value]}); the second would silently replace the first"
                    )
                lines[key.value] = line
