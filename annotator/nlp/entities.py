"""Rule-based entity suggestions for news text (Indonesian first, English too).

The recogniser works on the tokens of a spaCy ``Doc`` in three steps:

1. **Capitalised runs**: maximal stretches of capitalised tokens (acronyms,
   ``Jokowi-JK`` glued by a hyphen, name particles such as *bin* or *van* and
   connectors such as *untuk* between capitalised words), within one line.
2. **Segmenting a run** left to right: a gazetteer name (longest match;
   ``rule:gazetteer``), an organisation head with its continuation
   ("Dewan Keamanan Rusia"; ``rule:org-head``), a place head ("Kota Medan";
   ``rule:loc-head``), a title ("Menteri Pertahanan Rusia Sergei Shoigu":
   the title and its descriptors are skipped, places and organisations in it
   are suggested, the name after it is PER; ``rule:title-person``), or an
   unknown chunk.  Titles written in lower case before a run work the same
   way ("pemimpin junta militer Myanmar Jenderal Min Aung Hlaing").
3. **Unknown chunks** are labelled from context: names already found in the
   document (``rule:coreference``), attribution verbs and given names
   (PER), prepositions and nouns that introduce places (LOC) or
   organisations (ORG) (``rule:context``), acronyms (ORG, ``rule:acronym``)
   and, last, any other capitalised sequence mid-sentence as a low-score
   PER candidate (``rule:capitalised``).  Chunks made only of ordinary words
   (the lookup lemma table) give nothing: headlines capitalise every word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.nlp.cues import indonesian_root_candidates
from annotator.nlp.merge import Candidate
from annotator.nlp.resources import cldr_cities, cldr_territories, gazetteer, stop_words, vocabulary

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

# Scores: see annotator.nlp.merge for the precedence they give.
S_GAZETTEER = 0.9
S_TITLE_PERSON = 0.85
S_HEAD = 0.8
S_COREF = 0.7
S_CONTEXT_PER = 0.65
S_CONTEXT = 0.6
S_ACRONYM = 0.45
S_CAPITALISED = 0.3

#: Lower-case words allowed between capitalised words of one name.
NAME_PARTICLES = frozenset({"bin", "binti", "van", "von", "der", "den", "de", "al", "el", "la", "le", "da", "dos",
                            "del", "du", "ibn", "bint"})
#: Lower-case words allowed inside organisation and place names.
NAME_CONNECTORS = frozenset({"untuk", "dan", "bagi", "dari", "atas", "of", "for", "and", "the", "on", "in"})
#: Organisation heads that close an English-order name ("Moscow State University").
_TRAILING_HEADS = frozenset({"University", "Institute", "College", "Academy", "Foundation", "Corporation", "Company",
                             "Council", "Agency", "Bank", "Group", "Party", "Ministry", "Army", "Airlines", "School"})

#: Words that may close a sentence or open a new one: the next token is sentence-initial.
_SENT_BREAK = frozenset({".", "!", "?", "…", ":", ";", "\"", "“", "”", "–", "—", "(", "'", "‘", "’", "|"})

#: Lower-case words right before a chunk that make it a place.
LOC_CONTEXT = frozenset({"di", "ke", "kota", "provinsi", "kabupaten", "desa", "kecamatan", "kelurahan", "pulau",
                         "negara", "wilayah", "daerah", "ibukota", "kawasan", "kampung", "menuju", "dari",
                         "in", "to", "at", "near", "city", "province", "country", "se"})
#: Last words of organisation names (company forms, institution types).
ORG_TAILS = frozenset({"inc", "corp", "corporation", "ltd", "co", "cos", "llc", "plc", "gmbh", "ag", "sa", "nv", "bv",
                       "tbk", "persero", "group", "grup", "holdings", "holding", "airlines", "airways", "air",
                       "university", "institute", "foundation", "center", "centre", "club", "fc", "council",
                       "committee", "association", "agency", "party", "times", "post", "news", "journal",
                       "herald", "tribune", "television", "tv", "radio", "bank", "motors", "energy",
                       "energi", "institut", "society", "league"})
#: Second words of two-word place introducers ("di luar X", "di sekitar X", "negara bagian X").
LOC_CONTEXT_2 = frozenset({"luar", "dalam", "sekitar", "dekat", "utara", "selatan", "timur", "barat", "tengah",
                           "pinggiran", "perbatasan", "bagian", "seluruh", "kawasan", "wilayah", "kota", "provinsi",
                           "kabupaten", "pulau", "desa", "kampung", "daerah"})
#: Lower-case words right before a chunk that make it an organisation.
ORG_CONTEXT = frozenset({"partai", "perusahaan", "eksportir", "importir", "maskapai", "lembaga", "organisasi",
                         "kelompok", "harian", "koran", "majalah", "media", "situs", "stasiun", "televisi", "bank",
                         "klub", "firma", "grup", "fraksi", "kader", "anggota", "produsen", "operator", "yayasan",
                         "universitas", "tim", "kantor", "kubu", "koalisi", "pabrikan", "company", "firm", "party",
                         "group", "agency", "newspaper", "bursa", "emiten", "saham", "perseroan", "badan",
                         "kementerian", "dinas", "ormas", "lsm", "institusi"})
#: Words right before a chunk that make it a person (attribution, address).
PER_BEFORE = frozenset({"kata", "ujar", "ucap", "tutur", "ungkap", "jelas", "tambah", "menurut", "imbuh", "papar",
                        "terang", "tegas", "sebut", "said", "says", "told", "according", "oleh", "pak", "bu",
                        "saudara", "sdr", "tersangka", "terdakwa", "terpidana", "pasangan", "istri", "suami",
                        "putra", "putri", "anak", "ayah", "ibunda", "ayahanda", "adik", "kakak", "sahabat",
                        "rekan", "kakek", "nenek", "cucu", "keponakan", "mengutip", "dikutip", "kubu", "pendukung",
                        "bertemu", "menemui", "ditemui", "memanggil", "diperiksa", "memeriksa", "mr", "mrs", "ms", "sir"})
#: Words right after a chunk that make it a person (speech and cognition verbs).
PER_AFTER = frozenset({"mengatakan", "menyatakan", "menjelaskan", "menambahkan", "mengungkapkan", "menuturkan",
                       "menegaskan", "berkata", "menyebutkan", "menyebut", "mengaku", "menilai", "berharap",
                       "meminta", "mengklaim", "menyampaikan", "mengakui", "membantah", "menampik", "menerangkan",
                       "memaparkan", "mengimbau", "menyayangkan", "menduga", "mengungkap", "bercerita",
                       "berpendapat", "menganggap", "menjawab", "tersenyum", "mengucapkan", "menceritakan",
                       "said", "says", "told", "added", "explained", "stated", "argued", "believes", "wrote",
                       "lahir", "meninggal", "wafat", "tewas", "ditangkap", "ditahan", "divonis", "dituntut"})
#: Nouns a country or city name modifies ("pemerintah Indonesia", "warga Israel",
#: "militer Myanmar"): the name then works as a nationality adjective, which
#: news NER conventions do not tag as a place.
LOC_MODIFIED_NOUNS = frozenset({"pemerintah", "pemerintahan", "militer", "warga", "masyarakat", "rakyat", "bangsa",
                                "pasukan", "tentara", "turis", "wisatawan", "bahasa", "berbahasa", "presiden",
                                "gubernur", "menteri", "polisi", "pihak", "tim", "delegasi", "kedutaan", "negeri",
                                "produk", "ekonomi", "pasar", "mata", "kapal", "pesawat", "serangan", "pertahanan",
                                "keamanan", "kemerdekaan", "keistimewaan", "harian", "media", "pers", "pejabat",
                                "diplomat", "duta", "konsulat", "orang", "pemain", "timnas", "jet", "angkatan"})

_MAX_TITLE_LOWER_WORDS = 4
_FUNCTION_WORDS = frozenset({"yang", "di", "ke", "dari", "pada", "dalam", "dengan", "untuk", "dan", "atau", "itu",
                             "ini", "akan", "telah", "sudah", "juga", "tidak", "tak", "belum", "bahwa", "karena",
                             "oleh", "sebagai", "adalah", "ialah", "saat", "ketika", "setelah", "sebelum", "sejak",
                             "kepada", "tersebut", "serta", "the", "a", "an", "of", "to", "in", "on", "and", "or",
                             "is", "was", "has", "had", "for", "by", "with", "at", "said", "kata", "mengatakan"})


_WEB_NAME = re.compile(r"\w\.(?:com|co\.id|net|org|id|co\.uk|tv|news)$", re.IGNORECASE)


def _is_cap(text: str) -> bool:
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text)


def _is_acronym(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return 2 <= len(letters) <= 8 and all(ch.isupper() for ch in letters) and text[0].isalpha()


@dataclass
class _Index:
    """Token-sequence lookup: first token -> candidate tuples, longest first."""

    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)

    def add(self, tokens: tuple[str, ...], value: str) -> None:
        if not tokens:
            return
        bucket = self.by_first.setdefault(tokens[0], [])
        if any(t == tokens for t, _ in bucket):
            return  # the first list that names it wins (ORG before PER before LOC)
        bucket.append((tokens, value))
        bucket.sort(key=lambda tv: -len(tv[0]))

    def match(self, words: list[str], i: int, limit: int) -> tuple[int, str] | None:
        """Longest entry starting at ``words[i]`` and ending before ``limit``:
        ``(end, value)``."""
        for tokens, value in self.by_first.get(words[i], ()):
            n = len(tokens)
            if i + n <= limit and tuple(words[i : i + n]) == tokens:
                return i + n, value
        return None


class EntityRules:
    """The word lists compiled for one tokenizer; call :meth:`__call__` on a Doc."""

    def __init__(self, nlp: Language, language: str = "id") -> None:
        self.language = language

        def toks(name: str) -> tuple[str, ...]:
            return tuple(t.text for t in nlp.make_doc(name) if not t.is_space)

        self.gaz = _Index()
        for name in gazetteer("organisations.txt"):
            self.gaz.add(toks(name), "ORG")
        for name in gazetteer("persons.txt"):
            self.gaz.add(toks(name), "PER")
        # CLDR names in Indonesian, English and the document's language (when CLDR knows it)
        cldr_langs = tuple(dict.fromkeys(("id", "en", language)))
        for name in gazetteer("locations.txt") + cldr_territories(cldr_langs) + cldr_cities(cldr_langs):
            self.gaz.add(toks(name), "LOC")
        # titles, heads and stop entries match without regard to case
        self.titles = _Index()
        for name in gazetteer("titles.txt"):
            self.titles.add(tuple(w.lower() for w in toks(name)), "title")
        self.heads = _Index()
        for name in gazetteer("org_heads.txt"):
            self.heads.add(toks(name), "ORG")
        for name in gazetteer("loc_heads.txt"):
            self.heads.add(toks(name), "LOC")
        self.not_entities = _Index()
        for name in gazetteer("not_entities.txt"):
            self.not_entities.add(toks(name), "-")
        self.given = frozenset(gazetteer("given_names.txt"))
        self.descriptors = frozenset(w.lower() for w in gazetteer("descriptors.txt"))
        self.stop = stop_words(language)
        # ordinary words of the document's language (titles: "Jenderal Tun ..." is a name,
        # though "tun" is an English word) and of it plus English (headlines, quoted names)
        self.own_vocab = vocabulary(language) | self.stop
        self.vocab = (self.own_vocab | vocabulary("en")) if language != "en" else self.own_vocab
        # first words of listed persons: they end an organisation name ("Partai Golkar Aburizal ...")
        self.person_first = frozenset(
            tokens[0] for bucket in self.gaz.by_first.values() for tokens, label in bucket if label == "PER"
        )

    # -- helpers on the token arrays -------------------------------------------

    def _ordinary(self, word: str, own: bool = False) -> bool:
        """An ordinary (dictionary) word, or a descriptor of titles and institutions
        ("Pasalnya", "Rencananya", "Dikaji": a known root with affixes is ordinary
        too).  ``own``: only the document language's words count."""
        if word in self.given:
            return False
        low = word.lower()
        vocab = self.own_vocab if own else self.vocab
        if low in self.descriptors or low in vocab:
            return True
        for clitic in ("nya", "lah", "kah", "pun"):
            if low.endswith(clitic) and len(low) > len(clitic) + 2:
                stem = low[: -len(clitic)]
                if stem in vocab or stem in self.descriptors or low.endswith("nya"):
                    return True
        if self.language == "id" and len(low) > 5 and low[:2] in ("di", "be", "te", "me", "pe", "ke"):
            return any(len(r) >= 4 and r in self.own_vocab for r in indonesian_root_candidates(low)[1:])
        return False

    def __call__(self, doc: Doc) -> list[Candidate]:
        """Entity candidates for ``doc`` (may overlap; see :func:`resolve_overlaps`)."""
        # doc.text joins every token on each access: read it once
        full_text = doc.text
        words = [t.text for t in doc]
        lowers = [w.lower() for w in words]
        n = len(words)
        # a token is "in a run" when capitalised (or a glue token between two capitalised ones)
        breaks = [("\n" in t.whitespace_) or t.is_space for t in doc]
        cap = [(_is_cap(w) and not doc[i].is_punct) for i, w in enumerate(words)]
        in_run = list(cap)
        for i in range(1, n - 1):
            if not cap[i] and cap[i - 1] and cap[i + 1] and not breaks[i - 1] and not breaks[i]:
                w = lowers[i]
                glued = w in ("-", "'", "&") and not doc[i - 1].whitespace_ and not doc[i].whitespace_
                if glued or w in NAME_PARTICLES or w in NAME_CONNECTORS or w in (".",) and len(words[i - 1]) <= 2:
                    in_run[i] = True
        sent_start = [False] * n
        for i in range(n):
            j = i - 1
            while j >= 0 and doc[j].is_space:
                j -= 1
            sent_start[i] = j < 0 or words[j] in _SENT_BREAK or "\n" in doc[j].whitespace_ or doc[j].is_space \
                or (j < i - 1)

        out: list[Candidate] = []
        unknown: list[tuple[int, int]] = []
        strong: dict[str, str] = {}

        def emit(a: int, b: int, label: str, origin: str, score: float) -> None:
            if b <= a:
                return
            # trim punctuation a run may have picked up at its edges
            while b > a and doc[b - 1].is_punct and words[b - 1] not in (")",):
                b -= 1
            if b <= a:
                return
            start, end = doc[a].idx, doc[b - 1].idx + len(words[b - 1])
            out.append(Candidate(start, end, label, origin, score))
            if score >= S_HEAD:
                strong.setdefault(full_text[start:end], label)
                if label == "PER":
                    for k in range(a, b):
                        if cap[k] and len(words[k]) > 2:
                            strong.setdefault(words[k], "PER")

        def gaz_match(i: int, limit: int) -> tuple[int, str] | None:
            m = self.gaz.match(words, i, limit)
            if m is None and words[i].isupper() and len(words[i]) > 3:
                # datelines write places in capitals: "MOSKOW (Arrahmah.com)"
                alt = words[i].capitalize()
                for tokens, value in self.gaz.by_first.get(alt, ()):
                    if len(tokens) == 1:
                        return i + 1, value
            return m

        def title_match(i: int, limit: int) -> int | None:
            m = self.titles.match(lowers, i, limit)
            if m is None:
                return None
            end = m[0]
            # "Ibu Kota Jakarta" is a capital city, not a title + name
            if lowers[i] == "ibu" and end < n and lowers[end] == "kota":
                return None
            return end

        def trailing_org(i: int, limit: int) -> int | None:
            """End of an English-order organisation name that starts at ``i``
            with a place and ends with its head ("Moscow State University"),
            or None."""
            k = i + 1
            while k < limit and cap[k] and lowers[k] not in NAME_CONNECTORS:
                h = self.heads.match(words, k, limit)
                if h is not None and h[1] == "ORG" and h[0] - k == 1 and words[k] in _TRAILING_HEADS:
                    return h[0]
                k += 1
            return None

        def head_continuation(i: int, limit: int, label: str = "ORG") -> int:
            """End of an organisation/place name whose head ends at ``i``.  Place
            names after a place head may be any proper name ("Hotel JS Luwansa")."""
            j = i
            first = True
            while j < limit:
                w = words[j]
                if lowers[j] in NAME_CONNECTORS or lowers[j] in NAME_PARTICLES:
                    k = j + 1
                    # "Dewan Keamanan Rusia dan Liga ...": a new head or a known name after
                    # the connector starts a new mention
                    if (k < limit and in_run[k] and cap[k] and self.heads.match(words, k, limit) is None
                            and (lowers[j] not in ("dan", "and") or gaz_match(k, limit) is None)):
                        j += 1
                        continue
                    break
                if not cap[j] and w not in ("-", "&", "'"):
                    break
                if not first:
                    g = gaz_match(j, limit)
                    if g is not None and g[1] == "LOC" and label == "ORG":
                        if trailing_org(j, limit) is not None:
                            break  # "Institute of ... Countries" + "Moscow State University": two bodies
                        j = g[0]  # a place qualifies the body: "Dewan Keamanan Rusia"
                        continue
                    if g is not None:
                        break  # another organisation is its own mention: "Majelis Umum" + "PBB"
                    if title_match(j, limit) is not None:
                        break
                    if label == "LOC":
                        j += 1
                        continue
                    if w in self.given or w in self.person_first:
                        break
                    if not (self._ordinary(w) or _is_acronym(w) or not cap[j]):
                        break
                first = False
                j += 1
            return j

        def name_end(i: int, limit: int) -> int:
            """End of a person's name starting at ``i``."""
            j = i
            while j < limit and in_run[j]:
                if j > i and (title_match(j, limit) is not None or lowers[j] in NAME_CONNECTORS):
                    break
                j += 1
            return j

        def title_context(i: int) -> int:
            """After a title ending at ``i``: emit places/organisations in its
            descriptor and the person named after it; return where it stopped."""
            j = i
            lower_words = 0
            while j < n:
                if breaks[j - 1] if j > 0 else False:
                    break
                w = words[j]
                if w == "," and j + 1 < n and cap[j + 1]:
                    # appositive: "kepala ... Rosoboronexport, Alexander Mikheyev"
                    j += 1
                    continue
                if not cap[j]:
                    if lowers[j] in _FUNCTION_WORDS or doc[j].is_punct or doc[j].like_num or lower_words >= _MAX_TITLE_LOWER_WORDS:
                        return j
                    lower_words += 1
                    j += 1
                    continue
                run_end = j
                while run_end < n and in_run[run_end]:
                    run_end += 1
                t = title_match(j, run_end)
                if t is not None:
                    j = t
                    continue
                if self.not_entities.match(words, j, run_end) is not None:
                    return j
                g = gaz_match(j, run_end)
                if g is not None and g[1] != "PER":
                    if not (g[1] == "LOC" and lowers[j - 1] in LOC_MODIFIED_NOUNS):
                        emit(j, g[0], g[1], "rule:gazetteer", S_GAZETTEER)
                    j = g[0]
                    continue
                h = self.heads.match(words, j, run_end)
                if h is not None and h[0] < run_end:
                    end = head_continuation(h[0], run_end, h[1])
                    emit(j, end, h[1], f"rule:{h[1].lower()}-head", S_HEAD)
                    j = end
                    continue
                if self._ordinary(w, own=True) and not (g and g[1] == "PER"):
                    j += 1  # "Menteri Pertahanan": part of the title
                    continue
                if _is_acronym(w) and w not in self.given:
                    emit(j, j + 1, "ORG", "rule:acronym", S_ACRONYM + 0.1)
                    j += 1
                    continue
                end = name_end(j, run_end)
                if g is not None and g[1] == "PER" and g[0] >= end:
                    end = g[0]
                emit(j, end, "PER", "rule:title-person", S_TITLE_PERSON)
                return end
            return j

        consumed = [False] * n
        i = 0
        while i < n:
            # lower-case titles before a run: "pemimpin junta Myanmar Jenderal Min Aung Hlaing"
            if not cap[i] and not consumed[i]:
                t = title_match(i, n)
                if t is not None and (i == 0 or not in_run[i - 1]):
                    end = title_context(t)
                    if end > t:
                        for k in range(i, end):
                            consumed[k] = True
                        i = end
                        continue
                i += 1
                continue
            if consumed[i] or not in_run[i]:
                i += 1
                continue
            run_end = i
            while run_end < n and in_run[run_end]:
                run_end += 1
            j = i
            chunk_start: int | None = None

            def close_chunk(upto: int) -> None:
                nonlocal chunk_start
                if chunk_start is not None and upto > chunk_start:
                    unknown.append((chunk_start, upto))
                chunk_start = None

            while j < run_end:
                w = words[j]
                if lowers[j] in NAME_CONNECTORS and not cap[j]:
                    close_chunk(j)
                    j += 1
                    continue
                g = gaz_match(j, run_end)
                if g is not None:
                    if g[1] == "PER" and chunk_start is not None and all(
                        len(x.rstrip(".")) <= 2 or x in self.given for x in words[chunk_start:j]
                    ):
                        # initials or given names before a known name: "M Nazaruddin", "Haji Muhammad Nazaruddin"
                        emit(chunk_start, g[0], "PER", "rule:gazetteer", S_GAZETTEER)
                        chunk_start = None
                        j = g[0]
                        continue
                    close_chunk(j)
                    org_end = trailing_org(j, run_end) if g[1] == "LOC" else None
                    if org_end is not None:
                        emit(j, org_end, "ORG", "rule:org-head", S_HEAD)
                        j = org_end
                        continue
                    if not (g[1] == "LOC" and j > 0 and lowers[j - 1] in LOC_MODIFIED_NOUNS):
                        emit(j, g[0], g[1], "rule:gazetteer", S_GAZETTEER)
                    j = g[0]
                    continue
                t = title_match(j, run_end)
                if t is not None and (t < run_end or (t < n and not cap[t] and lowers[t] not in _FUNCTION_WORDS)):
                    close_chunk(j)
                    end = title_context(t)
                    j = max(end, t)
                    if j > run_end:
                        break
                    continue
                if t is not None:  # a bare title ("Wapres", "Mantan") names nobody
                    close_chunk(j)
                    j = t
                    continue
                s = self.not_entities.match(words, j, run_end)
                if s is not None:
                    close_chunk(j)
                    j = s[0]
                    continue
                h = self.heads.match(words, j, run_end)
                if h is not None:
                    close_chunk(j)
                    if h[0] < run_end:
                        end = head_continuation(h[0], run_end, h[1])
                        emit(j, end, h[1], f"rule:{h[1].lower()}-head", S_HEAD)
                        j = end
                    else:
                        j = h[0]  # a bare head ("Departemen") names nothing
                    continue
                if w in self.given and chunk_start is not None and j > chunk_start and all(
                    self._ordinary(x) for x in words[chunk_start:j]
                ):
                    close_chunk(j)  # "... State University Alexey Kirichenko": a new name starts
                if chunk_start is None:
                    chunk_start = j
                j += 1
            close_chunk(min(j, run_end))
            i = max(j, run_end)

        loc_starts = {c.start for c in out if c.label == "LOC"}
        for a, b in unknown:
            cand = self._classify(doc, full_text, words, lowers, cap, sent_start, a, b, strong, loc_starts)
            if cand is not None:
                out.append(cand)
        return out

    def _classify(
        self,
        doc: Doc,
        full_text: str,
        words: list[str],
        lowers: list[str],
        cap: list[bool],
        sent_start: list[bool],
        a: int,
        b: int,
        strong: dict[str, str],
        loc_starts: set[int] | frozenset[int] = frozenset(),
    ) -> Candidate | None:
        """Label an unknown capitalised chunk from its context (or drop it)."""
        while b > a and doc[b - 1].is_punct:
            b -= 1
        while a < b and doc[a].is_punct:
            a += 1
        # "Namun Noor Laila", "Menurut Basarah": a capitalised opener is not part of the name
        while a < b and words[a] not in self.given and (
            lowers[a] in self.stop or (sent_start[a] and self._ordinary(words[a]) and b - a > 1)
        ):
            a += 1
        if b <= a:
            return None
        start, end = doc[a].idx, doc[b - 1].idx + len(words[b - 1])
        text = full_text[start:end]
        chunk = words[a:b]
        prev = lowers[a - 1] if a > 0 else ""
        prev2 = lowers[a - 2] if a > 1 else ""
        nxt = lowers[b] if b < len(words) else ""
        nxt2 = lowers[b + 1] if b + 1 < len(words) else ""

        def cand(label: str, origin: str, score: float) -> Candidate:
            return Candidate(start, end, label, origin, score)

        if text in strong:
            return cand(strong[text], "rule:coreference", S_COREF)
        if all(w in strong and strong[w] == "PER" for w in chunk if cap[a + chunk.index(w)]) and any(
            w in strong for w in chunk
        ):
            return cand("PER", "rule:coreference", S_COREF)
        acronym = len(chunk) == 1 and _is_acronym(chunk[0])
        ordinary = all(self._ordinary(w) or not cap[a + k] for k, w in enumerate(chunk))
        if chunk[-1].rstrip(".").lower() in ORG_TAILS and len(chunk) > 1:
            return cand("ORG", "rule:context", S_CONTEXT)  # "Qualcomm Inc", "Global Mediacom Tbk"
        if _WEB_NAME.search(text):
            return cand("ORG", "rule:context", S_CONTEXT)  # an outlet by its domain: "Tribunnews.com"
        if prev == "(" and acronym:
            return cand("ORG", "rule:acronym", S_ACRONYM + 0.15)  # "Partai ... (PKB)"
        if prev in PER_BEFORE or (prev == "," and prev2 in PER_BEFORE) or nxt in PER_AFTER or (
            nxt == "," and nxt2 in PER_AFTER
        ):
            if acronym:
                return cand("ORG", "rule:acronym", S_ACRONYM + 0.1)
            if not ordinary or prev in PER_BEFORE:
                return cand("PER", "rule:context", S_CONTEXT_PER)
        if chunk[0] in self.given and not acronym:
            return cand("PER", "rule:context", S_CONTEXT_PER)
        if prev in LOC_CONTEXT and not acronym and prev != "dari":
            return cand("LOC", "rule:context", S_CONTEXT)
        if prev2 in ("di", "ke", "dari", "negara") and prev in LOC_CONTEXT_2 and not acronym:
            return cand("LOC", "rule:context", S_CONTEXT)  # "di luar Abkhazia", "negara bagian Brandenburg"
        if nxt == "," and b + 1 < len(words) and doc[b + 1].idx in loc_starts and not acronym:
            return cand("LOC", "rule:context", S_CONTEXT)  # an address: "Kawangkoan, Minahasa, Sulawesi Utara"
        if prev in ORG_CONTEXT:
            return cand("ORG", "rule:context", S_CONTEXT)
        if acronym:
            return cand("ORG", "rule:acronym", S_ACRONYM)
        if ordinary:
            return None
        if len(chunk) > 1 and 2 * sum(self._ordinary(w) for w in chunk) > len(chunk):
            return None  # mostly ordinary words: a capitalised phrase ("Surat Tanda Registrasi"), not a name
        # a capitalised unknown word opening a sentence is a name only when a verb,
        # a comma or "dan" follows ("Tomash dan sejawatnya", "Gates, yang ...")
        opener_ok = nxt in (",", "dan", "yang", "pun") or nxt.startswith(("me", "ber", "di", "ter"))
        if sent_start[a] and len(chunk) == 1 and not opener_ok:
            return None
        return cand("PER", "rule:capitalised", S_CAPITALISED)
