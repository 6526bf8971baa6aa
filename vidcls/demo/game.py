"""Gaming renderers: a vertical space shooter and a side-scrolling platformer, both with a HUD.

Drawn at half resolution and scaled up with nearest-neighbour sampling, the way retro and indie
games look: hard pixel edges, saturated sprites, a scrolling background, particles on every hit,
and a heads-up display (score, lives, health/timer) that stays fixed while the world moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import font, hsv_to_rgb, random_color, saturated_color, shade

Color = tuple[int, int, int]


@dataclass
class Particle:
    """A spark from an explosion: position, velocity, remaining life in frames, colour."""

    x: float
    y: float
    vx: float
    vy: float
    life: int
    color: Color


@dataclass
class Particles:
    """All live sparks; ``burst`` spawns, ``step_and_draw`` moves, fades and draws them."""

    items: list[Particle] = field(default_factory=list)

    def burst(self, rng: np.random.Generator, x: float, y: float, color: Color, count: int) -> None:
        for _ in range(count):
            angle, speed = rng.uniform(0, 2 * math.pi), rng.uniform(0.5, 3.0)
            tint = color if rng.random() < 0.6 else (255, 240, 120)
            self.items.append(
                Particle(x, y, math.cos(angle) * speed, math.sin(angle) * speed, int(rng.integers(6, 16)), tint)
            )

    def step_and_draw(self, draw: ImageDraw.ImageDraw, gravity: float = 0.0) -> None:
        alive = []
        for p in self.items:
            p.x, p.y, p.vy, p.life = p.x + p.vx, p.y + p.vy, p.vy + gravity, p.life - 1
            if p.life > 0:
                x, y, size = round(p.x), round(p.y), 1 if p.life < 6 else 2
                draw.rectangle([x, y, x + size - 1, y + size - 1], fill=p.color)
                alive.append(p)
        self.items = alive


def _hud_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, color: Color, anchor: str = "la") -> None:
    """HUD text with a 1-pixel drop shadow so it reads on any background."""
    face = font(8)
    draw.text((xy[0] + 1, xy[1] + 1), text, font=face, fill=(0, 0, 0), anchor=anchor)
    draw.text(xy, text, font=face, fill=color, anchor=anchor)


def _upscale(canvas: Image.Image, width: int, height: int) -> np.ndarray:
    return np.asarray(canvas.resize((width, height), Image.Resampling.NEAREST))


# -------------------------------------------------------------------------------------------- shooter


def render_shooter(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A vertical shoot-'em-up: parallax starfield, enemy waves, bullets, explosions and a HUD."""
    w, h = width // 2, height // 2
    space = random_color(rng, 0, 40)
    stars = [
        (rng.uniform(0, w, size=n), rng.uniform(0, h, size=n), speed, shade((200, 200, 255), bright))
        for n, speed, bright in ((40, 0.4, 0.5), (25, 1.0, 0.8), (12, 2.2, 1.2))
    ]
    ship_color = saturated_color(rng, value=0.95)
    enemy_colors = [saturated_color(rng) for _ in range(3)]
    enemy_shape = str(rng.choice(["saucer", "bug", "diamond"]))
    sway = [(rng.uniform(0.2, 0.8), rng.uniform(0, 2 * math.pi)) for _ in range(3)]
    score, hiscore, lives, health = (
        int(rng.integers(0, 50)) * 100,
        int(rng.integers(200, 900)) * 100,
        int(rng.integers(1, 4)),
        1.0,
    )
    stage = int(rng.integers(1, 9))
    bullets: list[list[float]] = []
    enemy_shots: list[list[float]] = []
    enemies: list[dict[str, float]] = []
    particles = Particles()
    fire_every = max(2, round(fps / rng.uniform(3.0, 6.0)))
    flash = 0
    player_y = h - 14
    wave_rate = rng.uniform(1.2, 2.5)  # enemy waves per second
    for _ in range(int(rng.integers(3, 7))):  # the clip starts mid-game, with enemies on screen
        enemies.append(
            {
                "x": rng.uniform(12, w - 12),
                "y": rng.uniform(14, h / 2),
                "phase": rng.uniform(0, 6.3),
                "vy": 20 / fps,
                "c": 0.0,
            }
        )
    for i in range(num_frames):
        t = i / fps
        canvas = Image.new("RGB", (w, h), space)
        draw = ImageDraw.Draw(canvas)
        for xs, ys, speed, color in stars:
            ys += speed * 25.0 / fps
            ys %= h
            for x, y in zip(xs, ys, strict=True):
                draw.point((x, y), fill=color)
        player_x = w / 2 + sum(
            a * w * 0.18 * math.sin(2 * math.pi * f * t + p) for (f, p), a in zip(sway, (1.0, 0.6, 0.3), strict=True)
        )
        if (i == 0 or rng.random() < wave_rate / fps) and len(enemies) < 12:
            lane = rng.uniform(12, w - 12)
            for k in range(int(rng.integers(1, 4))):
                enemies.append(
                    {
                        "x": lane,
                        "y": -8.0 - 12 * k,
                        "phase": rng.uniform(0, 6.3),
                        "vy": rng.uniform(15, 35) / fps,
                        "c": float(rng.integers(3)),
                    }
                )
        if i % fire_every == 0:
            bullets.append([player_x, player_y - 6])
        for b in bullets:
            b[1] -= 90.0 / fps
        bullets = [b for b in bullets if b[1] > -4]
        survivors = []
        for e in enemies:
            e["y"] += e["vy"]
            ex = e["x"] + 10 * math.sin(t * 2 + e["phase"])
            hit = next((b for b in bullets if abs(b[0] - ex) < 6 and abs(b[1] - e["y"]) < 6), None)
            if hit is not None:
                bullets.remove(hit)
                particles.burst(rng, ex, e["y"], enemy_colors[int(e["c"])], 14)
                score += 100
                continue
            if e["y"] > h + 8:
                continue
            if rng.random() < 0.4 / fps:
                enemy_shots.append([ex, e["y"] + 4])
            survivors.append(e)
            color = enemy_colors[int(e["c"])]
            if enemy_shape == "saucer":
                draw.ellipse([ex - 6, e["y"] - 3, ex + 6, e["y"] + 3], fill=color, outline=(0, 0, 0))
                draw.ellipse([ex - 3, e["y"] - 6, ex + 3, e["y"]], fill=(180, 240, 255), outline=(0, 0, 0))
            elif enemy_shape == "bug":
                draw.rectangle([ex - 5, e["y"] - 4, ex + 5, e["y"] + 4], fill=color, outline=(0, 0, 0))
                draw.point([(ex - 2, e["y"] - 1), (ex + 2, e["y"] - 1)], fill=(255, 255, 255))
                leg = 1 if (i // 4) % 2 else -1
                draw.line([ex - 5, e["y"] + 4, ex - 7, e["y"] + 6 + leg], fill=color)
                draw.line([ex + 5, e["y"] + 4, ex + 7, e["y"] + 6 - leg], fill=color)
            else:
                draw.polygon(
                    [(ex, e["y"] - 6), (ex + 6, e["y"]), (ex, e["y"] + 6), (ex - 6, e["y"])],
                    fill=color,
                    outline=(0, 0, 0),
                )
        enemies = survivors
        for s in enemy_shots:
            s[1] += 45.0 / fps
            draw.rectangle([s[0] - 1, s[1] - 1, s[0] + 1, s[1] + 1], fill=(255, 90, 60))
            if abs(s[0] - player_x) < 5 and abs(s[1] - player_y) < 5:
                s[1] = h + 10
                health = max(0.0, health - 0.2)
                flash = 4
                particles.burst(rng, player_x, player_y, (255, 120, 60), 8)
                if health == 0.0:
                    lives, health = max(0, lives - 1), 1.0
        enemy_shots = [s for s in enemy_shots if s[1] < h + 4]
        for b in bullets:
            draw.rectangle([b[0], b[1] - 3, b[0], b[1]], fill=(255, 255, 160))
        body = ship_color if flash % 2 == 0 else (255, 255, 255)
        flash = max(0, flash - 1)
        draw.polygon(
            [
                (player_x, player_y - 7),
                (player_x + 6, player_y + 5),
                (player_x, player_y + 2),
                (player_x - 6, player_y + 5),
            ],
            fill=body,
            outline=(0, 0, 0),
        )
        if (i // 2) % 2:
            draw.rectangle([player_x - 1, player_y + 3, player_x + 1, player_y + 6], fill=(255, 160, 40))
        particles.step_and_draw(draw)
        # HUD
        draw.rectangle([0, 0, w, 10], fill=(0, 0, 0))
        _hud_text(draw, (2, 1), f"SCORE {score:06d}", (255, 255, 255))
        _hud_text(draw, (w / 2 + 8, 1), f"HI {max(hiscore, score):06d}", (255, 210, 80), anchor="ma")
        for k in range(lives):
            x0 = w - 8 - 8 * k
            draw.polygon([(x0, 2), (x0 + 3, 8), (x0 - 3, 8)], fill=ship_color)
        draw.rectangle([2, h - 6, 42, h - 2], outline=(255, 255, 255), fill=(40, 0, 0))
        draw.rectangle([3, h - 5, 3 + round(38 * health), h - 3], fill=hsv_to_rgb(0.33 * health, 0.9, 0.9))
        _hud_text(draw, (w - 2, h - 10), f"STAGE {stage}", (180, 220, 255), anchor="ra")
        yield _upscale(canvas, width, height)


# ----------------------------------------------------------------------------------------- platformer


def render_platformer(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A side-scrolling platformer: parallax hills, tiled ground, coins, walking enemies, a HUD."""
    w, h = width // 2, height // 2
    sky = saturated_color(rng, value=0.95, saturation=0.45)
    far = shade(saturated_color(rng, value=0.6, saturation=0.4), 1.0)
    near = saturated_color(rng, value=0.55, saturation=0.6)
    ground_color = saturated_color(rng, value=0.6, saturation=0.7)
    hero_color = saturated_color(rng, value=0.9)
    enemy_color = saturated_color(rng, value=0.7)
    ground_y = h - int(rng.integers(16, 26))
    speed = rng.uniform(30.0, 60.0) / fps  # world pixels per frame
    tile = 8
    world_len = int(speed * num_frames + 2 * w)
    coins = {int(x): ground_y - int(rng.integers(12, 34)) for x in rng.uniform(w, world_len, size=int(world_len / 25))}
    walkers = sorted(float(x) for x in rng.uniform(w, world_len, size=int(world_len / 90)))
    blocks = [
        (float(x), ground_y - int(rng.integers(20, 36)), int(rng.integers(2, 5)))
        for x in rng.uniform(w * 0.6, world_len, size=int(world_len / 70))
    ]
    far_peaks = rng.uniform(0.3, 0.6, size=64) * h
    near_peaks = rng.uniform(0.5, 0.8, size=64) * h
    score, coin_count, lives = int(rng.integers(0, 30)) * 100, int(rng.integers(0, 20)), int(rng.integers(1, 4))
    level, timer = f"{int(rng.integers(1, 9))}-{int(rng.integers(1, 5))}", int(rng.integers(200, 400))
    particles = Particles()
    hero_x = w // 3
    jump_t, jump_len = -10.0, max(6, round(fps * 0.6))
    taken: set[int] = set()
    stomped: set[int] = set()
    for i in range(num_frames):
        cam = i * speed
        canvas = Image.new("RGB", (w, h), sky)
        draw = ImageDraw.Draw(canvas)
        for peaks, factor, color, spacing in ((far_peaks, 0.2, far, 40), (near_peaks, 0.5, near, 28)):
            offset = cam * factor
            first = int(offset // spacing)
            points = [
                (k * spacing - offset, float(peaks[k % len(peaks)])) for k in range(first, first + w // spacing + 3)
            ]
            draw.polygon([(points[0][0], h), *points, (points[-1][0], h)], fill=color)
        # Ground tiles, scrolled by the camera.
        x0 = -(cam % tile)
        for k in range(w // tile + 2):
            x = x0 + k * tile
            draw.rectangle([x, ground_y, x + tile - 1, ground_y + 3], fill=shade(ground_color, 1.3))
            draw.rectangle([x, ground_y + 4, x + tile - 1, h], fill=ground_color, outline=shade(ground_color, 0.6))
        for bx, by, count in blocks:
            sx = bx - cam
            if -40 < sx < w + 8:
                for k in range(count):
                    draw.rectangle(
                        [sx + k * tile, by, sx + (k + 1) * tile - 1, by + tile - 1],
                        fill=(200, 130, 50),
                        outline=(90, 50, 10),
                    )
        # Hero: jumps whenever a walker comes close; runs otherwise (two-frame leg cycle).
        next_walker = next((x for x in walkers if x - cam > hero_x - 4), None)
        if (
            next_walker is not None
            and 0 < next_walker - cam - hero_x < speed * jump_len * 0.55
            and i - jump_t > jump_len
        ):
            jump_t = i
        phase = (i - jump_t) / jump_len
        hero_y = ground_y - 10 - (math.sin(math.pi * phase) * 26 if 0 <= phase <= 1 else 0)
        for wx in walkers:
            sx = wx - cam - ((i * 0.4) % 30)
            key = int(wx)
            if key in stomped or not -10 < sx < w + 10:
                continue
            if abs(sx - hero_x) < 6 and hero_y < ground_y - 14:
                stomped.add(key)
                particles.burst(rng, sx, ground_y - 4, enemy_color, 12)
                score += 200
                continue
            draw.ellipse([sx - 5, ground_y - 9, sx + 5, ground_y - 1], fill=enemy_color, outline=(0, 0, 0))
            draw.point([(sx - 2, ground_y - 6), (sx + 2, ground_y - 6)], fill=(255, 255, 255))
        for cx, cy in coins.items():
            sx = cx - cam
            if cx in taken or not -6 < sx < w + 6:
                continue
            if abs(sx - hero_x) < 6 and abs(cy - hero_y) < 10:
                taken.add(cx)
                particles.burst(rng, sx, cy, (255, 220, 60), 6)
                score, coin_count = score + 50, coin_count + 1
                continue
            half = max(1, round(3 * abs(math.cos(i * 0.25 + cx))))
            draw.ellipse([sx - half, cy - 4, sx + half, cy + 4], fill=(255, 215, 0), outline=(150, 100, 0))
        legs = (i // 3) % 2 if hero_y >= ground_y - 10 else 0
        draw.rectangle([hero_x - 4, hero_y - 8, hero_x + 4, hero_y + 6], fill=hero_color, outline=(0, 0, 0))
        draw.rectangle([hero_x + 1, hero_y - 6, hero_x + 3, hero_y - 4], fill=(255, 255, 255))
        draw.line([hero_x - 2, hero_y + 6, hero_x - 2 - 2 * legs, hero_y + 10], fill=(0, 0, 0))
        draw.line([hero_x + 2, hero_y + 6, hero_x + 2 + 2 * legs, hero_y + 10], fill=(0, 0, 0))
        particles.step_and_draw(draw, gravity=0.2)
        # HUD
        _hud_text(draw, (3, 2), f"SCORE {score:06d}", (255, 255, 255))
        draw.ellipse([w / 2 - 14, 2, w / 2 - 9, 8], fill=(255, 215, 0), outline=(150, 100, 0))
        _hud_text(draw, (w / 2 - 6, 1), f"x{coin_count:02d}", (255, 230, 90))
        _hud_text(draw, (w - 3, 2), f"WORLD {level}", (255, 255, 255), anchor="ra")
        _hud_text(draw, (w - 3, 11), f"TIME {max(0, timer - int(i / fps * 2)):03d}", (255, 255, 255), anchor="ra")
        for k in range(lives):
            x = 4 + 8 * k
            draw.polygon([(x, 14), (x + 3, 17), (x + 6, 14), (x + 3, 20)], fill=(230, 40, 60))
            draw.ellipse([x, 12, x + 3, 15], fill=(230, 40, 60))
            draw.ellipse([x + 3, 12, x + 6, 15], fill=(230, 40, 60))
        yield _upscale(canvas, width, height)
