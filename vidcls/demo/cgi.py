"""Animation renderer: 3-D computer animation (smooth-shaded CG, as in animated films), two kinds.

Half the clips are a toy world: a small numpy ray tracer of characters built of spheres (body,
head, eyes, pupils) that hop and sway on a ground plane under a sky gradient, lit by a key light
with soft-edged shadows, fill light, specular highlights and a rim light; the camera orbits and
dollies slowly.

The other half are cinematic, like a feature-film trailer: medium shots and close-ups of one or two
stylised characters (ellipsoid heads with skin, big eyes with iris, pupil, catch-light and blinking
lids, brows, nose, a talking mouth, a hair mass, clothes) that turn their heads and breathe; warm
key, cool fill and strong rim light with a skin-scatter glow; an out-of-focus set (day, interior or
night) with bokeh discs of lamps, a teal/orange grade, vignetting, sometimes 2.39:1 letterbox bars,
and cuts between two or three shots with slow push-ins.

Both are rendered at half resolution and smoothly enlarged: clean gradients and no sensor noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image

from vidcls.demo.drawing import hsv_to_rgb


def _spheres_hit(
    origin: np.ndarray, dirs: np.ndarray, centres: np.ndarray, radii: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest hit distance ``[N]`` (inf for none) and sphere index ``[N]`` for rays ``[N, 3]``."""
    oc = origin[None, :, :] - centres[:, None, :] if origin.ndim == 2 else origin[None, None, :] - centres[:, None, :]
    b = np.einsum("snk,nk->sn", oc, dirs)
    c = np.einsum("snk,snk->sn", oc, oc) - radii[:, None] ** 2
    disc = b * b - c
    root = np.sqrt(np.maximum(disc, 0))
    t = -b - root
    t = np.where((disc > 0) & (t > 1e-3), t, np.inf)
    index = np.argmin(t, axis=0)
    return t[index, np.arange(dirs.shape[0])], index


class _Scene:
    """Characters (sphere groups), ground, sky and lights of one clip."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.chars = []
        for _ in range(int(rng.integers(1, 4))):
            hue = float(rng.uniform())
            self.chars.append(
                {
                    "pos": np.array([rng.uniform(-2.5, 2.5), rng.uniform(-1.5, 2.5)]),
                    "size": float(rng.uniform(0.6, 1.1)),
                    "color": np.array(hsv_to_rgb(hue, float(rng.uniform(0.5, 0.85)), 0.9), np.float32) / 255,
                    "hop": float(rng.uniform(1.2, 2.6)),
                    "phase": float(rng.uniform(0, 6.3)),
                    "walk": rng.normal(0, 0.5, size=2),
                }
            )
        self.ground = np.array(hsv_to_rgb(float(rng.choice([0.28, 0.3, 0.1, 0.55])), 0.5, 0.75), np.float32) / 255
        self.ground2 = self.ground * float(rng.uniform(0.75, 0.9))
        self.sky_top = np.array(hsv_to_rgb(float(rng.uniform(0.55, 0.65)), 0.55, 0.95), np.float32) / 255
        self.sky_low = np.array((1.0, 0.92, 0.85), np.float32)
        sun = np.array([rng.uniform(-1, 1), rng.uniform(0.8, 1.6), rng.uniform(-1, 0.2)])
        self.sun = sun / np.linalg.norm(sun)
        self.sun_color = np.array(hsv_to_rgb(float(rng.uniform(0.05, 0.15)), 0.25, 1.0), np.float32) / 255
        self.shadows = True
        self.cam_radius = float(rng.uniform(6.5, 9.0))
        self.cam_angle = float(rng.uniform(0, 2 * math.pi))
        self.cam_speed = float(rng.normal(0, 0.15))
        self.cam_height = float(rng.uniform(1.5, 3.0))
        self.props = [  # round trees and rocks in the background
            (np.array([rng.uniform(-8, 8), 0.0, rng.uniform(-8, 8)]), float(rng.uniform(0.4, 1.4)),
             np.array(hsv_to_rgb(float(rng.choice([0.3, 0.08, 0.0])), 0.55, 0.6), np.float32) / 255)
            for _ in range(int(rng.integers(3, 8)))
        ]  # fmt: skip

    def spheres(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Centres ``[S, 3]``, radii ``[S]``, colours ``[S, 3]`` at time ``t``."""
        centres, radii, colors = [], [], []
        for pos, r, col in self.props:
            centres.append(pos + np.array([0, r * 0.8, 0]))
            radii.append(r)
            colors.append(col)
        white, black = np.array([1.0, 1.0, 1.0], np.float32), np.array([0.05, 0.05, 0.08], np.float32)
        for ch in self.chars:
            s = ch["size"]
            hop = abs(math.sin(t * ch["hop"] * math.pi + ch["phase"])) * 0.6 * s
            x, z = ch["pos"] + ch["walk"] * math.sin(t * 0.5 + ch["phase"])
            heading = math.atan2(-z, -x)  # characters look toward the middle
            body = np.array([x, s + hop, z])
            head = body + np.array([0, 1.25 * s, 0])
            centres += [body, head]
            radii += [s, 0.7 * s]
            colors += [ch["color"], ch["color"] * 1.05]
            for side in (-1, 1):
                eye_dir = np.array([math.cos(heading + side * 0.35), 0.25, math.sin(heading + side * 0.35)])
                eye = head + eye_dir / np.linalg.norm(eye_dir) * 0.62 * s
                centres += [eye, eye + eye_dir / np.linalg.norm(eye_dir) * 0.13 * s]
                radii += [0.2 * s, 0.1 * s]
                colors += [white, black]
        return np.array(centres), np.array(radii), np.clip(np.array(colors), 0, 1)

    def render(self, t: float, w: int, h: int) -> np.ndarray:
        """One ``[h, w, 3]`` float frame in ``[0, 1]``."""
        angle = self.cam_angle + self.cam_speed * t
        radius = self.cam_radius - 0.3 * t
        eye = np.array([radius * math.cos(angle), self.cam_height, radius * math.sin(angle)])
        forward = -eye + np.array([0, 1.0, 0])
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0, 1, 0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        ys, xs = np.mgrid[0:h, 0:w]
        u = (xs + 0.5) / w * 2 - 1
        v = 1 - (ys + 0.5) / h * 2
        dirs = forward[None] + (u.reshape(-1, 1) * right[None] * 0.75 * w / h) + v.reshape(-1, 1) * up[None] * 0.75
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        centres, radii, colors = self.spheres(t)
        t_sphere, index = _spheres_hit(eye, dirs, centres, radii)
        t_ground = np.where(dirs[:, 1] < -1e-4, -eye[1] / np.minimum(dirs[:, 1], -1e-4), np.inf)
        sky = self.sky_low + (self.sky_top - self.sky_low) * np.clip(dirs[:, 1:2] * 2.5, 0, 1)
        out = sky.astype(np.float32)
        hit_ground = t_ground < t_sphere
        hit_sphere = np.isfinite(t_sphere) & ~hit_ground
        hit = hit_ground | hit_sphere
        dist = np.where(hit_ground, t_ground, t_sphere)
        points = eye[None] + dirs * np.where(hit, dist, 0)[:, None]
        normals = np.where(
            hit_sphere[:, None], (points - centres[index]) / radii[index][:, None], np.array([0.0, 1.0, 0.0])[None]
        )
        checker = ((np.floor(points[:, 0] * 0.5) + np.floor(points[:, 2] * 0.5)) % 2)[:, None]
        base = np.where(hit_ground[:, None], self.ground * (1 - checker) + self.ground2 * checker, colors[index])
        # key-light shadow: blocked if a sphere lies between the point and the sun
        shadow_t, _ = _spheres_hit(points + normals * 1e-2, np.broadcast_to(self.sun, points.shape), centres, radii)
        lit = np.where(np.isfinite(shadow_t) & self.shadows, 0.25, 1.0)[:, None]
        diffuse = np.clip(normals @ self.sun, 0, 1)[:, None]
        half = self.sun[None] - dirs
        half /= np.linalg.norm(half, axis=1, keepdims=True)
        spec = np.clip(np.einsum("nk,nk->n", normals, half), 0, 1)[:, None] ** 40 * hit_sphere[:, None]
        rim = (1 - np.clip(-np.einsum("nk,nk->n", normals, dirs), 0, 1))[:, None] ** 3 * hit_sphere[:, None]
        sky_fill = 0.35 * (0.5 + 0.5 * normals[:, 1:2]) * self.sky_top
        shaded = (
            base * (self.sun_color * diffuse * lit + sky_fill + 0.08) + 0.5 * spec * lit + 0.35 * rim * self.sky_low
        )
        fog = np.clip((np.where(hit, dist, 0) - 10) / 25, 0, 1)[:, None]
        shaded = shaded * (1 - fog) + self.sky_low * fog
        out = np.where(hit[:, None], shaded, out)
        return out.reshape(h, w, 3)


