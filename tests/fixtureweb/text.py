"""Deterministic Russian news text, seeded by a string (a URL path), in the register of the
chronicles' sources: courts, detentions, journalists, activists."""

from __future__ import annotations

import hashlib
import random

NAMES = [
    "Айгерим Тлеужан",
    "Лукпан Ахмедьяров",
    "Марат Жыланбаев",
    "Дина Байдилдаева",
    "Алнур Ильяшев",
    "Махамбет Абжан",
    "Дархан Шарипов",
    "Асхат Жексебаев",
    "Нурлан Баубеков",
    "Айжан Изманова",
    "Ерлан Калиев",
    "Галым Агелеуов",
    "Марина Низовкина",
    "Думан Мухаммедкарим",
    "Санжар Бокаев",
    "Жанболат Мамай",
]
CITIES = [
    "Алматы",
    "Астане",
    "Шымкенте",
    "Актау",
    "Жанаозене",
    "Уральске",
    "Караганде",
    "Атырау",
    "Таразе",
    "Кызылорде",
    "Семее",
    "Павлодаре",
]
BODIES = [
    "специализированный межрайонный суд по уголовным делам",
    "апелляционная коллегия",
    "департамент полиции",
    "генеральная прокуратура",
    "антикоррупционная служба",
    "комитет национальной безопасности",
    "районный суд",
    "управление внутренней политики",
]
CHARGES = [
    "распространении заведомо ложной информации",
    "участии в массовых беспорядках",
    "разжигании социальной розни",
    "нарушении порядка проведения мирных собраний",
    "финансировании экстремистской деятельности",
    "вымогательстве",
    "клевете",
]
OPENERS = [
    "По словам адвоката",
    "Как сообщили в пресс-службе",
    "Правозащитники считают, что",
    "Родственники задержанного утверждают, что",
    "В ведомстве подчеркнули, что",
    "Наблюдатели отмечают, что",
    "Ранее стало известно, что",
    "Напомним, что",
]
TEMPLATES = [
    "{opener} {body} в {city} рассмотрит дело {name} о {charge}.",
    "{name} была задержана в {city} рано утром, сотрудники полиции не предъявили документов.",
    "{opener} {name} отрицает свою вину и намерена обжаловать приговор.",
    "Заседание по делу {name} прошло в закрытом режиме, журналистов в зал не пустили.",
    "В {city} несколько десятков человек вышли к зданию суда в поддержку {name}.",
    "{opener} следствие длилось больше {n} месяцев, а материалы дела составили {m} томов.",
    "Суд назначил {name} наказание в виде {n} лет ограничения свободы.",
    "Международные организации призвали власти освободить {name} и прекратить преследование.",
    "{body} в {city} отказался комментировать задержание {name}.",
    "Адвокат {name} заявил, что его подзащитному не дали ознакомиться с материалами дела.",
    "Это уже {n}-е административное преследование активиста за последний год.",
    "{opener} {name} провёл под арестом {m} суток за публикацию в социальных сетях.",
    "Фонд «Әділ сөз» зафиксировал {m} случаев давления на журналистов за месяц.",
    "Обвинение в {charge} предъявлено {name} после публикации видеообращения.",
]
TITLES = [
    "В {city} задержали активиста {name}",
    "Суд в {city} вынес приговор по делу {name}",
    "{name}: «Меня преследуют за слова»",
    "Прокуратура обжалует оправдательный приговор {name}",
    "Журналиста {name} вызвали на допрос в {city}",
    "Правозащитники требуют освободить {name}",
]
EDITS = [
    "Обновлено: после публикации материала {body} в {city} сообщил, что дело {name} "
    "направлено на доследование, а мера пресечения изменена на домашний арест.",
    "Дополнено: вечером того же дня {name} освободили под подписку о невыезде; защита "
    "намерена добиваться полного прекращения уголовного преследования.",
    "Исправлено: в первоначальной версии материала ошибочно указано, что заседание пройдёт "
    "в {city}; на самом деле дело {name} передано в суд другого региона.",
]


def rng_for(seed: str) -> random.Random:
    return random.Random(hashlib.sha256(seed.encode("utf-8")).digest())


def _fill(rnd: random.Random, template: str) -> str:
    return template.format(
        opener=rnd.choice(OPENERS),
        body=rnd.choice(BODIES),
        city=rnd.choice(CITIES),
        name=rnd.choice(NAMES),
        charge=rnd.choice(CHARGES),
        n=rnd.randint(2, 9),
        m=rnd.randint(3, 40),
    )


def sentence(rnd: random.Random) -> str:
    text = _fill(rnd, rnd.choice(TEMPLATES))
    return text[0].upper() + text[1:]


def paragraph(rnd: random.Random, sentences: int | None = None) -> str:
    return " ".join(sentence(rnd) for _ in range(sentences or rnd.randint(3, 6)))


def title(seed: str) -> str:
    rnd = rng_for("title:" + seed)
    return _fill(rnd, rnd.choice(TITLES))


def paragraphs(seed: str, target_bytes: int) -> list[str]:
    """Paragraphs whose UTF-8 size adds up to about ``target_bytes`` (at least three)."""
    rnd = rng_for("body:" + seed)
    out: list[str] = []
    size = 0
    while size < target_bytes or len(out) < 3:
        para = paragraph(rnd)
        out.append(para)
        size += len(para.encode("utf-8")) + 7  # <p></p>
    return out


def edited(seed: str, paras: list[str]) -> list[str]:
    """Version 2 of an article: every other paragraph rewritten and an update appended."""
    rnd = rng_for("edit:" + seed)
    out = [paragraph(rnd) if i % 2 == 1 else p for i, p in enumerate(paras)]
    out.append(_fill(rnd, rnd.choice(EDITS)))
    return out
