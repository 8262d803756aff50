"""Make the example site's one video talk, reproducibly: espeak-ng speech over title slides.

Provenance: the talk text below was written for this project and is released with it. The
speech is espeak-ng's, rendered and joined exactly as ``make_media.py`` does its audio talks
(its ``render()`` and ``paragraphs()``). The picture is one slide per topic, drawn with Pillow
(its built-in font, no font files), shown from that topic's first word to the next topic.
PyAV encodes VP9 video at 640x360 and 2 frames a second with Opus audio into a WebM (no ffmpeg
binary needed). Beside ``<slug>.webm`` the script writes ``<slug>.txt``, the reference text.

Run from anywhere:  python example-site/media/make_video.py
Needs: espeak-ng on PATH, numpy, PyAV and Pillow. Pillow is installed in the venv for these
media scripts only; it is not a dependency of the package or of its tests.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from make_media import SAMPLE_RATE, VOICE, paragraphs, render
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SLUG = "rain-gardens"
TITLE = "Rain gardens for small yards"
WIDTH, HEIGHT, FPS, GOP = 640, 360, 2, 20
AUDIO_BIT_RATE = 24_000
VIDEO_QUALITY = {"crf": "50", "b": "0"}  # constant quality: static slides need little

# (slide title, spoken text); paragraphs are separated by blank lines.
TOPICS: list[tuple[str, str]] = [
    (
        "Why a rain garden?",
        """
        Hello, I am Jo, and I have a few minutes to convince you to dig a hole in your yard. A
        rain garden is a shallow planted dip that catches the rain running off a roof or a
        driveway, and lets it soak slowly into the ground.

        In a heavy storm, the rain from roofs, roads and paths rushes into the drains all at
        once. The drains overflow, streets flood, and the dirty runoff carries oil, soap and
        garden chemicals straight into the nearest stream. A rain garden holds that runoff for
        a day or so, and lets the soil clean it on the way down.

        A small yard is enough. Even a garden the size of a parking space can take the rain from
        half a roof. It costs little more than a spade, a few bags of compost and some plants,
        and it asks for almost no work once it has settled in. And unlike a lawn, it is full of
        flowers, birds and butterflies for most of the year. In the next few minutes I will
        show you how to dig one, and which plants to put in it, so that it works from the very
        first storm.
        """,
    ),
    (
        "Digging the basin",
        """
        Now for the digging itself. Pick a spot at least three meters from the house, so the
        runoff never soaks into the walls, and where the downspout can reach it through a
        short pipe or a channel lined with stones.

        Test the soil first. Dig a hole as deep as your hand is long, fill it to the top, and
        time how long it takes to drain. If it is empty within a day, the spot will work. If it
        is still full the next evening, your soil is heavy clay, and you should choose another
        spot or mix plenty of sand and compost into the bottom.

        Dig the basin about fifteen centimeters deep, with gently sloping sides, so nobody
        trips into it. Keep the bottom flat and level, so the rain spreads out instead of
        pooling at one end. Use the soil you remove to build a low bank on the downhill edge,
        and press it down firmly with your feet. Where the pipe enters, lay a few large flat
        stones, so a sudden rush of rain does not wash the soil away.
        """,
    ),
    (
        "Plants that like wet feet",
        """
        The last step is planting, and this is the fun part. The middle of the basin stays wet
        the longest, so it needs plants that like wet feet, such as sedges, rushes and blue
        flag iris.

        The sloping sides dry out between storms, so put tougher plants there, like asters and
        coneflowers. On the bank at the top, grasses and low shrubs hold the soil together.
        Choose plants that grow wild in your region, because their deep roots open up the soil
        and feed the local bees and butterflies.

        Plant them close together, so they cover the ground quickly and leave no room for
        weeds. Cover the bare soil with a thick layer of shredded bark, which keeps it moist in
        summer and stops it washing away. During the first summer, give the new plants a drink
        every week when it has not rained. After that, a rain garden looks after itself. Cut
        back the dead stems once a year in spring, pull out the odd weed, and enjoy the show.
        Thank you for listening, and happy digging.
        """,
    ),
]


def slide(title: str, number: int) -> np.ndarray:
    """One 640x360 RGB slide: the talk's title small, the topic's title large."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (236, 244, 233))
    draw = ImageDraw.Draw(image)
    small, large = ImageFont.load_default(size=22), ImageFont.load_default(size=40)
    draw.rectangle((0, 0, WIDTH, 56), fill=(46, 94, 62))
    draw.text((24, 16), TITLE, font=small, fill=(255, 255, 255))
    draw.text((WIDTH // 2, HEIGHT // 2), title, font=large, fill=(20, 40, 28), anchor="mm")
    draw.text((WIDTH - 24, HEIGHT - 24), f"{number} / {len(TOPICS)}", font=small,
              fill=(46, 94, 62), anchor="rs")  # fmt: skip
    return np.asarray(image)


def encode(samples: np.ndarray, rate: int, starts: list[float], path: Path) -> None:
    """Write the slides and ``samples`` as a VP9 + Opus WebM, one slide per topic."""
    duration = len(samples) / rate
    with av.open(str(path), "w", format="webm") as container:
        container.flags |= av.container.Flags.bitexact.value
        container.metadata["title"] = TITLE
        container.metadata["artist"] = f"espeak-ng ({VOICE}), synthetic speech"
        video = container.add_stream("libvpx-vp9", rate=FPS, options=VIDEO_QUALITY)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.codec_context.gop_size = GOP
        video.codec_context.flags |= av.codec.context.Flags.bitexact.value
        audio = container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        audio.bit_rate = AUDIO_BIT_RATE
        audio.codec_context.flags |= av.codec.context.Flags.bitexact.value

        slides = [slide(title, n + 1) for n, (title, _) in enumerate(TOPICS)]
        for index in range(int(duration * FPS) + 1):
            shown = sum(1 for s in starts if s <= index / FPS) - 1
            frame = av.VideoFrame.from_ndarray(slides[max(shown, 0)], format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            container.mux(video.encode(frame.reformat(format="yuv420p")))
        container.mux(video.encode(None))

        sound = av.AudioFrame.from_ndarray(samples[np.newaxis, :], format="s16", layout="mono")
        sound.sample_rate = rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        for piece in [*resampler.resample(sound), *resampler.resample(None)]:
            container.mux(audio.encode(piece))
        container.mux(audio.encode(None))


def main() -> None:
    texts = [text for _, text in TOPICS]
    samples, rate, starts = render(texts)
    path = HERE / f"{SLUG}.webm"
    encode(samples, rate, starts, path)
    text = "\n\n".join(p for topic in texts for p in paragraphs(topic))
    (HERE / f"{SLUG}.txt").write_text(text + "\n", encoding="utf-8")
    marks = ", ".join(f"{s:.1f}" for s in starts)
    print(
        f"{path.name}: {len(samples) / rate:.1f} s, topics start at [{marks}] s, "
        f"{path.stat().st_size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