# --- cinematic close-ups: stylised characters lit and graded like an animated feature film ---

_SKIN, _EYE, _HAIR, _CLOTH, _BROW, _ACCENT = range(6)
_TAN_HALF_FOV = 0.3  # a long lens (~33 degrees vertical), as for film close-ups
_LUMA = np.array([0.3, 0.59, 0.11], np.float32)
_SUBPIXELS = ((-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25))  # a 2x2 grid inside a pixel
#: Hair as HSV: black, dark brown, brown, auburn, ginger, blonde, platinum, and a blue and a pink.
_HAIR_COLOURS = (
    (0.7, 0.25, 0.12), (0.07, 0.6, 0.25), (0.07, 0.7, 0.42), (0.02, 0.8, 0.5), (0.06, 0.88, 0.78),
    (0.12, 0.6, 0.88), (0.13, 0.2, 0.92), (0.6, 0.6, 0.6), (0.92, 0.5, 0.8),
)  # fmt: skip


def _rgb(hue: float, saturation: float, value: float) -> np.ndarray:
    """HSV to a linear-light RGB colour (display colours are gamma 2.2)."""
    return (np.array(hsv_to_rgb(hue % 1.0, saturation, value), np.float32) / 255) ** 2.2


def _rotation(yaw: float, pitch: float = 0.0, roll: float = 0.0) -> np.ndarray:
    """Matrix whose columns are the local x (right), y (up) and z (forward) axes in world space."""
    cy, sy, cp, sp, cr, sr = (
        math.cos(yaw),
        math.sin(yaw),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(roll),
        math.sin(roll),
    )
    turn = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    nod = np.array([[1, 0, 0], [0, cp, sp], [0, -sp, cp]])  # positive pitch looks down
    tilt = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return turn @ nod @ tilt


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of an ``[H, W, ...]`` array (edges repeated): the lens's defocus."""
    if sigma < 0.3:
        return image
    radius = math.ceil(2.5 * sigma)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    for axis in (0, 1):
        pad = [(0, 0)] * image.ndim
        pad[axis] = (radius, radius)
        padded = np.pad(image, pad, mode="edge")
        size = image.shape[axis]
        image = sum(
            weight * np.take(padded, np.arange(k, k + size), axis=axis) for k, weight in enumerate(taps)
        )  # fmt: skip
    return image.astype(np.float32)


