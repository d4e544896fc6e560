"""The demo's words: names through Faker, members' bios and languages, chapter
descriptions (English or Spanish, in Markdown)."""

from __future__ import annotations

import random
from typing import Any

from django.utils.text import slugify

from chapterhouse.chapters.models import ChapterLevel

from .plan import CountryProfile

# Scripts whose names are written family name first, without a space.
FAMILY_FIRST_NO_SPACE = {"zh_CN", "zh_TW", "ko_KR"}
FAMILY_FIRST = {"ja_JP", "hu_HU", "vi_VN", *FAMILY_FIRST_NO_SPACE}
SPANISH_SPEAKING = {"ES", "MX", "AR", "CO", "CL"}

# -- Chapter descriptions and bios ------------------------------------------------------

_EN_PROJECTS = (
    "a tenants' union for the estates by the station",
    "a food co-op that now supplies {n} households",
    "support for striking care workers",
    "a Saturday school, free for everyone",
    "a repair café on the first Sunday of the month",
    "keeping the public library open",
    "a community energy co-op",
    "mutual aid for neighbours who need shopping or a lift",
    "a campaign for safe cycle lanes",
    "a reading group: *Parecon* and *Fanfare for the Future*",
    "a participatory budget for the neighbourhood",
    "a bail fund and court support",
)
_ES_PROJECTS = (
    "un sindicato de inquilinas en los bloques de la estación",
    "una cooperativa de consumo que ya abastece a {n} hogares",
    "apoyo a la huelga de las trabajadoras de cuidados",
    "una escuela popular los sábados",
    "un taller de reparación el primer domingo de cada mes",
    "la defensa de la biblioteca pública",
    "una cooperativa de energía renovable",
    "apoyo mutuo para vecinas que necesitan compra o transporte",
    "un grupo de lectura: *Parecon* y *Fanfare for the Future*",
    "un presupuesto participativo para el barrio",
)
_EN_MEETINGS = (
    "every other Tuesday evening at the community centre",
    "on the first Saturday of the month at the library",
    "every Thursday at 7 pm in the back room of a friendly café",
    "once a month in the union hall, and online in between",
)
_ES_MEETINGS = (
    "un martes sí y otro no, por la tarde, en el centro social",
    "el primer sábado de cada mes en la biblioteca",
    "todos los jueves a las siete en el ateneo",
    "una vez al mes en el local del sindicato, y en línea entre reuniones",
)
_BIO_EN = (
    "{job}. I care about {topic} and I am learning to facilitate meetings well.",
    "Organising in {city} since {year}. Ask me about **{topic}**.",
    "Parent, {job_lower}, and slow cyclist. Working on {topic} with my neighbours.",
    "I joined to help with {topic}.\n\n- Good at: spreadsheets, soup\n- Learning: {language}",
    "Retired {job_lower}. Happy to share what I know about {topic}.",
)
_BIO_ES = (
    "Vivo en {city} y me interesa {topic_es}. Aprendo a facilitar asambleas.",
    "Organizándome en {city} desde {year}. Pregúntame por **{topic_es}**.",
    "Me uní para ayudar con {topic_es}.\n\n- Sé de: hojas de cálculo, cocina\n- Aprendo: inglés",
)
_TOPICS_EN = (
    "housing", "workplace democracy", "food sovereignty", "participatory budgeting",
    "climate and energy", "mutual aid", "public transport", "care work", "education",
)
_TOPICS_ES = (
    "la vivienda", "la democracia en el trabajo", "la soberanía alimentaria",
    "los presupuestos participativos", "la energía y el clima", "el apoyo mutuo",
    "el transporte público", "los cuidados", "la educación popular",
)
_LANGUAGE_NAMES = ("Spanish", "Portuguese", "Arabic", "French", "German", "Sign language")


def local_description(rng: random.Random, name: str, spanish: bool) -> str:
    projects = _ES_PROJECTS if spanish else _EN_PROJECTS
    chosen = [p.format(n=rng.randint(20, 400)) for p in rng.sample(projects, 2)]
    meeting = rng.choice(_ES_MEETINGS if spanish else _EN_MEETINGS)
    if spanish:
        return (
            f"Somos las personas socias que vivimos en **{name}**. Nos reunimos {meeting}.\n\n"
            "### En qué trabajamos\n\n"
            + "".join(f"- {project}\n" for project in chosen)
            + "\n¿Eres nueva? Preséntate en el foro o ven sin más a la próxima reunión."
        )
    return (
        f"We are the members living in **{name}**. We meet {meeting}.\n\n"
        "### What we are working on\n\n"
        + "".join(f"- {project[0].upper()}{project[1:]}\n" for project in chosen)
        + "\nNew here? Say hello in the forum, or just come along to the next meeting."
    )


