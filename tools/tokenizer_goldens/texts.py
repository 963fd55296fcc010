#!/usr/bin/python3
"""Writes texts.json: the texts every tokenizer golden covers (run by make_goldens.sh).

Each case has a name and a text; NFD variants of the diacritic-heavy texts are derived here
so that every reference tokenizer sees exactly the same strings."""
import json
import os
import unicodedata

BASE = [
    ("english", "Hello world! The quick brown fox jumps over the lazy dog."),
    ("trailing_newline", "Hello world\n"),
    ("french", "Les élèves ont réussi l'examen à l'école, n'est-ce pas ? Où est la bibliothèque ?"),
    ("yoruba", "Ẹ kú àárọ̀. Ṣé dáadáa ni? Ọmọ náà ń jẹun nínú ilé."),
    ("igbo", "Ọ dị mma. Kedụ ka ị mere? Nwaanyị ahụ na-eri nri n'ụlọ."),
    ("hausa", "Ƙasar Najeriya tana da ɗimbin arziƙi. Ina ƴan'uwanka suke? Yā kàmātà mù tàfi."),
    ("chinese", "我想在苹果公司工作。你好，世界！今天天气很好。"),
    ("arabic", "مرحبا بالعالم، كيف حالك اليوم؟"),
    ("cyrillic", "Привет, как дела? Всё хорошо."),
    ("emoji", "🌱🦙 sprout 👩‍👩‍👧 family ✅ done 😶‍🌫️ 🇳🇬"),
    ("code", "def f(x):\n    return x**2  # square\n\nif (a && b) { c++; } else { d -= 1; }\n"),
    ("whitespace_runs", "a  b   c\t\t d\n\n\ne \r\n f      "),
    ("only_spaces", "     "),
    ("numbers", "1234567 3.14159 1,000,000 2024-11-21 0x1F"),
    ("contractions", "I'M sure HE'S here; we'Ve seen it, don't you'll they'd"),
    ("accents", "Café Noël naïve résumé Ångström façade"),
    ("german_compound", "Donaudampfschifffahrtsgesellschaftskapitän"),
    ("turkish_dotted_i", "İstanbul ıI iİ"),
    ("controls", "a\u200bb\u00adc\ufeffd\u0007e"),
    ("replacement_char", "bad \ufffd byte"),
    ("mixed_script", "Sprout 🌱 runs on 2 cores — 速い! مرحبا Ẹ káàbọ̀"),
    ("empty", ""),
]
NFD_OF = ["french", "yoruba", "igbo", "hausa", "accents"]


def main():
    cases = [{"name": n, "text": t} for n, t in BASE]
    for n, t in BASE:
        if n in NFD_OF:
            d = unicodedata.normalize("NFD", t)
            assert d != t, n
            cases.append({"name": n + "_nfd", "text": d})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "texts.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