def _ellipsoids_hit(
    eye: np.ndarray, dirs: np.ndarray, centres: np.ndarray, axes: np.ndarray, radii: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest hit distance ``[N]`` (inf for none), part index ``[N]`` and unit normal ``[N, 3]``.

    Ellipsoid ``s`` is ``(p - c)^T M (p - c) = 1`` with ``M = A diag(1/r^2) A^T``; along a ray the
    quadratic's coefficients are two small matrix products, so no ``[S, N, 3]`` array is built."""
    shape = np.einsum("sij,sj,skj->sik", axes, 1 / radii**2, axes)  # M per part [S, 3, 3]
    offset = eye[None] - centres  # [S, 3]
    pairs = np.stack([dirs[:, 0] ** 2, dirs[:, 1] ** 2, dirs[:, 2] ** 2, 2 * dirs[:, 0] * dirs[:, 1],
                      2 * dirs[:, 0] * dirs[:, 2], 2 * dirs[:, 1] * dirs[:, 2]], axis=1)  # fmt: skip
    coef = np.stack([shape[:, 0, 0], shape[:, 1, 1], shape[:, 2, 2], shape[:, 0, 1], shape[:, 0, 2], shape[:, 1, 2]], 1)
    moved = np.einsum("sij,sj->si", shape, offset)  # M (eye - c) [S, 3]
    a = pairs @ coef.T  # [N, S]
    b = dirs @ moved.T
    c = np.einsum("si,si->s", offset, moved) - 1
    disc = b * b - a * c[None]
    t = (-b - np.sqrt(np.maximum(disc, 0))) / a
    t = np.where((disc > 0) & (t > 1e-3), t, np.inf)
    index = np.argmin(t, axis=1)
    dist = t[np.arange(dirs.shape[0]), index]
    point = eye[None] + dirs * np.where(np.isfinite(dist), dist, 0)[:, None]
    normal = np.einsum("nij,nj->ni", shape[index], point - centres[index])
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    return dist, index, normal


def _head_blocks(
    points: np.ndarray, light: np.ndarray, centres: np.ndarray, axes: np.ndarray, radii: np.ndarray
) -> np.ndarray:
    """Whether the ray from each point ``[N, 3]`` toward the light meets one of the ellipsoids."""
    blocked = np.zeros(len(points), bool)
    for centre, frame, r in zip(centres, axes, radii, strict=True):
        shape = frame @ np.diag(1 / r**2) @ frame.T
        moved = (points - centre) @ shape
        a = light @ shape @ light
        b = moved @ light
        c = np.einsum("nk,nk->n", points - centre, moved) - 1
        disc = b * b - a * c
        blocked |= (disc > 0) & (-b + np.sqrt(np.maximum(disc, 0)) > 0)
    return blocked


class _Character:
    """A stylised film character: big head and eyes, hair mass, clothes; blinks, breathes, talks."""

    def __init__(self, rng: np.random.Generator, pos: np.ndarray, yaw: float, duration: float) -> None:
        self.pos, self.yaw = pos, yaw
        self.scale = float(rng.uniform(0.85, 1.1))
        if rng.uniform() < 0.85:  # human skin, pale to deep brown
            self.skin = _rgb(rng.uniform(0.02, 0.085), rng.uniform(0.3, 0.62), rng.uniform(0.42, 0.96))
        else:  # a creature: green, blue, lilac or orange
            self.skin = _rgb(float(rng.choice([0.3, 0.55, 0.75, 0.08])), rng.uniform(0.35, 0.6), rng.uniform(0.55, 0.9))
        hair = _HAIR_COLOURS[int(rng.integers(len(_HAIR_COLOURS)))]
        self.hair = _rgb(hair[0] + rng.uniform(-0.01, 0.01), hair[1], hair[2] * rng.uniform(0.85, 1.1))
        self.style = str(
            rng.choice(["short", "long", "bun", "puffy", "short", "bald"], p=[0.3, 0.25, 0.12, 0.15, 0.1, 0.08])
        )
        self.iris = _rgb(float(rng.choice([0.07, 0.58, 0.3, 0.1])), rng.uniform(0.5, 0.9), rng.uniform(0.35, 0.75))
        self.cloth = _rgb(rng.uniform(), rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.85))
        self.accent = _rgb(rng.uniform(), rng.uniform(0.1, 0.6), rng.uniform(0.4, 0.95))
        self.head = np.array([rng.uniform(0.92, 1.08), rng.uniform(0.95, 1.12), rng.uniform(0.9, 1.0)])
        self.jaw = np.array([rng.uniform(0.62, 0.86), rng.uniform(0.5, 0.66), 0.76])
        self.eye_size = float(rng.uniform(0.23, 0.3))
        self.nose = np.array([0.13, 0.12, 0.16]) * rng.uniform(0.8, 1.5)
        self.smile = float(rng.uniform(-0.2, 0.5))
        self.brow_tilt = float(rng.uniform(-0.35, 0.3))
        self.fringe_side = float(rng.choice([-1.0, 1.0]))
        self.phase = rng.uniform(0, 2 * math.pi, size=4)
        self.blinks = np.sort(rng.uniform(0, duration, size=max(1, round(duration / 2.5))))
        talk = rng.uniform(0, duration, size=2)
        self.talk = (float(talk.min()), float(talk.min() + rng.uniform(0.4, 0.8) * duration))
        self.look = np.zeros(3)
        self.look_jitter = rng.normal(0, 0.25, size=(8, 3))

    def pose(self, t: float) -> dict:
        """Head centre and frame, blink, mouth opening and gaze at time ``t``."""
        p = self.phase
        s = self.scale
        breathe = math.sin(2 * math.pi * t / 3.6 + p[0])
        yaw = self.yaw + 0.22 * math.sin(0.8 * t + p[1]) + 0.08 * math.sin(2.1 * t + p[2])
        pitch = 0.07 * math.sin(0.8 * t + p[3]) - 0.03
        roll = 0.07 * math.sin(0.45 * t + p[2])
        blink = float(np.exp(-(((t - self.blinks) / 0.07) ** 2)).max())
        talking = self.talk[0] <= t <= self.talk[1]
        mouth = max(0.0, math.sin(13 * t) * 0.6 + math.sin(7.3 * t + 1) * 0.5) if talking else 0.0
        head = self.pos + np.array([0.06 * math.sin(0.9 * t + p[0]), 0.015 * breathe, 0.0]) * s
        jitter = self.look_jitter[int(t / 1.3) % len(self.look_jitter)]
        return {
            "head": head, "frame": _rotation(yaw, pitch, roll), "blink": blink, "mouth": min(mouth, 1.0),
            "breathe": breathe, "gaze_at": self.look + jitter,
        }  # fmt: skip

    def parts(self, pose: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Centres ``[S, 3]``, frames ``[S, 3, 3]``, radii ``[S, 3]``, materials ``[S]``, eye ids ``[S]``."""
        s, frame, head = self.scale, pose["frame"], pose["head"]
        body_frame = _rotation(self.yaw * 0.6)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, int]] = []

        def on_head(
            offset: ArrayLike, radii: ArrayLike, material: int, local: np.ndarray | None = None, eye: int = -1
        ) -> None:
            rot = frame if local is None else frame @ local
            parts.append((head + frame @ (np.asarray(offset) * s), rot, np.asarray(radii) * s, material, eye))

        def on_body(offset: ArrayLike, radii: ArrayLike, material: int, local: np.ndarray | None = None) -> None:
            rot = body_frame if local is None else body_frame @ local
            parts.append((self.pos + body_frame @ (np.asarray(offset) * s), rot, np.asarray(radii) * s, material, -1))

        on_head((0, 0, 0), self.head, _SKIN)
        on_head((0, -0.42 - 0.06 * pose["mouth"], 0.12), self.jaw, _SKIN)
        on_head((0, -0.2, 0.9), self.nose, _SKIN, _rotation(0, -0.3))
        for side in (-1, 1):
            on_head((side * 0.36 * self.head[0], 0.08, 0.68), (self.eye_size,) * 3, _EYE, eye=(side + 1) // 2)
            on_head((side * 0.36, 0.44, 0.83), (0.21, 0.045, 0.08), _BROW, _rotation(0, 0, side * self.brow_tilt))
            on_head((side * 0.97 * self.head[0], -0.08, -0.05), (0.13, 0.24, 0.11), _SKIN)
        if self.style != "bald":
            if self.style == "puffy":
                on_head((0, 0.55, -0.3), (1.28, 1.0, 1.15), _HAIR)
            else:
                on_head((0, 0.3, -0.22), (1.07 * self.head[0], 0.93 * self.head[1], 0.97), _HAIR)
                on_head(
                    (self.fringe_side * 0.25, 0.8, 0.42),
                    (0.6, 0.22, 0.38),
                    _HAIR,
                    _rotation(0, -0.3, self.fringe_side * 0.35),
                )
            if self.style == "long":
                on_head((0, -0.6, -0.42), (1.08, 1.3, 0.62), _HAIR)
            if self.style == "bun":
                on_head((0, 0.95, -0.45), (0.4, 0.38, 0.4), _HAIR)
        breathe = 1 + 0.02 * pose["breathe"]
        first_body = len(parts)
        on_body((0, -1.05, -0.05), (0.3, 0.45, 0.28), _SKIN)
        on_body((0, -1.38, 0.0), (0.55, 0.2, 0.48), _ACCENT)
        on_body((0, -1.95, -0.1), (1.22 * breathe, 0.85, 0.7 * breathe), _CLOTH)  # chest and shoulders
        on_body((0, -2.9, -0.12), (1.02 * breathe, 1.2, 0.64 * breathe), _CLOTH)
        for side in (-1, 1):
            on_body((side * 1.05, -2.55, -0.12), (0.33, 1.05, 0.33), _CLOTH, _rotation(0, 0, side * 0.08))
        centres, rots, radii, mats, eyes = zip(*parts, strict=True)
        on_body = np.arange(len(parts)) >= first_body
        return np.array(centres), np.array(rots), np.array(radii), np.array(mats), np.array(eyes), on_body

    def render(
        self, t: float, eye: np.ndarray, dirs: np.ndarray, lights: dict
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Linear colour ``[N, 3]``, coverage ``[N]`` and distance ``[N]`` of this character's pixels."""
        n = dirs.shape[0]
        colour, cover = np.zeros((n, 3), np.float32), np.zeros(n, bool)
        # bounding sphere first: only rays that can hit the character are traced against its parts
        bound = self.pos + np.array([0, -1.2, 0]) * self.scale
        oc = eye - bound
        b = dirs @ oc
        near = b * b - (oc @ oc - (3.2 * self.scale) ** 2) > 0
        if not near.any():
            return colour, cover, np.full(n, np.inf)
        pose = self.pose(t)
        centres, rots, radii, mats, eye_ids, on_body = self.parts(pose)
        sub = dirs[near]
        dist, index, normal = _ellipsoids_hit(eye, sub, centres, rots, radii)
        hit = np.isfinite(dist)
        point = eye + sub * np.where(hit, dist, 0)[:, None]
        mat = mats[index]
        frame, s = pose["frame"], self.scale
        local_n = normal @ frame  # normals in the head's frame (x right, y up, z forward)
        local_p = (point - pose["head"]) @ frame / s
        palette = np.stack(
            [self.skin, np.full(3, 0.8, np.float32), self.hair, self.cloth, self.hair * 0.5, self.accent]
        )
        base = palette[mat].copy()
        skin_like = mat == _SKIN
        on_head = index < 3
        # hair painted on the scalp above a hairline that drops toward the nape
        if self.style != "bald":
            line = 0.5 - 0.3 * (1 - np.clip(local_n[:, 2] * 1.5, 0, 1)) - 0.4 * np.clip(-local_n[:, 2], 0, 1)
            line += 0.05 * np.sin(5 * local_n[:, 0] + 3 * self.fringe_side)
            scalp = (index == 0) & (local_n[:, 1] > line)
            base[scalp] = self.hair
            mat = np.where(scalp, _HAIR, mat)
            skin_like &= ~scalp
            hair = mat == _HAIR  # clumps of strands running down from the crown
            clumps = np.sin(17 * np.arctan2(local_n[hair, 0], local_n[hair, 2]) + 5 * local_n[hair, 1])
            base[hair] *= (1 + 0.18 * clumps)[:, None]
        # mouth: lips, a dark opening with teeth when talking; rosy cheeks
        mw, mh = 0.3, 0.025 + 0.1 * pose["mouth"]
        my = -0.56 + self.smile * 0.5 * local_p[:, 0] ** 2
        mouth_r = (local_p[:, 0] / mw) ** 2 + ((local_p[:, 1] - my) / mh) ** 2
        lips = on_head & skin_like & (local_p[:, 2] > 0.3) & (mouth_r < 2.2)
        base[lips] = self.skin * np.array([0.95, 0.55, 0.55], np.float32) * 0.8
        inside = lips & (mouth_r < 1)
        base[inside] = np.array([0.12, 0.02, 0.025], np.float32)
        teeth = inside & (local_p[:, 1] > my + 0.35 * mh) & (pose["mouth"] > 0.25)
        base[teeth] = np.array([0.8, 0.78, 0.72], np.float32)
        cheek = np.exp(-((np.abs(local_p[:, 0]) - 0.5) ** 2 + (local_p[:, 1] + 0.28) ** 2) / 0.03)
        base[skin_like] *= 1 - 0.25 * cheek[skin_like, None] * np.array([0, 0.6, 0.7], np.float32)
        # eyes: iris and pupil around the gaze, lids that blink, a lash line
        eye_hit = mat == _EYE
        if eye_hit.any():
            which = eye_ids[index[eye_hit]]
            eye_centres = centres[mats == _EYE][np.argsort(eye_ids[mats == _EYE])]
            gaze = pose["gaze_at"][None] - eye_centres
            gaze /= np.linalg.norm(gaze, axis=1, keepdims=True)
            gaze += 2.0 * frame[:, 2]  # eyes turn less than the target asks: the iris stays in view
            gaze /= np.linalg.norm(gaze, axis=1, keepdims=True)
            cos_angle = np.einsum("nk,nk->n", normal[eye_hit], gaze[which])
            angle = np.arccos(np.clip(cos_angle, -1, 1))
            sclera = np.array([0.85, 0.82, 0.78], np.float32) * (0.75 + 0.25 * np.clip(cos_angle, 0, 1))[:, None]
            ring = np.clip((angle - 0.3) / 0.32, 0, 1)
            iris = (
                self.iris
                * (1.5 - 0.9 * ring)[:, None]
                * (1 + 0.2 * np.sin(40 * np.arctan2(*normal[eye_hit][:, :2].T)))[:, None]
            )
            colour_e = np.where((angle < 0.62)[:, None], iris, sclera)
            colour_e = np.where((angle < 0.27)[:, None], np.float32(0.01), colour_e)
            ny = local_n[eye_hit, 1]
            upper = 0.62 - 1.7 * pose["blink"] + 0.1 * self.brow_tilt * np.sign(local_n[eye_hit, 0])
            lid = (ny > upper) | (ny < -0.62)
            lash = (ny > upper - 0.09) & ~lid
            colour_e[lash] = np.float32(0.02)
            colour_e[lid] = self.skin
            base[eye_hit] = colour_e
            mat_e = np.where(lid, _SKIN, _EYE)
            mat = mat.copy()
            mat[eye_hit] = mat_e
        # the head casts the key light's shadow onto the neck and shoulders
        lit = np.ones(len(sub), np.float32)
        body = hit & on_body[index]
        lit[body] = np.where(
            _head_blocks(point[body] + normal[body] * 1e-2, lights["key"], centres[:2], rots[:2], radii[:2]), 0.3, 1.0
        )
        colour_sub = self._shade(base, mat, normal, sub, lit, lights)
        colour[near], cover[near] = colour_sub, hit
        far = np.full(n, np.inf)
        far[near] = dist
        return colour, cover, far

    def _shade(
        self, base: np.ndarray, mat: np.ndarray, normal: np.ndarray, dirs: np.ndarray, lit: np.ndarray, lights: dict
    ) -> np.ndarray:
        """Film lighting: warm wrapped key with a skin-scatter glow, cool fill, strong rim, speculars."""
        view = -dirs
        key_dot = normal @ lights["key"]
        skin = (mat == _SKIN)[:, None]
        wrap = np.where(skin, 0.45, 0.15)
        key = np.clip((key_dot[:, None] + wrap) / (1 + wrap), 0, 1)
        scatter = np.clip(key - np.clip(key_dot, 0, 1)[:, None], 0, 1) * skin * np.array([0.55, 0.12, 0.05], np.float32)
        fill = np.clip(normal @ lights["fill"], 0, 1)[:, None]
        facing = np.clip(np.einsum("nk,nk->n", normal, view), 0, 1)
        rim = ((1 - facing) ** 2.5 * np.clip(normal @ lights["rim"] + 0.35, 0, 1))[:, None]
        half = lights["key"][None] + view
        half /= np.linalg.norm(half, axis=1, keepdims=True)
        shiny = np.select([mat == _EYE, mat == _HAIR, mat == _SKIN], [2.0, 0.25, 0.12], 0.04)[:, None]
        power = np.select([mat == _EYE, mat == _HAIR, mat == _SKIN], [90.0, 30.0, 22.0], 8.0)[:, None]
        spec = np.clip(np.einsum("nk,nk->n", normal, half), 0, 1)[:, None] ** power * shiny
        above = 0.5 + 0.5 * normal[:, 1:2]  # more ambient light from the sky or ceiling than from the floor
        ambient = lights["ambient"] * (0.6 + 0.4 * above)
        key_colour = lights["key_colour"] * lit[:, None]
        light = key_colour * key + lights["fill_colour"] * fill + ambient
        return base * (light + scatter * key_colour) + rim * lights["rim_colour"] + spec * key_colour


def _background(rng: np.random.Generator, mood: str, w: int, h: int) -> tuple[np.ndarray, list]:
    """A set behind the characters in linear colour ``[h, w, 3]`` and its lamp lights (bokeh)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    yn, xn = ys / h, xs / w
    lamps: list[tuple[float, float, float, np.ndarray]] = []
    if mood == "day":
        top, low = _rgb(rng.uniform(0.53, 0.6), rng.uniform(0.25, 0.5), 0.95), _rgb(0.12, 0.15, 0.95)
        image = low + (top - low) * np.clip(1 - yn * 1.6, 0, 1)[..., None]
        for _ in range(int(rng.integers(6, 14))):  # foliage, hedges and a house front, all soft
            cx, cy, r = rng.uniform(0, w), rng.uniform(h * 0.2, h), rng.uniform(0.06, 0.2) * w
            colour = _rgb(rng.choice([0.25, 0.3, 0.33, 0.1, 0.07]), rng.uniform(0.35, 0.7), rng.uniform(0.4, 0.85))
            inside = np.clip((r - np.hypot(xs - cx, (ys - cy) * 1.2)) / 3, 0, 1)[..., None]
            image = image * (1 - inside) + colour * (0.8 + 0.2 * (1 - yn[..., None])) * inside
        ground = np.clip((yn - rng.uniform(0.65, 0.8)) * 8, 0, 1)[..., None]
        image = image * (1 - ground) + _rgb(rng.uniform(0.08, 0.3), 0.4, 0.6) * ground
        for _ in range(int(rng.integers(2, 6))):  # sun glints through leaves
            lamps.append((rng.uniform(0, w), rng.uniform(0, h * 0.6), 0.5, _rgb(0.13, 0.2, 1.0)))
        return image.astype(np.float32), lamps
    if mood == "night":
        top, low = _rgb(rng.uniform(0.58, 0.66), 0.7, 0.18), _rgb(rng.uniform(0.5, 0.58), 0.55, 0.35)
        image = top + (low - top) * yn[..., None]
        x = 0.0
        while x < w:  # building silhouettes with lit windows
            bw, top_y = rng.uniform(0.1, 0.25) * w, rng.uniform(0.1, 0.5) * h
            block = (xs >= x) & (xs < x + bw) & (ys > top_y)
            image[block] = _rgb(0.62, 0.5, rng.uniform(0.08, 0.16))
            win = block & ((xs - x) % 9 < 4) & ((ys - top_y) % 11 < 5) & (rng.uniform(size=(h, w)) < 0.5)
            image[win] = _rgb(0.1, 0.6, 0.9)
            x += bw + rng.uniform(0, 0.05) * w
        for _ in range(int(rng.integers(8, 18))):  # street and window lights
            hue = float(rng.choice([0.08, 0.1, 0.55, 0.95, 0.13]))
            lamps.append((rng.uniform(0, w), rng.uniform(0.2, 0.9) * h, rng.uniform(0.5, 1.2), _rgb(hue, 0.6, 1.0)))
        return image.astype(np.float32), lamps
    # interior: warm or teal walls, a window, shelves and furniture in shadow, lamps
    wall = _rgb(float(rng.choice([0.06, 0.08, 0.5, 0.45, 0.95])), rng.uniform(0.3, 0.6), rng.uniform(0.25, 0.5))
    image = wall * (0.5 + 0.7 * np.exp(-((xn - rng.uniform(0.2, 0.8)) ** 2 + (yn - 0.3) ** 2) / 0.15))[..., None]
    for _ in range(int(rng.integers(3, 7))):
        x0, y0 = rng.uniform(-0.1, 0.9) * w, rng.uniform(0.1, 0.8) * h
        x1, y1 = x0 + rng.uniform(0.08, 0.35) * w, y0 + rng.uniform(0.1, 0.6) * h
        box = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)
        if rng.uniform() < 0.3:  # a window onto daylight or night
            image[box] = _rgb(float(rng.choice([0.58, 0.12])), 0.35, rng.uniform(0.5, 0.95))
        else:
            image[box] = _rgb(rng.uniform(0.02, 0.12), rng.uniform(0.3, 0.7), rng.uniform(0.1, 0.35))
    for _ in range(int(rng.integers(3, 9))):
        lamps.append(
            (
                rng.uniform(0, w),
                rng.uniform(0.1, 0.8) * h,
                rng.uniform(0.6, 1.3),
                _rgb(rng.uniform(0.06, 0.12), 0.55, 1.0),
            )
        )
    return image.astype(np.float32), lamps


def _lighting(rng: np.random.Generator, mood: str) -> dict:
    """Key, fill and rim directions and colours for the mood: warm key, cool fill, strong rim."""
    side = float(rng.choice([-1.0, 1.0]))

    def unit(*v: float) -> np.ndarray:
        a = np.array(v)
        return a / np.linalg.norm(a)

    warm = _rgb(rng.uniform(0.06, 0.11), rng.uniform(0.2, 0.45), 1.0)
    cool = _rgb(rng.uniform(0.52, 0.6), rng.uniform(0.3, 0.55), 1.0)
    level = {"day": 1.5, "interior": 1.25, "night": 1.05}[mood]
    return {
        "key": unit(side * rng.uniform(0.5, 1.0), rng.uniform(0.3, 0.7), rng.uniform(0.5, 0.9)),
        "fill": unit(-side * 0.8, 0.1, 0.6),
        "rim": unit(-side * rng.uniform(0.4, 0.9), 0.35, -0.8),
        "key_colour": warm * level,
        "fill_colour": cool * {"day": 0.35, "interior": 0.2, "night": 0.25}[mood],
        "rim_colour": (cool if mood == "night" or rng.uniform() < 0.4 else warm) * rng.uniform(1.0, 1.8),
        "ambient": (cool if mood == "night" else warm) * {"day": 0.12, "interior": 0.05, "night": 0.04}[mood],
    }


class _Cinematic:
    """One clip: one or two characters in a set, filmed in two or three shots with cuts between them."""

    def __init__(self, rng: np.random.Generator, fps: int, num_frames: int, w: int, h: int) -> None:
        self.fps, self.w, self.h = fps, w, h
        duration = num_frames / fps
        self.mood = str(rng.choice(["day", "interior", "night"], p=[0.35, 0.4, 0.25]))
        self.lights = _lighting(rng, self.mood)
        self.set_image, self.lamps = _background(rng, self.mood, int(w * 1.6), int(h * 1.6))
        two = rng.uniform() < 0.55
        gap = rng.uniform(1.3, 1.9)
        a = _Character(
            rng,
            np.array([-gap if two else 0.0, 0.0, 0.0]),
            rng.uniform(0.2, 0.6) if two else rng.uniform(-0.4, 0.4),
            duration,
        )
        self.chars = [a]
        if two:
            b = _Character(
                rng, np.array([gap, rng.uniform(-0.2, 0.2), -rng.uniform(0.5, 1.5)]), -rng.uniform(0.5, 0.9), duration
            )
            a.look, b.look = b.pos.copy(), a.pos.copy()
            self.chars.append(b)
        else:
            a.look = np.array([rng.uniform(-3, 3), rng.uniform(-0.5, 0.5), 8.0])
        self.letterbox = bool(rng.uniform() < 0.4)
        self.vignette = float(rng.uniform(0.2, 0.45))
        self.grade = float(rng.uniform(0.4, 1.0))
        self.exposure = float(rng.uniform(0.9, 1.2))
        count = min(int(rng.integers(2, 4)), max(1, num_frames // max(fps, 1)))  # shots of about 1 s or more
        self.starts = [0, *(round(num_frames * (k + rng.uniform(-0.2, 0.2)) / count) for k in range(1, count))]
        self.shots = [self._shot(rng, k) for k in range(count)]
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        self.u, self.v = (xs + 0.5) / w * 2 - 1, 1 - (ys + 0.5) / h * 2
        r2 = self.u**2 * 0.8 + self.v**2 * 0.8
        self.vignette_map = (1 - self.vignette * r2)[..., None]

    def _shot(self, rng: np.random.Generator, k: int) -> dict:
        """Framing of shot ``k``: whom the camera is on, how close, from which side, how it moves."""
        focus = self.chars[k % len(self.chars)] if rng.uniform() < 0.8 else self.chars[-1]
        kind = str(rng.choice(["close", "medium", "close"]))
        if len(self.chars) == 2 and rng.uniform() < 0.3:
            kind = "two"
        height = {"close": rng.uniform(3.0, 3.8), "medium": rng.uniform(4.5, 5.5), "two": rng.uniform(5.0, 6.0)}[kind]
        height /= 0.65 if self.letterbox else 1.0  # a 2.39:1 band shows less height: step back
        target = focus.pos + np.array([0, {"close": -0.45, "medium": -1.1, "two": -1.2}[kind], 0]) * focus.scale
        if kind == "two":
            target = np.mean([c.pos for c in self.chars], axis=0) + np.array([0, -1.2, 0])
        angle = focus.yaw * rng.uniform(0.3, 0.8) + rng.uniform(-0.25, 0.25)
        distance = height / (2 * _TAN_HALF_FOV)
        set_sigma = {"close": 5.0, "medium": 3.5, "two": 2.5}[kind] * rng.uniform(0.8, 1.3)
        backdrop = _blur(self.set_image, set_sigma)
        for x, y, size, colour in self.lamps:  # out-of-focus lamps become discs with a brighter edge
            r = max(2.0, set_sigma * 1.5 * size)
            d = np.hypot(
                *np.mgrid[0 : backdrop.shape[0], 0 : backdrop.shape[1]][::-1] - np.array([x, y])[:, None, None]
            )
            disc = np.clip(r - d, 0, 1) * (0.6 + 0.4 * (d / r) ** 4)
            backdrop = backdrop + disc[..., None] * colour * rng.uniform(0.3, 0.9)
        return {
            "focus": focus, "target": target, "angle": angle, "distance": distance, "elev": rng.uniform(-0.05, 0.12),
            "push": rng.uniform(0.04, 0.1), "drift": rng.choice([-1, 1]) * rng.uniform(0.04, 0.12),
            "third": rng.choice([-0.2, 0.0, 0.2]), "backdrop": backdrop, "offset": rng.uniform(0.3, 0.7, size=2),
            "set_sigma": set_sigma,
        }  # fmt: skip

    def _edges(self, alpha: np.ndarray, colour: np.ndarray) -> np.ndarray:
        """Pixels ``[h * w]`` on a silhouette or a strong colour edge (eyes, lashes), to supersample."""
        value = (2 * alpha + np.sqrt(np.maximum(colour @ _LUMA, 0))).reshape(self.h, self.w)
        padded = np.pad(value, 1, mode="edge")
        step = np.zeros((self.h, self.w), np.float32)
        for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
            step = np.maximum(step, np.abs(padded[dy : dy + self.h, dx : dx + self.w] - value))
        return (step > 0.12).reshape(-1)

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Display-space frame ``[h, w, 3]`` in ``[0, 1]`` and the in-focus character's coverage ``[h, w]``."""
        k = int(np.searchsorted(self.starts, i, side="right") - 1)
        shot, t = self.shots[k], i / self.fps
        ts = (i - self.starts[k]) / self.fps
        angle = shot["angle"] + shot["drift"] * ts
        distance = shot["distance"] * max(0.8, 1 - shot["push"] * ts)  # a push-in, never a lunge
        eye = shot["target"] + distance * np.array([math.sin(angle), shot["elev"], math.cos(angle)])
        forward = shot["target"] - eye
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)

        def rays(dx: float, dy: float, pixels: np.ndarray | slice = slice(None)) -> np.ndarray:
            """Unit ray directions ``[N, 3]`` through ``pixels`` (flat indices), shifted by ``(dx, dy)`` pixels."""
            u = (self.u.reshape(-1)[pixels] + shot["third"] + 2 * dx / self.w) * _TAN_HALF_FOV * self.w / self.h
            v = (self.v.reshape(-1)[pixels] - 2 * dy / self.h) * _TAN_HALF_FOV
            dirs = forward + u[:, None] * right + v[:, None] * up
            return dirs / np.linalg.norm(dirs, axis=1, keepdims=True)

        dirs = rays(0, 0)
        bh, bw = shot["backdrop"].shape[:2]
        oy = int(shot["offset"][0] * (bh - self.h))
        x = np.clip(shot["offset"][1] - 4 * shot["drift"] * ts, 0, 1) * (bw - self.w - 1)  # the set slides
        ox, frac = int(x), np.float32(x - int(x))  # as the camera arcs, by sub-pixel steps
        out = (1 - frac) * shot["backdrop"][oy : oy + self.h, ox : ox + self.w] + frac * shot["backdrop"][
            oy : oy + self.h, ox + 1 : ox + 1 + self.w
        ]
        out = out.reshape(-1, 3) * self.exposure
        focus_cover = np.zeros(self.h * self.w, np.float32)
        layers = [(ch, *ch.render(t, eye, dirs, self.lights)) for ch in self.chars]
        layers.sort(key=lambda layer: -float(np.min(layer[3], initial=np.inf)))  # far to near
        for ch, colour, cover, _ in layers:
            alpha, premult = cover.astype(np.float32), colour * cover[:, None]
            if ch is shot["focus"] or shot["set_sigma"] < 3:  # sharp: 4 samples per pixel along edges
                edge = self._edges(alpha, colour)
                if edge.any():
                    samples = [ch.render(t, eye, rays(dx, dy, edge), self.lights) for dx, dy in _SUBPIXELS]
                    alpha[edge] = np.mean([hit for _, hit, _ in samples], axis=0)
                    premult[edge] = np.mean([c * hit[:, None] for c, hit, _ in samples], axis=0)
            else:  # out of focus
                sigma = 0.5 * shot["set_sigma"]
                alpha = _blur(alpha.reshape(self.h, self.w, 1), sigma).reshape(-1)
                premult = _blur(premult.reshape(self.h, self.w, 3), sigma).reshape(-1, 3)
            out = premult * self.exposure + (1 - alpha[:, None]) * out
            if ch is shot["focus"]:
                focus_cover = alpha
        image = out.reshape(self.h, self.w, 3)
        image = image * (1 + image / 4) / (1 + image)  # soft film shoulder instead of clipping
        luma = (image @ _LUMA)[..., None]
        teal, orange = np.array([-0.03, 0.01, 0.04], np.float32), np.array([0.05, 0.01, -0.04], np.float32)
        image = image + self.grade * (teal * (1 - luma) ** 2 + orange * luma**2)
        image = np.clip(image * self.vignette_map, 0, 1) ** (1 / 2.2)
        return image.astype(np.float32), focus_cover.reshape(self.h, self.w)


