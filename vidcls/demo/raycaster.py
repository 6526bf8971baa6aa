"""Gaming renderer: a first-person 3-D shooter drawn by a textured raycaster (Wolfenstein/Doom style).

Written here with numpy, no game engine and no game data: a seeded grid map of rooms and pillars,
procedural wall textures (brick, stone, metal panels, wood, tech), textured floor and a ceiling or
sky, distance shading, billboard sprites (monsters, barrels, lamps) behind a depth buffer, a weapon
sprite that bobs while walking and flashes when firing, and a status bar (ammo, health, armour, a
face box, keys). A scripted player walks the map, turning at walls and toward monsters, and shoots.

The frame is rendered at 320×200 (the classic resolution) and stretched to the demo's frame size
the way those games were shown on 4:3 screens.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import font, hsv_to_rgb

VIEW_W, VIEW_H, BAR_H = 320, 168, 32  # 3-D view above a status bar: 320×200 in all
TEX = 64  # texture side, texels
MAP_SIZE = 20
FOV_PLANE = 0.66  # camera plane half-width: a 66° field of view


def _noise(rng: np.random.Generator, size: int, scale: int) -> np.ndarray:
    """Smooth value noise in ``[0, 1]``: coarse random grid, bilinearly enlarged (tileable enough)."""
    coarse = rng.random((size // scale + 1, size // scale + 1))
    img = Image.fromarray((coarse * 255).astype(np.uint8)).resize(
        (size + scale, size + scale), Image.Resampling.BILINEAR
    )
    return np.asarray(img, dtype=np.float32)[:size, :size] / 255.0


def _texture(rng: np.random.Generator, kind: str, base: tuple[int, int, int]) -> np.ndarray:
    """A ``[TEX, TEX, 3]`` float texture of one kind, tinted by ``base``."""
    y, x = np.mgrid[0:TEX, 0:TEX]
    grain = 0.75 + 0.5 * _noise(rng, TEX, 4) * (0.6 + 0.4 * rng.random((TEX, TEX)))
    if kind == "brick":
        rows = TEX // 8
        offset = np.where((y // rows) % 2 == 0, 0, TEX // 8)
        mortar = (y % rows == 0) | ((x + offset) % (TEX // 4) == 0)
        light = np.where(mortar, 0.45, grain)
    elif kind == "stone":
        cells = _noise(rng, TEX, 16)
        light = 0.55 + 0.5 * cells * grain
        light[(np.abs(np.gradient(cells)[0]) + np.abs(np.gradient(cells)[1])) > 0.02] *= 0.6
    elif kind == "metal":
        seam = (x % 32 == 0) | (y % 32 == 0)
        rivet = ((x % 32 - 4) ** 2 + (y % 32 - 4) ** 2 < 4) | ((x % 32 - 28) ** 2 + (y % 32 - 28) ** 2 < 4)
        light = 0.8 + 0.2 * grain + 0.15 * (y % 32) / 32
        light = np.where(seam, 0.35, np.where(rivet, 1.3, light))
    elif kind == "wood":
        light = 0.6 + 0.35 * np.sin(x / 2.5 + 4 * _noise(rng, TEX, 8)) * 0.5 + 0.3 * grain
        light[:, :: TEX // 4] = 0.3
    else:  # "tech": a panel with a glowing strip and small lights
        light = 0.5 + 0.2 * grain
        light[(y > 24) & (y < 40) & (x > 6) & (x < 58)] = 0.25
        light[(y > 28) & (y < 36) & (x > 10) & (x < 54)] = 1.6
        light[(x % 16 == 8) & (y % 16 == 8)] = 1.8
    # grime: stains at two scales and per-texel speckle with a little colour jitter, so surfaces
    # read as worn, detailed pixel art rather than clean flat panels
    grime = (0.65 + 0.5 * _noise(rng, TEX, 16)) * (0.8 + 0.4 * _noise(rng, TEX, 2))
    speckle = rng.uniform(0.7, 1.3, size=(TEX, TEX, 1)) * rng.uniform(0.9, 1.1, size=(TEX, TEX, 3))
    tex = np.asarray(base, dtype=np.float32)[None, None, :] * (light * grime)[..., None] * speckle
    return np.clip(tex, 0, 255)


def _palette(rng: np.random.Generator) -> tuple[int, int, int]:
    """Doom-ish earth and metal colours: browns, greys, greens, dull reds."""
    hue = float(rng.choice([0.02, 0.07, 0.1, 0.25, 0.33, 0.6, 0.0]))
    return hsv_to_rgb(hue, float(rng.uniform(0.15, 0.6)), float(rng.uniform(0.45, 0.8)))


def _make_map(rng: np.random.Generator) -> np.ndarray:
    """``[MAP_SIZE, MAP_SIZE]`` wall ids (0 = free): outer walls, room dividers with doorways, pillars."""
    grid = np.zeros((MAP_SIZE, MAP_SIZE), dtype=np.int8)
    grid[0, :] = grid[-1, :] = grid[:, 0] = grid[:, -1] = 1
    for _ in range(int(rng.integers(3, 6))):  # room dividers with a door gap
        wall_id = int(rng.integers(1, 5))
        if rng.random() < 0.5:
            row = int(rng.integers(3, MAP_SIZE - 3))
            grid[row, 1:-1] = wall_id
            for gap in rng.integers(2, MAP_SIZE - 3, size=2):
                grid[row, gap : gap + 2] = 0
        else:
            col = int(rng.integers(3, MAP_SIZE - 3))
            grid[1:-1, col] = wall_id
            for gap in rng.integers(2, MAP_SIZE - 3, size=2):
                grid[gap : gap + 2, col] = 0
    for _ in range(int(rng.integers(4, 12))):  # pillars
        r, c = rng.integers(2, MAP_SIZE - 2, size=2)
        grid[r, c] = int(rng.integers(1, 5))
    return grid


def _sprite(rng: np.random.Generator, kind: str) -> np.ndarray:
    """``[64, 64, 4]`` RGBA billboard: a monster, a barrel or a lamp."""
    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if kind == "monster":
        skin = hsv_to_rgb(float(rng.choice([0.0, 0.05, 0.3, 0.08])), 0.6, float(rng.uniform(0.5, 0.8)))
        dark = tuple(int(c * 0.55) for c in skin)
        draw.ellipse([20, 4, 44, 26], fill=skin, outline=dark)  # head
        draw.polygon([(14, 24), (50, 24), (46, 48), (18, 48)], fill=skin, outline=dark)  # torso
        draw.rectangle([8, 26, 16, 44], fill=dark)
        draw.rectangle([48, 26, 56, 44], fill=dark)  # arms
        draw.rectangle([20, 48, 29, 63], fill=dark)
        draw.rectangle([35, 48, 44, 63], fill=dark)  # legs
        draw.ellipse([25, 11, 30, 16], fill=(255, 40, 20))
        draw.ellipse([34, 11, 39, 16], fill=(255, 40, 20))  # eyes
        draw.line([26, 21, 38, 21], fill=(60, 0, 0), width=2)
    elif kind == "barrel":
        body = hsv_to_rgb(float(rng.choice([0.3, 0.08, 0.6])), 0.5, 0.6)
        draw.rectangle([18, 20, 46, 63], fill=body, outline=(30, 30, 30))
        for yy in (28, 44, 58):
            draw.line([18, yy, 46, yy], fill=(40, 40, 40), width=2)
        draw.ellipse([18, 14, 46, 26], fill=(90, 200, 60), outline=(30, 30, 30))
    else:  # lamp
        draw.rectangle([29, 20, 35, 63], fill=(110, 110, 120))
        draw.ellipse([20, 4, 44, 24], fill=(255, 240, 170), outline=(200, 160, 60))
    return np.asarray(img, dtype=np.float32)


@dataclass
class _Thing:
    x: float
    y: float
    kind: str
    alive: bool = True
    hurt: int = 0


def _weapon(draw: ImageDraw.ImageDraw, kind: str, bob_x: float, bob_y: float, firing: bool) -> None:
    """The player's gun at the bottom of the view; a muzzle flash while firing."""
    cx, base = VIEW_W // 2 + bob_x, VIEW_H + bob_y
    if firing:
        draw.ellipse([cx - 22, base - 92, cx + 22, base - 56], fill=(255, 220, 90))
        draw.ellipse([cx - 12, base - 84, cx + 12, base - 62], fill=(255, 255, 220))
    if kind == "shotgun":
        draw.rectangle([cx - 10, base - 70, cx + 10, base], fill=(70, 70, 78), outline=(20, 20, 20))
        draw.rectangle([cx - 6, base - 70, cx - 1, base - 20], fill=(110, 110, 120))
        draw.rectangle([cx + 1, base - 70, cx + 6, base - 20], fill=(110, 110, 120))
        draw.polygon([(cx - 20, base), (cx - 12, base - 30), (cx + 12, base - 30), (cx + 20, base)], fill=(120, 80, 40))
    else:  # pistol held in a hand
        draw.rectangle([cx - 7, base - 58, cx + 7, base - 20], fill=(80, 80, 90), outline=(20, 20, 20))
        draw.ellipse([cx - 18, base - 30, cx + 18, base + 10], fill=(200, 150, 110), outline=(90, 60, 40))
        draw.rectangle([cx - 3, base - 62, cx + 3, base - 56], fill=(40, 40, 40))