def wide_description(rng: random.Random, name: str, level: int, spanish: bool) -> str:
    if level == ChapterLevel.INTERNATIONAL:
        return (
            "Everyone in the organisation belongs here. Decisions that affect us all are "
            "proposed, deliberated and voted on in this chapter, **each member with a say "
            "in proportion to how much they are affected**.\n\n"
            "Most of the work happens in local chapters: find yours on the "
            "[map](/c/map/) and come to a meeting."
        )
    if spanish:
        return (
            f"El capítulo de **{name}** reúne a los capítulos locales de su territorio. "
            "Aquí se deciden los asuntos que afectan a todo el territorio; lo demás se "
            "decide más cerca, en cada ciudad y barrio.\n\n"
            f"Próxima asamblea: {rng.choice(['en primavera', 'en otoño', 'en junio'])}, "
            "con transmisión en línea."
        )
    return (
        f"The **{name}** chapter brings together the local chapters within it. Matters "
        f"that affect all of {name} are decided here; everything else is decided closer "
        "to home, in each city and neighbourhood.\n\n"
        f"Next general assembly: {rng.choice(['in the spring', 'in the autumn', 'in June'])}, "
        "streamed for those who cannot travel."
    )


class Names:
    """Names from each locale, drawn through Faker seeded once per locale.

    With `pool`, each locale's names (and jobs) are drawn once into a pool of that
    size and then picked from it: Faker costs ~100 µs a name, too slow for millions.
    """

    def __init__(self, seed: int, pool: int = 0) -> None:
        self.seed = seed
        self.pool = pool
        self._fakers: dict[str, Any] = {}
        self._pools: dict[str, list[tuple[str, str, str]]] = {}
        self._jobs: list[str] = []
        self._rng = random.Random(seed)

    def faker(self, locale: str) -> Any:
        if locale not in self._fakers:
            from faker import Faker

            # Only the providers used: loading all of them costs ~50 ms per locale.
            fake = Faker(locale, providers=["faker.providers.person", "faker.providers.job"])
            fake.seed_instance(f"{self.seed}:{locale}")
            self._fakers[locale] = fake
        return self._fakers[locale]

    def job(self) -> str:
        if not self.pool:
            return str(self.faker("en_GB").job())
        if not self._jobs:
            self._jobs = [self.faker("en_GB").job() for _ in range(min(self.pool, 500))]
        return self._rng.choice(self._jobs)

    def person(self, locale: str) -> tuple[str, str, str]:
        """(display name, first name, last name)."""
        if self.pool:
            if locale not in self._pools:
                self._pools[locale] = [self._draw(locale) for _ in range(self.pool)]
            return self._rng.choice(self._pools[locale])
        return self._draw(locale)

    def _draw(self, locale: str) -> tuple[str, str, str]:
        fake = self.faker(locale)
        first, last = fake.first_name(), fake.last_name()
        if locale in FAMILY_FIRST_NO_SPACE:
            return f"{last}{first}", first, last
        if locale in FAMILY_FIRST:
            return f"{last} {first}", first, last
        return f"{first} {last}", first, last


def email_local(display: str) -> str:
    local = slugify(display).replace("-", ".")
    return local[:40].strip(".") or "member"


def bio(rng: random.Random, city: str, spanish: bool, names: Names) -> str:
    if rng.random() < 0.35:
        return ""
    year = rng.randint(2012, 2026)
    if spanish:
        return rng.choice(_BIO_ES).format(city=city, topic_es=rng.choice(_TOPICS_ES), year=year)
    job = names.job()
    return rng.choice(_BIO_EN).format(
        job=job, job_lower=job[0].lower() + job[1:], topic=rng.choice(_TOPICS_EN), city=city,
        year=year, language=rng.choice(_LANGUAGE_NAMES),
    )


def spoken_languages(rng: random.Random, profile: CountryProfile) -> list[str]:
    spoken = [profile.languages[0]]
    for extra in profile.languages[1:]:
        if rng.random() < 0.5:
            spoken.append(extra)
    if "en" not in spoken and rng.random() < 0.4:
        spoken.append("en")
    if rng.random() < 0.08:
        spoken.append(rng.choice(("es", "fr", "de", "pt", "ar", "it")))
    return list(dict.fromkeys(spoken))