def render_cinematic(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """Close-ups of film-style CG characters: rim-lit, shallow focus, graded, sometimes letterboxed."""
    scene = _Cinematic(rng, fps, num_frames, width // 2, height // 2)
    bar = max(0, round((height - width / 2.39) / 2)) if scene.letterbox else 0
    for i in range(num_frames):
        frame, _ = scene.frame(i)
        image = Image.fromarray((frame * 255 + 0.5).astype(np.uint8))
        out = np.array(image.resize((width, height), Image.Resampling.BICUBIC))
        if bar:
            out[:bar], out[height - bar :] = 0, 0
        yield out


def _render_toy(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """Characters hopping about a sunny toy world while the camera glides; smooth CG shading."""
    scene = _Scene(rng)
    w, h = width // 2, height // 2
    for i in range(num_frames):
        frame = scene.render(i / fps, w, h)
        image = Image.fromarray((np.clip(frame, 0, 1) ** (1 / 1.1) * 255).astype(np.uint8))
        yield np.asarray(image.resize((width, height), Image.Resampling.BICUBIC))


def render_cgi(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """Half the clips a cinematic close-up from an animated feature film, half a sunny toy world."""
    if rng.uniform() < 0.5:
        return render_cinematic(rng, width, height, fps, num_frames)
    return _render_toy(rng, width, height, fps, num_frames)
