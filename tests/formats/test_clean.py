"""Cleaning scraped news pages."""

from annotator.formats.clean import clean_news_text


def test_clean_other_outlet_layouts():
    raw = (
        "ADVERTISEMENT\n"
        "Jokowi Tolak Usulan Tiga Periode\n"
        "Detik.com - 15/03/2021, 09:05 WIB\n"
        "Jakarta, CNN Indonesia -- Presiden Joko Widodo menolak usulan masa jabatan tiga periode.\n"
        "SCROLL TO CONTINUE WITH CONTENT\n"
        "Lihat juga: Survei terbaru soal jabatan presiden\n"
        "\"Saya tidak berniat,\" kata Jokowi.\n"
        "\"Saya tidak berniat,\" kata Jokowi.\n"
        "Berita Terkait\n"
        "Headline lain yang tidak relevan\n"
    )
    r = clean_news_text(raw)
    assert r.text == (
        "Jakarta, CNN Indonesia -- Presiden Joko Widodo menolak usulan masa jabatan tiga periode.\n"
        "\"Saya tidak berniat,\" kata Jokowi."
    )
    assert r.meta["title"] == "Jokowi Tolak Usulan Tiga Periode"
    assert r.meta["published"] == "2021-03-15T09:05+07:00"
    assert r.meta["dateline"] == "Jakarta"
    assert "Headline lain yang tidak relevan" in r.removed
    assert "SCROLL TO CONTINUE WITH CONTENT" in r.removed


def test_clean_leaves_plain_articles_alone():
    raw = (
        "Presiden berbicara panjang lebar di depan wartawan tentang rencana pembangunan ibu kota baru yang "
        "akan dimulai tahun depan, dengan anggaran yang sangat besar dan melibatkan banyak pihak dari dalam "
        "maupun luar negeri, termasuk investor dari Timur Tengah dan Asia Timur.\n"
        "JAKARTA, kata dia – ini bukan dateline karena ada paragraf panjang di atasnya.\n"
    )
    r = clean_news_text(raw)
    assert r.text == raw and not r.removed


def test_clean_is_idempotent_on_its_output():
    raw = "Judul\nKompas.com - 01/02/2021, 10:00 WIB\nJAKARTA, KOMPAS.com – Isi berita.\nBaca juga: X\nLanjutan.\n"
    once = clean_news_text(raw)
    twice = clean_news_text(once.text)
    assert twice.text == once.text and not twice.removed
