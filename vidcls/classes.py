"""What the four content classes mean: one-line definitions and the closed list of sub-kinds.

docs/classes.md is the taxonomy in full (what each sub-kind covers, the labelling rules for the
hard cases and why); this module holds the parts code needs, so the web page shows the same
definitions the doc gives and the dev set's ``subkind`` column can be checked against the list.
``tests/test_classes.py`` checks that the doc and this module say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidcls.errors import VidclsError
from vidcls.schema import PREDECESSOR_CLASS_NAMES


@dataclass(frozen=True)
class ContentClass:
    """One class: its name, a one-line definition and its sub-kinds (slugs used in manifests)."""

    name: str
    definition: str
    subkinds: tuple[str, ...]


TAXONOMY: tuple[ContentClass, ...] = (
    ContentClass(
        "Animation",
        "Moving pictures that were drawn, rendered or generated rather than filmed: cartoons, anime, "
        "3-D CGI, stop-motion, motion graphics and stylised AI video; nobody is playing it as a game.",
        ("cartoon-2d", "anime", "cgi-3d", "stop-motion", "motion-graphics", "ascii-art", "ai-generated"),
    ),
    ContentClass(
        "Flat_Content",
        "Screens and people presenting: slides, documents, terminals, desktops, charts and talking heads; "
        "the picture changes little, and what changes is text, a pointer, a plot or a speaker's face.",
        ("slides", "document", "terminal", "desktop", "chart-plot", "whiteboard", "talking-head", "lecture-inset"),
    ),
    ContentClass(
        "Gaming",
        "A video game being played: gameplay and game screen recordings, with HUDs, synthetic worlds and "
        "on-screen motion that follows a player's input.",
        (
            "retro-2d",
            "modern-2d",
            "3d-first-person",
            "3d-third-person",
            "top-down-strategy",
            "low-res-capture",
            "cutscene",
        ),
    ),
    ContentClass(
        "Natural_Content",
        "Real-world camera footage of places, nature, objects, people doing things and events, where the "
        "scene and the camera move as they do in life.",
        ("outdoor", "street-camera", "nature", "indoor", "sports", "archival-film", "photoreal-synthetic"),
    ),
)

#: Class name -> its one-line definition (the web page shows these).
CLASS_DEFINITIONS: dict[str, str] = {c.name: c.definition for c in TAXONOMY}
#: Class name -> its sub-kind slugs, in the doc's order.
SUBKINDS: dict[str, tuple[str, ...]] = {c.name: c.subkinds for c in TAXONOMY}

assert tuple(CLASS_DEFINITIONS) == PREDECESSOR_CLASS_NAMES, "the taxonomy defines the predecessor's four classes"


def check_subkind(label: str, subkind: str) -> None:
    """Raise a one-line error unless ``subkind`` is one of ``label``'s sub-kinds in docs/classes.md."""
    if label not in SUBKINDS:
        raise VidclsError(f"unknown class {label!r}; docs/classes.md defines {', '.join(SUBKINDS)}")
    if subkind not in SUBKINDS[label]:
        raise VidclsError(
            f"sub-kind {subkind!r} is not one of {label}'s ({', '.join(SUBKINDS[label])}); see docs/classes.md"
        )
