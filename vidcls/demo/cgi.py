"""Animation renderer: a 3-D computer-animated scene (smooth-shaded CG, as in animated films).

A small numpy ray tracer: characters built of spheres (body, head, eyes, pupils) that hop and
sway on a ground plane under a sky gradient, lit by a key light with soft-edged shadows, fill
light, specular highlights and a rim light; the camera orbits and dollies slowly. Rendered at
half resolution and smoothly enlarged: clean gradients and no sensor noise, the look of CGI.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
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


def render_cgi(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """Characters hopping about a sunny toy world while the camera glides; smooth CG shading."""
    scene = _Scene(rng)
    w, h = width // 2, height // 2
    for i in range(num_frames):
        frame = scene.render(i / fps, w, h)
        image = Image.fromarray((np.clip(frame, 0, 1) ** (1 / 1.1) * 255).astype(np.uint8))
        yield np.asarray(image.resize((width, height), Image.Resampling.BICUBIC))
