"""vidcls/classes.py and docs/classes.md say the same thing (definitions, sub-kinds), so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vidcls.classes import CLASS_DEFINITIONS, SUBKINDS, TAXONOMY, check_subkind
from vidcls.errors import VidclsError
from vidcls.schema import PREDECESSOR_CLASS_NAMES

ROOT = Path(__file__).resolve().parents[1]


def doc_sections() -> dict[str, str]:
    """``## <Class>`` section bodies of docs/classes.md, for the four classes."""
    text = (ROOT / "docs" / "classes.md").read_text()
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    return {name: body for name, body in sections.items() if name in PREDECESSOR_CLASS_NAMES}


def test_the_doc_defines_the_four_classes_in_the_modules_words() -> None:
    sections = doc_sections()
    assert list(sections) == list(PREDECESSOR_CLASS_NAMES) == [c.name for c in TAXONOMY]
    for name, body in sections.items():
        definitions = re.findall(r"^\*\*Definition:\*\* (.+)$", body, flags=re.MULTILINE)
        assert definitions == [CLASS_DEFINITIONS[name]], f"{name}'s definition differs from vidcls/classes.py"


def test_the_docs_sub_kind_tables_are_the_modules_lists() -> None:
    for name, body in doc_sections().items():
        slugs = tuple(re.findall(r"^\| `([a-z0-9-]+)` \|", body, flags=re.MULTILINE))
        assert slugs == SUBKINDS[name], f"{name}: docs/classes.md lists {slugs}, vidcls/classes.py {SUBKINDS[name]}"


def test_sub_kinds_are_unique_slugs_across_classes() -> None:
    every = [s for kinds in SUBKINDS.values() for s in kinds]
    assert len(every) == len(set(every)), "a sub-kind names one class"
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in every)
    assert {"talking-head", "motion-graphics", "low-res-capture", "cgi-3d", "lecture-inset"} <= set(every)


def test_check_subkind_accepts_the_list_and_refuses_the_rest_in_one_line() -> None:
    check_subkind("Flat_Content", "talking-head")
    for label, subkind in (("Natural_Content", "talking-head"), ("Gaming", "nope"), ("Cartoons", "anime")):
        with pytest.raises(VidclsError, match=r"docs/classes\.md") as err:
            check_subkind(label, subkind)
        assert "\n" not in str(err.value)


def test_readme_links_the_taxonomy() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme.count("(docs/classes.md)") >= 2, "the README links docs/classes.md near the classes and in its table"
