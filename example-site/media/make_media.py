"""Make the example site's three talk recordings, reproducibly.

Provenance: the talk texts below were written for this project and are released with it. The
audio is synthetic speech from espeak-ng (no human recording, no downloaded media). Each talk
is spoken paragraph by paragraph, joined with short silences between paragraphs and a longer
one at each change of topic, resampled to 16 kHz mono and encoded as Ogg/Opus with PyAV
(no ffmpeg binary needed). Beside each ``<slug>.opus`` the script writes ``<slug>.txt``, the
reference transcript (one paragraph a line, blank lines between them).

Run from anywhere:  python example-site/media/make_media.py
Needs: espeak-ng on PATH, numpy and PyAV. Output is byte-identical from run to run for a given
espeak-ng and PyAV (bitexact Ogg/Opus: fixed stream serial, no encoder version tag).
"""

from __future__ import annotations

import io
import subprocess
import textwrap
import wave
from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).resolve().parent
VOICE = "en-us"  # espeak-ng voice
WORDS_PER_MINUTE = 160
SAMPLE_RATE = 16_000
BIT_RATE = 24_000
PARAGRAPH_PAUSE_S = 0.6
TOPIC_PAUSE_S = 1.5

# slug -> (title, topics); each topic is a text whose paragraphs are separated by blank lines.
TALKS: dict[str, tuple[str, list[str]]] = {
    "sourdough-at-home": (
        "Sourdough at home",
        [
            """
            Good evening, everyone, and thank you for coming. Tonight I want to talk about
            baking sourdough bread at home, and I want to start where every loaf starts, with
            the starter.

            A sourdough starter is simply flour and water that has been left long enough for
            wild yeast and friendly bacteria to move in. You mix equal weights of flour and
            water in a clean glass jar, cover it loosely, and leave it somewhere warm. Every day
            you throw away most of it and feed what is left with fresh flour and fresh water.
            After about a week, the mixture should rise and fall on a steady schedule, and it
            should smell pleasantly sour, a little like yogurt or apples.

            If your starter is slow, do not give up on it. Try a warmer spot in the kitchen, or
            use some whole wheat flour, which carries more food for the yeast. Once it doubles
            in size within a few hours of a feeding, it is strong enough to raise bread. Many
            bakers keep their starter in the fridge between bakes and feed it once a week.
            """,
            """
            Now let us move on to the dough itself, and to kneading and shaping.

            A simple loaf needs only flour, water, salt, and a spoonful of active starter. Mix
            everything until no dry flour remains, then let it rest for half an hour. This rest
            lets the flour soak up the water, and it makes the dough much easier to handle.

            Instead of kneading hard on the table, many home bakers use a gentle method called
            stretch and fold. With wet hands, you lift one side of the dough, stretch it
            upward, and fold it over the top. Turn the bowl and repeat on every side. Do this a
            few times over the first two hours, and you will feel the dough change from sticky
            and loose to smooth and elastic.

            When the dough has grown by about half, tip it onto a lightly floured table. Shape
            it into a tight ball by pulling the surface toward you, which builds tension on the
            outside. Place it in a basket lined with a floured towel, cover it, and leave it in
            the fridge overnight. The cold rest adds flavor and makes the loaf easier to cut in
            the morning.
            """,
            """
            Finally, let us talk about the oven, and why steam matters so much.

            When a loaf first goes into a hot oven, the outside can set into a crust before the
            inside has finished rising. Steam keeps the surface soft and moist for the first
            part of the bake, so the bread can expand fully. That is how bakeries get a tall
            loaf with a shiny, crackling crust.

            At home, the easiest way to trap steam is a heavy pot with a lid. Heat the empty pot
            in the oven for a long time, so it is very hot. Turn the cold dough out onto a piece
            of paper, cut a shallow line across the top with a sharp blade, and lower it
            carefully into the pot. Put the lid on and bake for twenty minutes. Then take the
            lid off, let the steam escape, and bake until the crust turns a deep golden brown.

            The hardest step of all is waiting. Let the bread cool on a rack for at least an
            hour before you slice it, because the inside is still cooking. Thank you all for
            listening, and happy baking.
            """,
        ],
    ),
    "bicycles-in-the-city": (
        "Bicycles in the city",
        [
            """
            Hello, and welcome. Today I want to talk about riding a bicycle in the city. I will
            begin with the streets themselves, with bike lanes and the wider infrastructure
            that makes cycling safe.

            A painted line on the road is better than nothing, but it does not stop a car from
            drifting into your space. The lanes that really change behavior are protected
            lanes, separated from traffic by a curb, a row of planters, or a line of parked
            cars. When cities build these, the number of people riding often doubles within a
            few years, and many of the new riders are children, parents, and older people who
            never felt safe before.

            Good infrastructure is also about the network, not just single streets. A protected
            lane that ends suddenly at a busy crossing is not much use. Riders need connected
            routes, clear signals at junctions, and safe places to lock a bicycle at the end of
            the trip. Secure parking near shops and train stations matters more than most
            planners expect.
            """,
            """
            Let us change the subject now and talk about keeping your bicycle in good working
            order.

            The most important habit is checking your tires. Soft tires make riding slow and
            tiring, and they puncture more easily. Buy a small floor pump with a gauge, and top
            up the air once a week. The correct pressure is usually printed on the side of the
            tire.

            The second habit is caring for the chain. A dirty, dry chain wears out quickly and
            makes a grinding noise. Wipe it with an old rag, then put one small drop of oil on
            each link while you turn the pedals backward. Wipe off the extra oil afterward,
            because oil on the outside only collects more dirt.

            Finally, test your brakes before every ride. Squeeze each lever firmly. It should
            stop well before it touches the handlebar. If the brake pads look thin or the
            bicycle still rolls forward, adjust the cable or replace the pads. Learning these
            simple jobs will save you money and keep you safe.
            """,
            """
            My last topic is winter, which is when many people put their bicycles away. It does
            not have to be that way.

            The first rule of winter riding is to dress in layers. You warm up quickly once you
            start pedaling, so it is better to feel a little cold for the first few minutes
            than to arrive soaked in sweat. Protect your hands and ears above all, with warm
            gloves and a thin hat that fits under your helmet.

            The second rule is to see and be seen. Winter days are short, so you will often
            ride in the dark. Use a bright white light at the front, a red light at the back,
            and wear something reflective.

            Ice is the real danger. Slow down before corners, brake gently and early, and avoid
            painted lines and metal covers, which become very slippery. If your city gets a lot
            of snow and ice, consider studded tires, which grip the road much better. With a
            little preparation, riding through the winter can be calm, quiet, and even
            beautiful. Thank you very much for listening.
            """,
        ],
    ),
    "small-telescopes": (
        "Small telescopes",
        [
            """
            Good evening. Tonight's talk is about small telescopes, and how much you can see
            with simple equipment from your own garden. Let us begin with choosing a telescope.

            The most important number for any telescope is the size of its main lens or mirror,
            which is called the aperture. A larger aperture collects more light, so you see
            fainter objects and finer detail. Magnification matters much less than the
            advertisements suggest. A cheap telescope that promises huge magnification will
            usually show you a dim, blurry image.

            For a first telescope, many observers recommend a simple reflector on a wooden
            base. It is easy to set up, easy to point, and it gives you a lot of aperture for
            the money. Whatever you choose, make sure the mount is steady. A wobbly mount will
            shake the view every time you touch the focus, and you will soon stop using it. A
            telescope that is light enough to carry outside in one trip is a telescope you will
            actually use.
            """,
            """
            Now let us turn to the targets, starting with the moon and the planets.

            The moon is the best first target, and it is bright enough to see even from the
            middle of a city. Do not wait for the full moon. The best views come when the moon
            is partly lit, because the long shadows near the line between day and night make
            the craters and mountains stand out sharply.

            Among the planets, Jupiter is a favorite. Even a small telescope shows its cloud
            bands, and you can watch its four bright moons change position from night to night.
            Saturn is the planet that makes people gasp when they see it for the first time,
            because the rings are clearly visible as a tiny, perfect shape floating in the dark.
            Mars is harder. It is small, and you will only see surface detail for a few weeks
            when it passes close to the earth.

            When you observe the planets, be patient. The air above you is always moving, and
            the image will shimmer. Keep watching, and in moments of steady air the fine detail
            will suddenly appear.
            """,
            """
            My final topic is light pollution, which is the biggest problem for anyone who
            looks at the sky today.

            Street lights, shop signs, and bright homes send a great deal of light upward,
            where it is scattered by the air. This creates a grey glow over towns and cities
            that hides faint stars and almost completely hides the Milky Way. Most people living
            in large cities have never seen it at all.

            There are a few things you can do. First, find the darkest corner of your garden,
            away from direct lights, and give your eyes at least twenty minutes to adjust to the
            dark. Use a dim red light to read your charts, because red light does not ruin your
            night vision. Second, plan trips to darker places in the countryside, especially
            when there is no moon.

            Finally, you can help your neighbors understand the problem. Lights that point
            downward, use warm colors, and switch off when they are not needed save energy and
            bring back the stars for everyone. Thank you for your time, and clear skies.
            """,
        ],
    ),
}


