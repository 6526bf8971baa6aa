"""Documents: a PDF shown as a viewer shows it (slides page by page, or a document scrolled in a window)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from vidcls.devset.clips import OUT_FPS

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