def _status_bar(state: dict, frame_index: int, width: int) -> Image.Image:
    """The bottom bar: ammo, health %, arms, face box, armour %, keys; big red digits on grey stone."""
    bar = Image.fromarray(state["bar_texture"]).copy()
    draw = ImageDraw.Draw(bar)
    big, small = font(22), font(8)
    cells = [(4, "AMMO", f"{state['ammo']}"), (60, "HEALTH", f"{state['health']}%"),
             (186, "ARMOR", f"{state['armor']}%")]  # fmt: skip
    for x, label, value in cells:
        draw.rectangle([x, 2, x + 52 if label != "HEALTH" else x + 64, BAR_H - 3], outline=(60, 60, 60))
        draw.text((x + 4, 2), value, font=big, fill=(200, 20, 20))
        draw.text((x + 6, BAR_H - 11), label, font=small, fill=(220, 220, 220))
    face_x = 136
    draw.rectangle([face_x, 1, face_x + 36, BAR_H - 2], fill=(30, 30, 30))
    look = (frame_index // 12) % 3 - 1
    draw.ellipse([face_x + 6, 3, face_x + 30, BAR_H - 4], fill=(210, 150, 110))
    draw.rectangle([face_x + 11 + 3 * look, 11, face_x + 15 + 3 * look, 14], fill=(20, 20, 20))
    draw.rectangle([face_x + 21 + 3 * look, 11, face_x + 25 + 3 * look, 14], fill=(20, 20, 20))
    draw.line([face_x + 13, 22, face_x + 23, 22], fill=(120, 40, 30), width=2)
    for k, color in enumerate(state["keys"]):
        draw.rectangle([250, 4 + 9 * k, 258, 10 + 9 * k], fill=color)
    draw.text((270, 6), "ARMS", font=small, fill=(220, 220, 220))
    for k in range(6):
        draw.text((268 + 14 * (k % 3), 14 + 8 * (k // 3)), str(k + 2), font=small,
                  fill=(230, 200, 40) if k < state["arms"] else (90, 90, 90))  # fmt: skip
    return bar.resize((width, BAR_H))


class _Scene:
    """The map, textures and things of one clip, and the per-frame raycast."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.grid = _make_map(rng)
        kinds = ["brick", "stone", "metal", "wood", "tech"]
        self.walls = [_texture(rng, str(rng.choice(kinds)), _palette(rng)) for _ in range(5)]
        self.floor = _texture(rng, str(rng.choice(["stone", "metal", "wood"])), _palette(rng)) * 0.8
        self.outdoor = bool(rng.random() < 0.35)
        self.ceiling = _texture(rng, str(rng.choice(["metal", "tech", "stone"])), _palette(rng)) * 0.7
        sky_top, sky_low = np.array(hsv_to_rgb(float(rng.uniform(0.55, 0.7)), 0.5, 0.5)), np.array((200, 170, 150))
        clouds = _noise(rng, 256, 16)[: VIEW_H // 2] * 60
        ramp = np.linspace(0, 1, VIEW_H // 2, dtype=np.float32)[:, None, None]
        self.sky = (sky_top * (1 - ramp) + sky_low * ramp + clouds[:, :, None]).clip(0, 255)
        self.light = float(rng.uniform(0.45, 0.95))
        self.fog = float(rng.uniform(4.0, 10.0))
        self.sprites = {k: _sprite(rng, k) for k in ("monster", "barrel", "lamp")}
        free = np.argwhere(self.grid == 0)
        picks = free[rng.choice(len(free), size=min(len(free), int(rng.integers(14, 26))), replace=False)]
        self.things = [
            _Thing(float(c) + 0.5, float(r) + 0.5, str(rng.choice(["monster", "monster", "monster", "barrel", "lamp"])))
            for r, c in picks
        ]

    def shade(self, color: np.ndarray, dist: np.ndarray) -> np.ndarray:
        """Light falls off with distance, as in those games' sector lighting."""
        factor = self.light * np.clip(1.15 - dist / self.fog, 0.12, 1.0)
        return color * factor[..., None]

    def render(self, px: float, py: float, angle: float, pitch_bob: float) -> tuple[np.ndarray, np.ndarray]:
        """The 3-D view ``[VIEW_H, VIEW_W, 3]`` float and the wall distance per column (depth buffer)."""
        dir_x, dir_y = math.cos(angle), math.sin(angle)
        plane_x, plane_y = -dir_y * FOV_PLANE, dir_x * FOV_PLANE
        cam = 2 * np.arange(VIEW_W, dtype=np.float64) / VIEW_W - 1
        ray_x, ray_y = dir_x + plane_x * cam, dir_y + plane_y * cam
        dist, tex_col, wall_id, side = self._cast(px, py, ray_x, ray_y)
        horizon = VIEW_H / 2 + pitch_bob
        frame = np.empty((VIEW_H, VIEW_W, 3), dtype=np.float32)
        # floor and ceiling: each screen row is one distance; sample textures along the row
        row_idx = np.arange(VIEW_H, dtype=np.float64)
        below = row_idx - horizon
        row_dist = np.where(np.abs(below) < 0.5, 1e3, (VIEW_H / 2) / np.maximum(np.abs(below), 0.5))
        wx = px + row_dist[:, None] * ray_x[None, :]
        wy = py + row_dist[:, None] * ray_y[None, :]
        tu = ((wx * TEX).astype(np.int64)) % TEX
        tv = ((wy * TEX).astype(np.int64)) % TEX
        floor = self.shade(self.floor[tv, tu], np.broadcast_to(row_dist[:, None], tu.shape))
        if self.outdoor:
            sky_cols = ((angle / (2 * math.pi) * 4 * 256 + np.arange(VIEW_W)) % 256).astype(np.int64)
            sky_rows = np.clip((row_idx - pitch_bob).astype(np.int64), 0, VIEW_H // 2 - 1)
            ceil = self.sky[sky_rows][:, sky_cols]
        else:
            ceil = self.shade(self.ceiling[tv, tu], np.broadcast_to(row_dist[:, None], tu.shape))
        frame[:] = np.where((below > 0)[:, None, None], floor, ceil)
        # walls: one textured column per ray
        line_h = VIEW_H / np.maximum(dist, 1e-3)
        top = horizon - line_h / 2
        v = (row_idx[:, None] - top[None, :]) / line_h[None, :]
        on_wall = (v >= 0) & (v < 1)
        tex_v = np.clip((v * TEX).astype(np.int64), 0, TEX - 1)
        textures = np.stack(self.walls)  # [5, TEX, TEX, 3]
        texels = textures[(wall_id - 1)[None, :], tex_v, tex_col[None, :]]
        texels = (
            self.shade(texels, np.broadcast_to(dist[None, :], tex_v.shape)) * np.where(side, 0.75, 1.0)[None, :, None]
        )
        frame = np.where(on_wall[..., None], texels, frame)
        return frame, dist

    def _cast(
        self, px: float, py: float, ray_x: np.ndarray, ray_y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """DDA through the grid for every column at once: distance, texture column, wall id, side."""
        map_x = np.full(ray_x.shape, int(px), dtype=np.int64)
        map_y = np.full(ray_x.shape, int(py), dtype=np.int64)
        with np.errstate(divide="ignore"):
            delta_x = np.where(ray_x == 0, 1e30, np.abs(1 / ray_x))
            delta_y = np.where(ray_y == 0, 1e30, np.abs(1 / ray_y))
        step_x = np.where(ray_x < 0, -1, 1)
        step_y = np.where(ray_y < 0, -1, 1)
        side_x = np.where(ray_x < 0, (px - map_x) * delta_x, (map_x + 1 - px) * delta_x)
        side_y = np.where(ray_y < 0, (py - map_y) * delta_y, (map_y + 1 - py) * delta_y)
        hit = np.zeros(ray_x.shape, dtype=bool)
        side = np.zeros(ray_x.shape, dtype=bool)
        for _ in range(2 * MAP_SIZE):
            go_x = ~hit & (side_x < side_y)
            go_y = ~hit & ~go_x
            side_x = np.where(go_x, side_x + delta_x, side_x)
            map_x = np.where(go_x, map_x + step_x, map_x)
            side_y = np.where(go_y, side_y + delta_y, side_y)
            map_y = np.where(go_y, map_y + step_y, map_y)
            side = np.where(go_x, False, np.where(go_y, True, side))
            map_x, map_y = np.clip(map_x, 0, MAP_SIZE - 1), np.clip(map_y, 0, MAP_SIZE - 1)
            hit |= self.grid[map_y, map_x] > 0
            if hit.all():
                break
        dist = np.where(side, side_y - delta_y, side_x - delta_x)
        dist = np.maximum(dist, 1e-3)
        wall_u = np.where(side, px + dist * ray_x, py + dist * ray_y)
        wall_u -= np.floor(wall_u)
        tex_col = np.clip((wall_u * TEX).astype(np.int64), 0, TEX - 1)
        wall_id = np.clip(self.grid[map_y, map_x], 1, 5).astype(np.int64)
        return dist, tex_col, wall_id, side

    def depth_along(self, px: float, py: float, angles: np.ndarray) -> np.ndarray:
        """Distance to the first wall in each direction."""
        return self._cast(px, py, np.cos(angles), np.sin(angles))[0]

    def draw_things(self, frame: np.ndarray, depth: np.ndarray, px: float, py: float, angle: float, bob: float) -> None:
        """Billboards far to near, each column hidden where a wall is nearer (in place)."""
        dir_x, dir_y = math.cos(angle), math.sin(angle)
        plane_x, plane_y = -dir_y * FOV_PLANE, dir_x * FOV_PLANE
        inv = 1.0 / (plane_x * dir_y - dir_x * plane_y)
        visible = []
        for thing in self.things:
            sx, sy = thing.x - px, thing.y - py
            tx = inv * (dir_y * sx - dir_x * sy)
            tz = inv * (-plane_y * sx + plane_x * sy)
            if tz > 0.45:
                visible.append((tz, tx, thing))
        for tz, tx, thing in sorted(visible, key=lambda v: -v[0]):
            image = self.sprites[thing.kind]
            if not thing.alive:
                image = image.copy()
                image[:40, :, 3] = 0  # only the legs are left, lying
                image[40:, :, :3] = image[40:, :, :3] * 0.5 + np.array([120, 0, 0]) * 0.5
            elif thing.hurt:
                image = image.copy()
                image[..., :3] = image[..., :3] * 0.5 + 127
            size = int(abs(VIEW_H / tz))
            if size < 2:
                continue
            centre_x = int((VIEW_W / 2) * (1 + tx / tz))
            x0, y0 = centre_x - size // 2, int(VIEW_H / 2 + bob + size / 2 - size)
            cols = np.arange(max(x0, 0), min(x0 + size, VIEW_W))
            rows = np.arange(max(y0, 0), min(y0 + size, VIEW_H))
            cols = cols[depth[cols] > tz]
            if not len(cols) or not len(rows):
                continue
            u = ((cols - x0) * 64 // size).clip(0, 63)
            v = ((rows - y0) * 64 // size).clip(0, 63)
            patch = image[v[:, None], u[None, :]]
            alpha = (patch[..., 3:] > 127).astype(np.float32)
            lit = self.shade(patch[..., :3], np.full(patch.shape[:2], tz)) * (1.6 if thing.kind == "lamp" else 1.0)
            region = frame[rows[:, None], cols[None, :]]
            frame[rows[:, None], cols[None, :]] = region * (1 - alpha) + lit * alpha


def _free(grid: np.ndarray, x: float, y: float, margin: float = 0.25) -> bool:
    """Whether a body of radius ``margin`` at ``(x, y)`` touches no wall."""
    for cx, cy in (
        (x - margin, y - margin),
        (x + margin, y - margin),
        (x - margin, y + margin),
        (x + margin, y + margin),
    ):
        r, c = int(cy), int(cx)
        if not (0 <= r < MAP_SIZE and 0 <= c < MAP_SIZE and grid[r, c] == 0):
            return False
    return True


def render_firstperson(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A first-person shooter clip: walk, turn at walls and toward monsters, shoot, with HUD and gun."""
    scene = _Scene(rng)
    free = np.argwhere(scene.grid == 0)
    start = free[int(rng.integers(len(free)))]
    px, py = float(start[1]) + 0.5, float(start[0]) + 0.5
    angle = float(rng.uniform(0, 2 * math.pi))
    speed = float(rng.uniform(2.0, 4.0)) / fps  # cells per frame
    weapon = str(rng.choice(["pistol", "shotgun"]))
    state = {
        "ammo": int(rng.integers(8, 120)), "health": int(rng.integers(20, 101)), "armor": int(rng.integers(0, 101)),
        "arms": int(rng.integers(1, 6)),
        "keys": [c for c in ((40, 80, 220), (230, 200, 40), (210, 30, 30)) if rng.random() < 0.4],
        "bar_texture": (_texture(rng, "stone", (130, 125, 120))[:BAR_H].repeat(5, axis=1)[:, :VIEW_W]).astype(np.uint8),
    }  # fmt: skip
    fire_left, walk_phase, stopped = 0, 0.0, 0
    target = angle
    max_turn = float(rng.uniform(1.8, 3.0)) / fps  # radians per frame
    for i in range(num_frames):
        # steer: head for open space; at a wall, or now and then, pick the longest free direction
        # (or a live monster) and turn toward it smoothly
        ahead = scene.depth_along(px, py, np.array([angle]))[0]
        if ahead < 1.6 or rng.random() < 0.5 / fps:
            candidates = angle + np.linspace(-math.pi, math.pi, 16, endpoint=False)
            depths = scene.depth_along(px, py, candidates)
            target = float(candidates[int(rng.choice(np.argsort(depths)[-3:]))])
            monsters = [
                t for t in scene.things if t.kind == "monster" and t.alive and math.hypot(t.x - px, t.y - py) < 7
            ]
            if monsters and rng.random() < 0.5:
                m = monsters[int(rng.integers(len(monsters)))]
                target = math.atan2(m.y - py, m.x - px)
        error = (target - angle + math.pi) % (2 * math.pi) - math.pi
        angle += max(-max_turn, min(max_turn, error))
        moving = stopped == 0 and ahead > 0.6
        if moving and rng.random() < 0.15 / fps:
            stopped = int(rng.integers(fps // 2, fps * 2))
        stopped = max(0, stopped - 1)
        if moving:
            strafe = 0.3 * math.sin(i / fps * 1.3) if rng.random() < 0.5 else 0.0
            nx = px + math.cos(angle) * speed - math.sin(angle) * speed * strafe
            ny = py + math.sin(angle) * speed + math.cos(angle) * speed * strafe
            if _free(scene.grid, nx, py):
                px = nx
            if _free(scene.grid, px, ny):
                py = ny
            walk_phase += 2 * math.pi * 1.8 / fps
        if fire_left == 0 and state["ammo"] > 0 and rng.random() < 1.2 / fps:
            fire_left = max(2, fps // 6)
            state["ammo"] -= 1
            for thing in scene.things:  # a monster near the crosshair is hit
                dx, dy = thing.x - px, thing.y - py
                bearing = (math.atan2(dy, dx) - angle + math.pi) % (2 * math.pi) - math.pi
                if thing.kind == "monster" and thing.alive and abs(bearing) < 0.12 and math.hypot(dx, dy) < 8:
                    thing.hurt = 3
                    thing.alive = rng.random() < 0.5
        bob = 2.0 * math.sin(walk_phase * 2) if moving else 0.0
        view, depth = scene.render(px, py, angle, bob * 0.5)
        scene.draw_things(view, depth, px, py, angle, bob * 0.5)
        for thing in scene.things:
            thing.hurt = max(0, thing.hurt - 1)
            if thing.kind == "monster" and thing.alive and rng.random() < 0.5:  # monsters shuffle about
                step = rng.normal(0, 0.4 / fps, size=2)
                if _free(scene.grid, thing.x + step[0], thing.y + step[1]):
                    thing.x, thing.y = thing.x + float(step[0]), thing.y + float(step[1])
        if fire_left:
            view *= 1.25  # the muzzle flash lights the room
        canvas = Image.new("RGB", (VIEW_W, VIEW_H + BAR_H))
        canvas.paste(Image.fromarray(view.clip(0, 255).astype(np.uint8)), (0, 0))
        draw = ImageDraw.Draw(canvas)
        _weapon(draw, weapon, 6 * math.sin(walk_phase) if moving else 0, abs(bob) * 2 + 4, fire_left > 0)
        canvas.paste(_status_bar(state, i, VIEW_W), (0, VIEW_H))
        fire_left = max(0, fire_left - 1)
        yield np.asarray(canvas.resize((width, height), Image.Resampling.NEAREST))