def paragraphs(topic: str) -> list[str]:
    """The topic's paragraphs, each joined onto one line."""
    return [" ".join(p.split()) for p in textwrap.dedent(topic).strip().split("\n\n")]


def speak(text: str) -> tuple[np.ndarray, int]:
    """espeak-ng's rendering of ``text``: int16 mono samples and their sample rate."""
    wav = subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        assert reader.getnchannels() == 1 and reader.getsampwidth() == 2
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
        return samples, reader.getframerate()


def render(topics: list[str]) -> tuple[np.ndarray, int, list[float]]:
    """The whole talk with pauses, its sample rate and the start time (s) of each topic."""
    pieces: list[np.ndarray] = []
    starts: list[float] = []
    rate = 0
    for t, topic in enumerate(topics):
        for p, text in enumerate(paragraphs(topic)):
            samples, rate = speak(text)
            if t or p:
                pause = PARAGRAPH_PAUSE_S if p else TOPIC_PAUSE_S
                pieces.append(np.zeros(round(pause * rate), dtype=np.int16))
            if not p:
                starts.append(sum(len(x) for x in pieces) / rate)
            pieces.append(samples)
    return np.concatenate(pieces), rate, starts


def encode(samples: np.ndarray, rate: int, path: Path, title: str) -> None:
    """Write ``samples`` as 16 kHz mono Ogg/Opus, bit-exact so reruns give the same bytes."""
    with av.open(str(path), "w", format="ogg") as container:
        container.flags |= av.container.Flags.bitexact.value
        container.metadata["title"] = title
        container.metadata["artist"] = f"espeak-ng ({VOICE}), synthetic speech"
        stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        stream.codec_context.flags |= av.codec.context.Flags.bitexact.value
        frame = av.AudioFrame.from_ndarray(samples[np.newaxis, :], format="s16", layout="mono")
        frame.sample_rate = rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        for piece in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(piece))
        container.mux(stream.encode(None))


def main() -> None:
    for slug, (title, topics) in TALKS.items():
        samples, rate, starts = render(topics)
        audio = HERE / f"{slug}.opus"
        encode(samples, rate, audio, title)
        text = "\n\n".join(p for topic in topics for p in paragraphs(topic))
        (HERE / f"{slug}.txt").write_text(text + "\n", encoding="utf-8")
        marks = ", ".join(f"{s:.1f}" for s in starts)
        print(
            f"{audio.name}: {len(samples) / rate:.1f} s, topics start at [{marks}] s, "
            f"{audio.stat().st_size / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
