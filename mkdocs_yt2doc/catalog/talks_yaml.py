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
        raise TalksYAMLError(_yaml_message(name, exc, text)) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise TalksYAMLError(f"{name}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, node


def _yaml_message(name: str, exc: yaml.MarkedYAMLError, text: str) -> str:
    """Where the broken construct starts (what the user must fix), then what went wrong; an
    indentation mistake says so, at the line to re-indent."""
    indentation = _indentation(name, exc, text)
    if indentation:
        return indentation
    first = exc.context_mark or exc.problem_mark
    where = f"{name}:{first.line + 1}:{first.column + 1}" if first else name
    what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
    if exc.context_mark and exc.problem_mark:
        what += f" (line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1})"
    return f"{where}: invalid YAML: {what}"


def _content_lines(text: str, before: int) -> list[tuple[int, str]]:
    """(number, line) of the lines above line `before` (0-based) that hold more than a
    comment, nearest first."""
    lines = text.splitlines()[:before]
    found = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    return [(n, line) for n, line in reversed(found) if not line.strip().startswith("#")]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_column(line: str) -> int:
    """Where the line's key starts: after the dash of a list item."""
    rest = line.lstrip(" ")
    return _indent(line) + (len(rest) - len(rest[1:].lstrip(" ")) if rest[:2] == "- " else 0)


def _indentation(name: str, exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """The message for the mistakes of indentation PyYAML and libyaml report, or None."""
    problem, mark = str(exc.problem or ""), exc.problem_mark
    if mark is None:
        return None
    number = mark.line + 1
    line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    if "tab" in problem or "'\\t'" in problem:
        return f"{name}:{number}: bad indentation: a tab character; YAML indents with spaces only"
    above = _content_lines(text, mark.line)
    if "mapping values are not allowed" in problem:
        if not above:
            return None
        previous_number, previous = above[0]
        value = previous.split("#", 1)[0].rstrip()
        if _indent(line) > _key_column(previous) and not value.endswith(":"):
            return (
                f"{name}:{number}: bad indentation: line {number} is indented further than "
                f"line {previous_number}, so YAML reads it as the rest of that line's value; "
                "line its key up with the keys above it"
            )
        return (
            f"{name}:{number}:{mark.column + 1}: a ': ' inside a value that has no quotes; "
            'put the value in quotes ("...")'
        )
    context = str(exc.context or "")
    if context.startswith("while parsing a block") and (
        "expected key" in problem or "indicator" in problem or "<block end>" in problem
    ):
        levels = {_indent(row) for _, row in above} | {_key_column(row) for _, row in above}
        spaces = _indent(line)
        return (
            f"{name}:{number}: bad indentation: line {number} is indented {spaces} "
            f"space{'s' if spaces != 1 else ''}, which lines up with no line above it (they "
            "are indented "
            f"{', '.join(map(str, sorted(levels)))}); indent it as the lines it belongs with"
        )
    return None


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
        raise TalksYAMLError(_yaml_message(name, exc, text)) from None
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
