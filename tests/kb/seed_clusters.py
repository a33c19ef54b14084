"""The hand clustering of the seed articles' entities (written by reading the two
articles in seeds/): every name a careful annotator marks in the entities layer, its
label, and which real-world thing it refers to.

Each surface is marked at every occurrence in the imported (cleaned) text, matched
case-sensitively at word boundaries, longest surface first; a shorter surface inside
a longer marked one is not marked again ("Rusia" inside "Dewan Keamanan Rusia").
The cluster names are this fixture's own: the linker never sees them.
"""

from __future__ import annotations

#: (surface, label, cluster) per seed file.
SEED_ENTITIES: dict[str, list[tuple[str, str, str]]] = {
    "000_b53b34c65a587a02.txt": [
        ("MOSKOW", "LOC", "moscow"),
        ("Moskow", "LOC", "moscow"),
        ("Arrahmah.com", "ORG", "arrahmah"),
        ("Myanmar", "LOC", "myanmar"),
        ("Rusia", "LOC", "russia"),
        ("Dewan Keamanan Rusia", "ORG", "russian-security-council"),
        ("Aung San Suu Kyi", "PER", "suu-kyi"),
        ("Liga Nasional untuk Demokrasi", "ORG", "nld"),
        ("Min Aung Hlaing", "PER", "min-aung-hlaing"),
        ("AFP", "ORG", "afp"),
        ("Nikolai Patrushev", "PER", "patrushev"),
        ("Rosoboronexport", "ORG", "rosoboronexport"),
        ("Alexander Mikheyev", "PER", "mikheyev"),
        ("Majelis Umum PBB", "ORG", "un-general-assembly"),
        ("Cina", "LOC", "china"),
        ("Belarus", "LOC", "belarus"),
        ("Kremlin", "ORG", "kremlin"),
    ],
    "001_c9244ccba4cb9ab5.txt": [
        ("MOSKWA", "LOC", "moscow"),
        ("Moskwa", "LOC", "moscow"),
        ("KOMPAS.com", "ORG", "kompas"),
        ("Rusia", "LOC", "russia"),
        ("Sergei Shoigu", "PER", "shoigu"),
        ("Shoigu", "PER", "shoigu"),
        ("Myanmar", "LOC", "myanmar"),
        ("Burma", "LOC", "myanmar"),
        ("Min Aung Hlaing", "PER", "min-aung-hlaing"),
        ("Min Aung Hlain", "PER", "min-aung-hlaing"),
        ("Reuters", "ORG", "reuters"),
        ("RIA", "ORG", "ria"),
        ("Nikolai Patrushev", "PER", "patrushev"),
        ("Dewan Keamanan Rusia", "ORG", "russian-security-council"),
        ("Kremlin", "ORG", "kremlin"),
        ("Vladimir Putin", "PER", "putin"),
        ("Negeri Beruang Putih", "LOC", "russia"),
        ("Naypyidaw", "LOC", "naypyidaw"),
        ("Aung San Suu Kyi", "PER", "suu-kyi"),
        ("Institute of Asian and African Countries", "ORG", "iaac"),
        ("Moscow State University", "ORG", "msu"),
        ("Alexey Kirichenko", "PER", "kirichenko"),
        ("Kirichenko", "PER", "kirichenko"),
    ],
}
